// The JSON report contract, schema_version 1. People's cron jobs and CI pipelines read it: extend
// it by adding optional fields, never by changing what an existing field means. The published
// JSON Schema (report-v1.schema.json) is generated from this and checked by a test.
import { z } from 'zod';

const Severity = z.enum(['info', 'low', 'medium', 'high', 'critical']);
const Timestamp = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, 'ISO-8601 UTC');

export const EvidenceV1 = z.object({
  file: z.string(),
  line: z.number().int().positive(),
  ts: Timestamp,
  method: z.string().nullable(),
  path: z.string().nullable(),
  status: z.number().int().nullable(),
  client_ip: z.string().nullable(),
  user_agent: z.string().nullable(),
});

export const FindingV1 = z.object({
  id: z.string().regex(/^[0-9a-f]{32}$/),
  rule_id: z.string(),
  severity: Severity,
  title: z.string(),
  message: z.string(),
  subject: z.object({
    kind: z.enum(['credential', 'principal', 'client_ip']),
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
  rules: z.array(z.object({ id: z.string(), title: z.string(), severity: Severity })),
  summary: z.object({
    files: z.number().int().nonnegative(),
    events: z.number().int().nonnegative(),
    rejected: z.number().int().nonnegative(),
    findings: z.number().int().nonnegative(),
    by_severity: z.record(Severity, z.number().int().nonnegative()),
    by_rule: z.record(z.string(), z.number().int().nonnegative()),
    first_ts: Timestamp.nullable(),
    last_ts: Timestamp.nullable(),
  }),
  findings: z.array(FindingV1),
  /** Added to schema_version 1 (absent from earlier reports); empty when the config has no allow-list. */
  allowlist: z.array(AllowlistV1).optional(),
});

export type ReportV1 = z.infer<typeof ReportV1>;
export type FindingV1 = z.infer<typeof FindingV1>;
export type InputV1 = z.infer<typeof InputV1>;

export function reportJsonSchema(): unknown {
  return {
    $id: 'https://github.com/apiaudit/apiaudit/schema/report-v1.schema.json',
    title: 'apiaudit JSON report, schema_version 1',
    ...z.toJSONSchema(ReportV1, { target: 'draft-2020-12' }),
  };
}
