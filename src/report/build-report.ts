// Findings + ingest results → the schema_version 1 report object every renderer starts from.
import type { IngestResult } from '../ingest/index.js';
import {
  FINDING_STATUSES,
  SEVERITIES,
  subjectKey,
  type Activity,
  type BaselineEntry,
  type Finding,
  type FindingStatus,
  type IgnoredFinding,
  type RuleFile,
  type ScopeSummary,
} from '../rules/index.js';
import { ReportV1, type ActivityV1, type FindingV1, type InputV1, type SuppressedV1 } from './report-schema.js';

export const TOOL_NAME = 'apiaudit';

export interface ReportInput {
  version: string;
  generatedAt: Date;
  inputs: IngestResult[];
  rules: RuleFile[];
  /** The findings of this run after suppression; without a status (no lifecycle) they are new. */
  findings: Array<Finding & { status?: FindingStatus }>;
  /** Findings an earlier run reported that this one no longer detects. */
  resolved?: Finding[];
  suppression?: {
    ignored: Array<IgnoredFinding<Finding>>;
    baseline?: { path: string; entries: number; suppressed: number; stale: BaselineEntry[] };
  };
  window?: { since?: Date; until?: Date };
  /** Events the rules read (every event in the database within the window). */
  eventsScanned?: number;
  /** Per-subject activity for the timelines (optional in the contract). */
  activity?: Activity | null;
  /** What the scope excluded (the allow-list); reported even when nothing matched. */
  scope?: ScopeSummary;
}

function toInput(result: IngestResult): InputV1 {
  return {
    path: result.path,
    log_type: result.logType ?? null,
    lines: result.lines,
    events: result.events,
    rejected: result.rejected,
    skipped: result.skipped,
    status: result.status,
    sha256: result.sha256 ?? null,
    size: result.size ?? null,
    first_ts: result.firstTs ?? null,
    last_ts: result.lastTs ?? null,
    rejected_lines: result.rejectedLines,
    coverage: result.coverage ?? null,
    duplicate_of: result.duplicateOf ?? null,
    error: result.error ?? null,
    continues: result.continues ?? null,
    first_line: result.status === 'ingested' ? (result.firstLine ?? 1) : null,
  };
}

function toFinding(f: Finding, status: FindingStatus): FindingV1 {
  return {
    id: f.id,
    rule_id: f.ruleId,
    severity: f.severity,
    title: f.title,
    message: f.message,
    subject: {
      kind: f.subject.kind,
      credential_fingerprint: f.subject.credentialFingerprint,
      principal: f.subject.principal,
      client_ip: f.subject.clientIp,
      client_ips: f.subject.clientIps,
      user_agents: f.subject.userAgents,
    },
    first_seen: f.firstSeen,
    last_seen: f.lastSeen,
    event_count: f.eventCount,
    distinct_paths: f.distinctPaths,
    details: f.details,
    evidence: f.evidence,
    description: f.rule.description,
    remediation: f.rule.remediation,
    references: f.rule.references,
    tags: f.rule.tags,
    status,
  };
}

function toSuppressed(suppression: NonNullable<ReportInput['suppression']>): SuppressedV1 {
  const baseline = suppression.baseline;
  return {
    ignored: suppression.ignored.map(({ finding: f, reason, ignore }) => ({
      id: f.id, rule_id: f.ruleId, severity: f.severity, subject_kind: f.subject.kind, subject: subjectKey(f),
      first_seen: f.firstSeen, reason, ignore,
    })),
    baseline: baseline
      ? {
          path: baseline.path,
          entries: baseline.entries,
          suppressed: baseline.suppressed,
          stale: baseline.stale.map(({ id, rule_id, subject_kind, subject, reason }) => ({ id, rule_id, subject_kind, subject, reason })),
        }
      : null,
  };
}

function toActivity(activity: Activity): ActivityV1 {
  return {
    start: activity.start,
    end: activity.end,
    bucket_seconds: activity.bucketSeconds,
    subjects_with_findings: activity.subjectsWithFindings,
    subjects: activity.subjects.map((s) => ({
      kind: s.kind,
      subject: s.subject,
      principal: s.principal,
      finding_ids: s.findingIds,
      requests: s.requests,
      first_seen: s.firstSeen,
      last_seen: s.lastSeen,
      status_classes: s.statusClasses,
      client_ips: s.clientIps,
      distinct_client_ips: s.distinctClientIps,
      user_agents: s.userAgents,
      distinct_user_agents: s.distinctUserAgents,
      timeline: s.timeline,
    })),
  };
}

export function buildReport(input: ReportInput): ReportV1 {
  const inputs = input.inputs.map(toInput);
  const findings = input.findings.map((f) => toFinding(f, f.status ?? 'new'));
  const resolved = (input.resolved ?? []).map((f) => toFinding(f, 'resolved'));
  const byStatus = Object.fromEntries(FINDING_STATUSES.map((s) => [s, [...findings, ...resolved].filter((f) => f.status === s).length]));
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, findings.filter((f) => f.severity === s).length]));
  const byRule: Record<string, number> = {};
  for (const rule of input.rules) byRule[rule.metadata.id] = 0;
  for (const f of findings) byRule[f.rule_id] = (byRule[f.rule_id] ?? 0) + 1;
  const times = (key: 'first_ts' | 'last_ts') => inputs.map((i) => i[key]).filter((t): t is string => t !== null).sort();
  const report: ReportV1 = {
    schema_version: 1,
    tool: { name: TOOL_NAME, version: input.version },
    generated_at: input.generatedAt.toISOString(),
    inputs,
    rules: input.rules.map(({ metadata: m }) => ({
      id: m.id, title: m.title, severity: m.severity, description: m.description, remediation: m.remediation,
      references: m.references, tags: m.tags,
    })),
    summary: {
      files: inputs.filter((i) => i.status === 'ingested').length,
      events: inputs.reduce((n, i) => n + i.events, 0),
      rejected: inputs.reduce((n, i) => n + i.rejected, 0),
      findings: findings.length,
      by_severity: bySeverity as ReportV1['summary']['by_severity'],
      by_rule: byRule,
      first_ts: times('first_ts')[0] ?? null,
      last_ts: times('last_ts').at(-1) ?? null,
      by_status: byStatus as NonNullable<ReportV1['summary']['by_status']>,
      ...(input.eventsScanned !== undefined ? { events_scanned: input.eventsScanned } : {}),
      window: { since: input.window?.since?.toISOString() ?? null, until: input.window?.until?.toISOString() ?? null },
    },
    findings,
    resolved,
    suppressed: toSuppressed(input.suppression ?? { ignored: [] }),
    ...(input.activity ? { activity: toActivity(input.activity) } : {}),
    allowlist: (input.scope?.allowlist ?? []).map((e) => ({ kind: e.kind, value: e.value, reason: e.reason, rules: e.rules, events: e.events })),
  };
  // The contract is checked on every run, not only in tests: a renderer never sees a bad report.
  return ReportV1.parse(report);
}
