// The JSON report contract, schema_version 1. People's cron jobs and CI pipelines read it: extend
// it by adding optional fields, never by changing what an existing field means. The published
// JSON Schema (report-v1.schema.json) is generated from this and checked by a test.
import { z } from 'zod';

const Severity = z.enum(['info', 'low', 'medium', 'high', 'critical']);
const Timestamp = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, 'ISO-8601 UTC');
const SubjectKind = z.enum(['credential', 'principal', 'client_ip']);
const FindingStatus = z
  .enum(['new', 'ongoing', 'resolved'])
  .describe('new: first reported by this run; ongoing: reported by an earlier run (--db) and still detected; resolved: no longer detected');

export const EvidenceV1 = z.object({
  file: z.string(),
  line: z.number().int().positive(),
  ts: Timestamp,
  method: z.string().nullable(),
  path: z.string().nullable(),
  status: z.number().int().nullable(),
  client_ip: z.string().nullable(),
  user_agent: z.string().nullable(),
  query: z.string().nullable().optional().describe('the query string, secrets replaced by REDACTED (added after the first release)'),
});

export const FindingV1 = z.object({
  id: z.string().regex(/^[0-9a-f]{32}$/),
  rule_id: z.string(),
  severity: Severity,
  title: z.string(),
  message: z.string(),
  subject: z.object({
    kind: SubjectKind,
    credential_fingerprint: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
    principal: z.string().nullable(),
    client_ip: z.string().nullable(),
    client_ips: z.array(z.string()),
    user_agents: z.array(z.string()),
  }),
  first_seen: Timestamp,
  last_seen: Timestamp,
  event_count: z.number().int().positive(),
  distinct_paths: z.number().int().nonnegative(),
  details: z.array(z.string()),
  evidence: z.array(EvidenceV1),
  description: z.string(),
  remediation: z.string(),
  references: z.array(z.string()),
  tags: z.object({ owasp: z.array(z.string()), attack: z.array(z.string()) }),
  status: FindingStatus.optional(),
});

export const InputV1 = z.object({
  path: z.string(),
  log_type: z.string().nullable(),
  lines: z.number().int().nonnegative(),
  events: z.number().int().nonnegative(),
  rejected: z.number().int().nonnegative(),
  skipped: z.number().int().nonnegative(),
  status: z.enum(['ingested', 'duplicate', 'error']),
  sha256: z.string().nullable(),
  size: z.number().int().nonnegative().nullable(),
  first_ts: Timestamp.nullable(),
  last_ts: Timestamp.nullable(),
  rejected_lines: z.array(z.object({ line: z.number().int().positive(), reason: z.string() })),
  coverage: z
    .object({ scheme: z.boolean(), credential: z.boolean(), principal: z.boolean(), notes: z.array(z.string()) })
    .nullable(),
  duplicate_of: z.string().nullable(),
  error: z.string().nullable(),
  continues: z.string().nullable().optional().describe("the earlier ingest of this file's first lines, when the file grew since and only its new lines were read"),
  first_line: z.number().int().positive().nullable().optional().describe('the first line this run read (1 for a whole file)'),
});

/** What the config's `ignore` entries and a `--baseline` file kept out of `findings`. */
const SuppressedV1 = z.object({
  ignored: z.array(
    z.object({
      id: z.string(),
      rule_id: z.string(),
      severity: Severity,
      subject_kind: SubjectKind,
      subject: z.string(),
      first_seen: Timestamp,
      reason: z.string(),
      ignore: z.number().int().nonnegative().describe("index of the matching entry in the config's ignore list"),
    }),
  ),
  baseline: z
    .object({
      path: z.string(),
      entries: z.number().int().nonnegative(),
      suppressed: z.number().int().nonnegative(),
      stale: z
        .array(z.object({ id: z.string(), rule_id: z.string(), subject_kind: SubjectKind, subject: z.string(), reason: z.string() }))
        .describe('entries that match no finding of this run'),
    })
    .nullable(),
});

// Per-subject activity for the HTML report's timelines (optional: added after the first release,
// and absent when the scan window holds no event). Status classes partition every request.
const StatusCountsV1 = z.object({
  '2xx': z.number().int().nonnegative(),
  '3xx': z.number().int().nonnegative(),
  '401': z.number().int().nonnegative(),
  '403': z.number().int().nonnegative(),
  other_4xx: z.number().int().nonnegative(),
  '5xx': z.number().int().nonnegative(),
  other: z.number().int().nonnegative().describe('1xx, non-HTTP and missing status codes'),
});
const CountedValueV1 = z.object({ value: z.string(), requests: z.number().int().positive() });

