// A short Markdown summary for $GITHUB_STEP_SUMMARY and pull-request comments: counts by severity
// and the top findings. Every value that comes from a log is escaped: identifiers (subjects, paths,
// rule ids) as code spans, which no inline rule reaches; prose (messages, reasons) with
// backslashes, where GitHub still links an e-mail address (to the address shown, nothing hidden).
import { clip, markdownCode, markdownText } from './escape.js';
import type { FindingV1, ReportV1 } from './report-schema.js';

const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low', 'info'] as const;
export const TOP_FINDINGS = 10;

const md = (value: string | null | undefined, max = 120) => markdownText(clip(value ?? '', max));
const code = (value: string | null | undefined, max = 80) => markdownCode(clip(value ?? '', max));
const time = (iso: string) => md(iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ''));

function subjectCell(f: FindingV1): string {
  const s = f.subject;
  if (s.kind === 'credential') {
    const who = s.principal ? ` (${code(s.principal, 60)})` : '';
    return `credential ${code(`${(s.credential_fingerprint ?? '').slice(0, 12)}…`)}${who}`;
  }
  return s.kind === 'principal' ? `principal ${code(s.principal, 60)}` : `client ${code(s.client_ip, 60)}`;
}

function findingRow(f: FindingV1, withStatus: boolean): string {
  const where = f.evidence[0] ? code(`${f.evidence[0].file}:${f.evidence[0].line}`, 100) : '';
  const cells = [
    `**${f.severity}**`,
    ...(withStatus ? [f.status ?? 'new'] : []),
    code(f.rule_id),
    md(f.message, 200),
    subjectCell(f),
    String(f.event_count),
    time(f.first_seen),
    where,
  ];
  return `| ${cells.join(' | ')} |`;
}

export function renderMarkdown(report: ReportV1): string {
  const s = report.summary;
  const withStatus = (s.by_status?.ongoing ?? 0) + (s.by_status?.resolved ?? 0) > 0;
  const counts = SEVERITY_ORDER.map((sev) => s.by_severity[sev] ?? 0);
  const nonZero = SEVERITY_ORDER.filter((_, i) => counts[i]! > 0).map((sev) => `${s.by_severity[sev]} ${sev}`);
  const lines = [
    `## apiaudit: ${s.findings} finding(s)${nonZero.length ? ` (${nonZero.join(', ')})` : ''}`,
    '',
    `| ${SEVERITY_ORDER.join(' | ')} |`,
    `| ${SEVERITY_ORDER.map(() => '---:').join(' | ')} |`,
    `| ${counts.join(' | ')} |`,
    '',
  ];
  if (report.findings.length) {
    const top = report.findings.slice(0, TOP_FINDINGS);
    lines.push(
      `### ${report.findings.length > top.length ? `Top ${top.length} findings` : 'Findings'}`,
      '',
      `| severity |${withStatus ? ' status |' : ''} rule | finding | subject | events | first seen (UTC) | first evidence |`,
      `| --- |${withStatus ? ' --- |' : ''} --- | --- | --- | ---: | --- | --- |`,
      ...top.map((f) => findingRow(f, withStatus)),
      '',
    );
    if (report.findings.length > top.length) lines.push(`… and ${report.findings.length - top.length} more in the full report.`, '');
  }
  const facts = [
    `${s.files} file(s), ${s.events} event(s), ${s.rejected} rejected line(s)${s.events_scanned !== undefined ? `; the rules read ${s.events_scanned} event(s)` : ''}.`,
  ];
  if (s.window?.since || s.window?.until) {
    facts.push(`Window: ${s.window.since ? `since ${time(s.window.since)} UTC` : ''}${s.window.since && s.window.until ? ', ' : ''}${s.window.until ? `until ${time(s.window.until)} UTC` : ''}.`);
  }
  if (s.by_status && withStatus) facts.push(`Since the last run: ${s.by_status.new} new, ${s.by_status.ongoing} ongoing, ${s.by_status.resolved} resolved.`);
  const baseline = report.suppressed?.baseline;
  if (baseline) {
    facts.push(
      `Baseline ${code(baseline.path)}: ${baseline.suppressed} finding(s) suppressed${baseline.stale.length ? `, ${baseline.stale.length} stale entr${baseline.stale.length === 1 ? 'y' : 'ies'} no longer found` : ''}.`,
    );
  }
  const ignored = report.suppressed?.ignored ?? [];
  if (ignored.length) {
    facts.push(`Ignored by the config (${ignored.length}): ${ignored.slice(0, TOP_FINDINGS).map((i) => `${code(i.rule_id)} ${code(i.subject, 40)} — ${md(i.reason, 120)}`).join('; ')}${ignored.length > TOP_FINDINGS ? '; …' : ''}.`);
  }
  const errors = report.inputs.filter((i) => i.status === 'error');
  if (errors.length) facts.push(`**${errors.length} input(s) could not be read:** ${errors.map((i) => code(i.path)).join(', ')}.`);
  lines.push(facts.join('  \n'), '');
  return `${lines.join('\n')}`;
}
