// CSV export for spreadsheets and scripts: one row per finding, or (with --evidence) one row per
// evidence event. Cells come from attacker-controlled logs, and a spreadsheet runs a cell that
// starts with = + - @ (or a tab, CR or LF, which some of them skip first) as a formula: such a cell
// is prefixed with a single quote, which spreadsheets show as text and scripts can strip.
import { writeToString } from 'fast-csv';
import type { FindingV1, ReportV1 } from './report-schema.js';

// Full-width variants too: some spreadsheet locales read them as the ASCII signs.
const FORMULA_START = /^[=+\-@\t\r\n\uFF1D\uFF0B\uFF0D\uFF20]/;

export function protectCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

type Cell = string | number | null;
const text = (value: string | null | undefined) => (value === null || value === undefined ? '' : protectCell(value));
/** Lists go into one cell, one item per line, each item protected (scripts split them). */
const lines = (values: string[]) => values.map(protectCell).join('\n');

function subjectKey(f: FindingV1): string | null {
  return f.subject.kind === 'credential' ? f.subject.credential_fingerprint : f.subject.kind === 'principal' ? f.subject.principal : f.subject.client_ip;
}

export const FINDING_COLUMNS = [
  'finding_id', 'rule_id', 'severity', 'title', 'message', 'subject_kind', 'subject', 'credential_fingerprint',
  'principal', 'client_ip', 'client_ips', 'user_agents', 'first_seen', 'last_seen', 'event_count', 'distinct_paths',
  'details', 'owasp', 'attack', 'remediation', 'references',
] as const;

export const EVIDENCE_COLUMNS = [
  'finding_id', 'rule_id', 'severity', 'subject_kind', 'subject', 'principal', 'file', 'line', 'ts', 'method', 'path',
  'query', 'status', 'client_ip', 'user_agent',
] as const;

type FindingRow = Record<(typeof FINDING_COLUMNS)[number], Cell>;
type EvidenceRow = Record<(typeof EVIDENCE_COLUMNS)[number], Cell>;

function findingRow(f: FindingV1): FindingRow {
  return {
    finding_id: f.id,
    rule_id: text(f.rule_id),
    severity: f.severity,
    title: text(f.title),
    message: text(f.message),
    subject_kind: f.subject.kind,
    subject: text(subjectKey(f)),
    credential_fingerprint: f.subject.credential_fingerprint ?? '',
    principal: text(f.subject.principal),
    client_ip: text(f.subject.client_ip),
    client_ips: lines(f.subject.client_ips),
    user_agents: lines(f.subject.user_agents),
    first_seen: f.first_seen,
    last_seen: f.last_seen,
    event_count: f.event_count,
    distinct_paths: f.distinct_paths,
    details: lines(f.details),
    owasp: lines(f.tags.owasp),
    attack: lines(f.tags.attack),
    remediation: text(f.remediation),
    references: lines(f.references),
  };
}

function evidenceRows(f: FindingV1): EvidenceRow[] {
  return f.evidence.map((e) => ({
    finding_id: f.id,
    rule_id: text(f.rule_id),
    severity: f.severity,
    subject_kind: f.subject.kind,
    subject: text(subjectKey(f)),
    principal: text(f.subject.principal),
    file: text(e.file),
    line: e.line,
    ts: e.ts,
    method: text(e.method),
    path: text(e.path),
    query: text(e.query),
    status: e.status,
    client_ip: text(e.client_ip),
    user_agent: text(e.user_agent),
  }));
}

export async function renderCsv(report: ReportV1, options: { evidence?: boolean } = {}): Promise<string> {
  // alwaysWriteHeaders: an empty result is still a valid file with its header row
  const csvOptions = (headers: readonly string[]) => ({ headers: [...headers], alwaysWriteHeaders: true, includeEndRowDelimiter: true });
  return options.evidence
    ? writeToString(report.findings.flatMap(evidenceRows), csvOptions(EVIDENCE_COLUMNS))
    : writeToString(report.findings.map(findingRow), csvOptions(FINDING_COLUMNS));
}