export const SubjectActivityV1 = z.object({
  kind: z.enum(['credential', 'principal', 'client_ip']),
  subject: z.string().describe('the credential fingerprint, principal or client IP the findings are keyed on'),
  principal: z.string().nullable(),
  finding_ids: z.array(z.string().regex(/^[0-9a-f]{32}$/)),
  requests: z.number().int().positive(),
  first_seen: Timestamp,
  last_seen: Timestamp,
  status_classes: StatusCountsV1,
  client_ips: z.array(CountedValueV1).describe('most frequent first, at most 20'),
  distinct_client_ips: z.number().int().nonnegative(),
  user_agents: z.array(CountedValueV1).describe('most frequent first, at most 20'),
  distinct_user_agents: z.number().int().nonnegative(),
  timeline: z.array(StatusCountsV1.extend({ start: Timestamp })).describe('buckets with at least one request, in time order'),
});

export const ActivityV1 = z.object({
  start: Timestamp.describe('start of the first bucket'),
  end: Timestamp.describe('time of the last event in the scan window'),
  bucket_seconds: z.number().int().positive(),
  subjects_with_findings: z.number().int().nonnegative(),
  subjects: z.array(SubjectActivityV1).describe('the 100 subjects with the most severe findings, most severe first'),
});

/** An explicit allow-list entry from the config and how many events in scope it matched. */
export const AllowlistV1 = z.object({
  kind: z.enum(['client_ip', 'credential', 'principal', 'path']),
  value: z.string(),
  reason: z.string(),
  rules: z.array(z.string()).nullable(),
  events: z.number().int().nonnegative(),
});

export const ReportV1 = z.object({
  schema_version: z.literal(1),
  tool: z.object({ name: z.literal('apiaudit'), version: z.string() }),
  generated_at: Timestamp,
  inputs: z.array(InputV1),
  rules: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      severity: Severity,
      description: z.string().optional(),
      remediation: z.string().optional(),
      references: z.array(z.string()).optional(),
      tags: z.object({ owasp: z.array(z.string()), attack: z.array(z.string()) }).optional(),
    }),
  ),
  summary: z.object({
    files: z.number().int().nonnegative(),
    events: z.number().int().nonnegative(),
    rejected: z.number().int().nonnegative(),
    findings: z.number().int().nonnegative(),
    by_severity: z.record(Severity, z.number().int().nonnegative()),
    by_rule: z.record(z.string(), z.number().int().nonnegative()),
    first_ts: Timestamp.nullable(),
    last_ts: Timestamp.nullable(),
    by_status: z.record(FindingStatus, z.number().int().nonnegative()).optional().describe('findings and resolved findings by status'),
    events_scanned: z.number().int().nonnegative().optional().describe('the events the rules read: every stored event within the window'),
    window: z
      .object({ since: Timestamp.nullable(), until: Timestamp.nullable() })
      .optional()
      .describe('--since / --until: the rules read only events in [since, until)'),
  }),
  findings: z.array(FindingV1),
  resolved: z.array(FindingV1).optional().describe('findings an earlier run reported (--db) that this run no longer detects'),
  suppressed: SuppressedV1.optional().describe("what the config's ignore entries and a --baseline file kept out of findings"),
  activity: ActivityV1.optional(),
  /** Added to schema_version 1 (absent from earlier reports); empty when the config has no allow-list. */
  allowlist: z.array(AllowlistV1).optional(),
});

export type ReportV1 = z.infer<typeof ReportV1>;
export type FindingV1 = z.infer<typeof FindingV1>;
export type InputV1 = z.infer<typeof InputV1>;
export type SuppressedV1 = z.infer<typeof SuppressedV1>;
export type ActivityV1 = z.infer<typeof ActivityV1>;
export type SubjectActivityV1 = z.infer<typeof SubjectActivityV1>;

export function reportJsonSchema(): unknown {
  return {
    $id: 'https://github.com/apiaudit/apiaudit/schema/report-v1.schema.json',
    title: 'apiaudit JSON report, schema_version 1',
    ...z.toJSONSchema(ReportV1, { target: 'draft-2020-12' }),
  };
}
