// SARIF 2.1.0, shaped for GitHub code scanning: every rule in tool.driver.rules with help text and
// a security-severity; one result per finding, located at the log line of its first evidence row
// (relative to the repository root when the log is inside one), fingerprinted by the finding id,
// which is stable across machines, paths and re-exports.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { clip, markdownText, sarifText } from './escape.js';
import type { FindingV1, ReportV1 } from './report-schema.js';

type Severity = FindingV1['severity'];

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
/** GitHub keeps at most this many results of a run. */
export const MAX_RESULTS = 25_000;
const MAX_TAGS = 20;

/** GitHub: over 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, up to 3.9 low. */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '1.0' };
const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };

/** The nearest directory at or above `dir` that holds a .git entry (a folder, or a worktree's file). */
export function repositoryRoot(dir: string): string | undefined {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    if (existsSync(path.join(current, '.git'))) return current;
    if (path.dirname(current) === current) return undefined;
  }
}

function artifactLocation(file: string, cwd: string, root: string | undefined): { uri: string; uriBaseId?: string } {
  const absolute = path.resolve(cwd, file);
  const relative = root ? path.relative(root, absolute) : '';
  if (root && relative && !relative.startsWith('..') && !path.isAbsolute(relative)) {
    return { uri: relative.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' };
  }
  return { uri: pathToFileURL(absolute).href };
}

function ruleHelp(rule: ReportV1['rules'][number]): { text: string; markdown: string } {
  const references = rule.references ?? [];
  const text = [
    (rule.description ?? rule.title).trim(),
    rule.remediation ? `Remediation: ${rule.remediation.trim()}` : '',
    references.length ? `References:\n${references.map((r) => `- ${r}`).join('\n')}` : '',
  ];
  const markdown = [
    markdownText((rule.description ?? rule.title).trim()),
    rule.remediation ? `**Remediation:** ${markdownText(rule.remediation.trim())}` : '',
    references.length
      ? `**References**\n\n${references.map((r) => `- ${/^https?:\/\/[^\s<>]+$/.test(r) ? `<${r}>` : markdownText(r)}`).join('\n')}`
      : '',
  ];
  return { text: text.filter(Boolean).join('\n\n'), markdown: markdown.filter(Boolean).join('\n\n') };
}

function subjectText(f: FindingV1): string {
  const s = f.subject;
  if (s.kind === 'credential') return `credential ${s.credential_fingerprint ?? ''}`;
  return s.kind === 'principal' ? `principal ${s.principal ?? ''}` : `client ${s.client_ip ?? ''}`;
}

export function renderSarif(report: ReportV1, options: { cwd?: string } = {}): string {
  const cwd = options.cwd ?? process.cwd();
  const root = repositoryRoot(cwd);
  const ruleIndex = new Map(report.rules.map((r, i) => [r.id, i]));
  const rules = report.rules.map((rule) => {
    const tags = ['security', ...(rule.tags?.owasp ?? []).map((t) => `owasp-api-2023/${t}`), ...(rule.tags?.attack ?? []).map((t) => `attack/${t}`)];
    return {
      id: rule.id,
      name: rule.id.replace(/(^|-)([a-z0-9])/g, (_, _dash: string, c: string) => c.toUpperCase()),
      shortDescription: { text: rule.title },
      fullDescription: { text: (rule.description ?? rule.title).trim() },
      help: ruleHelp(rule),
      ...(rule.references?.[0] ? { helpUri: rule.references[0] } : {}),
      defaultConfiguration: { level: LEVEL[rule.severity] },
      properties: { tags: tags.slice(0, MAX_TAGS), 'security-severity': SECURITY_SEVERITY[rule.severity] },
    };
  });
  const results = report.findings.slice(0, MAX_RESULTS).map((f) => {
    const first = f.evidence[0];
    return {
      ruleId: f.rule_id,
      ...(ruleIndex.has(f.rule_id) ? { ruleIndex: ruleIndex.get(f.rule_id) } : {}),
      level: LEVEL[f.severity],
      message: { text: sarifText(clip(`${f.message.trim()} (${subjectText(f)})`, 2000)) },
      locations: first
        ? [{ physicalLocation: { artifactLocation: artifactLocation(first.file, cwd, root), region: { startLine: first.line } } }]
        : [],
      partialFingerprints: { 'apiauditFindingId/v1': f.id },
      properties: {
        'apiaudit/findingId': f.id,
        'apiaudit/status': f.status ?? 'new',
        'apiaudit/subjectKind': f.subject.kind,
        'apiaudit/firstSeen': f.first_seen,
        'apiaudit/lastSeen': f.last_seen,
        'apiaudit/eventCount': f.event_count,
      },
    };
  });
  const run = {
    tool: {
      driver: {
        name: report.tool.name,
        version: report.tool.version,
        semanticVersion: report.tool.version,
        informationUri: 'https://github.com/apiaudit/apiaudit',
        rules,
      },
    },
    results,
    ...(report.findings.length > MAX_RESULTS ? { properties: { 'apiaudit/omittedResults': report.findings.length - MAX_RESULTS } } : {}),
  };
  return `${JSON.stringify({ $schema: SARIF_SCHEMA, version: '2.1.0', runs: [run] }, null, 2)}\n`;
}
