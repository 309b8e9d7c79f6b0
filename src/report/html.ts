// The HTML report: one self-contained file rendered with Handlebars in strict mode. Every value
// from a log is attacker-controlled, so templates only ever use {{…}} (escaped), never {{{…}}};
// invisible and bidi control characters are shown as visible ⟨U+…⟩ marks; and a
// Content-Security-Policy allows no external load and no script or style but the report's own,
// pinned by their SHA-256 hashes (so the same scan renders the same bytes).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type { FindingV1, ReportV1, SubjectActivityV1 } from './report-schema.js';
import { timelineChart } from './timeline-chart.js';

export const TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));

const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low', 'info'] as const;
/** Evidence rows per finding in the page; fewer when there are many findings, so it stays light. */
export const HTML_EVIDENCE_LIMIT = 20;
export const HTML_EVIDENCE_LIMIT_MANY = 5;
export const MANY_FINDINGS = 200;
/** Evidence tables start open for the first findings only; print opens them all. */
const OPEN_EVIDENCE_FINDINGS = 50;
const TOP_SUBJECTS = 10;
/** User agents listed in a finding's facts; its subject's section lists them with counts. */
const FACT_USER_AGENTS = 5;
/** Longer log values (paths, user agents) are cut in the page; the JSON report has them whole. */
const CLIP_CHARS = 300;

// C0/C1 controls (but tab and newlines), zero-width characters and bidi embeddings, overrides and
// isolates: they could hide or reorder text (e.g. make "gpj.exe" read "exe.jpg").
const INVISIBLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF]/g;

export function showInvisible(text: string): string {
  return text.replace(INVISIBLE, (c) => `⟨U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}⟩`);
}

function mapStrings<T>(value: T): T {
  if (typeof value === 'string') return showInvisible(value) as T;
  if (Array.isArray(value)) return value.map(mapStrings) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v)])) as T;
  }
  return value;
}

const shortHash = (hex: string) => `${hex.slice(0, 12)}…`;
const anchorFor = (prefix: string, ...parts: string[]) =>
  `${prefix}-${createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 16)}`;

export function formatDuration(fromIso: string, toIso: string): string {
  const seconds = Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  return `${Math.round(hours / 24)} days`;
}

function createEngine(): typeof Handlebars {
  const hb = Handlebars.create();
  // Helper names must not be field names: strict mode resolves a helper before a field.
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('gt', (a: number, b: number) => a > b);
  hb.registerHelper('fmtTime', (value: string | null) => (value ? value.replace('T', ' ').replace(/\.000Z$|Z$/, 'Z') : '–'));
  hb.registerHelper('fmtNum', (n: number) => n.toLocaleString('en-US'));
  hb.registerHelper('joinList', (list: unknown[], separator: unknown) =>
    Array.isArray(list) ? list.join(typeof separator === 'string' ? separator : ', ') : '',
  );
  hb.registerHelper('orDash', (value: unknown) => (value === null || value === undefined || value === '' ? '–' : value));
  hb.registerHelper('clip', (value: unknown) => {
    if (typeof value !== 'string') return value === null || value === undefined ? '–' : value;
    return value.length > CLIP_CHARS ? `${value.slice(0, CLIP_CHARS)}… (${value.length.toLocaleString('en-US')} characters)` : value;
  });
  hb.registerHelper('plural', (n: number, one: string, many: string) => (n === 1 ? one : many));
  return hb;
}

interface Assets {
  page: string;
  finding: string;
  subject: string;
  styles: string;
  script: string;
}

async function loadAssets(): Promise<Assets> {
  const read = (name: string) => readFile(`${TEMPLATES_DIR}${name}`, 'utf8');
  const [page, finding, subject, styles, script] = await Promise.all(
    ['report.hbs', 'finding.hbs', 'subject.hbs', 'report.css', 'report.js'].map(read),
  );
  return { page: page!, finding: finding!, subject: subject!, styles: styles!, script: script! };
}

/** The CSP source for an inline element whose content is exactly `text`. */
export function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

function subjectLabel(kind: string, key: string): string {
  return kind === 'credential' ? `credential ${shortHash(key)}` : kind === 'principal' ? `principal ${key}` : `client ${key}`;
}

/** What the finding is keyed on (as in `activity.subjects[].subject`) and how to call it. */
function subjectOf(f: FindingV1): { key: string; label: string } {
  const s = f.subject;
  const key = (s.kind === 'credential' ? s.credential_fingerprint : s.kind === 'principal' ? s.principal : s.client_ip) ?? '';
  return { key, label: subjectLabel(s.kind, key) };
}

const worstSeverity = (findings: FindingV1[]) =>
  SEVERITY_ORDER.find((s) => findings.some((f) => f.severity === s)) ?? 'info';

const FINDING_GROUPS = [
  { status: 'new', title: 'New' },
  { status: 'ongoing', title: 'Ongoing' },
] as const;

/** Everything the templates show, derived from the report alone (renderers never query the store). */
export function htmlView(report: ReportV1, hashes: { style: string; script: string }) {
  const findings = report.findings;
  const many = findings.length > MANY_FINDINGS;
  const evidenceLimit = many ? HTML_EVIDENCE_LIMIT_MANY : HTML_EVIDENCE_LIMIT;
  const activity = report.activity ?? null;
  const chartedSubjects = new Map((activity?.subjects ?? []).map((s) => [`${s.kind}\n${s.subject}`, s]));
  const subjectAnchor = (kind: string, key: string) =>
    chartedSubjects.has(`${kind}\n${key}`) ? anchorFor('subject', kind, key) : null;

  const findingViews = findings.map((f, index) => {
    const { key, label } = subjectOf(f);
    const evidence = f.evidence.slice(0, evidenceLimit);
    return {
      ...f,
      anchor: `finding-${f.id}`,
      subjectLabel: label,
      subjectKey: key,
      fingerprintShort: f.subject.credential_fingerprint ? shortHash(f.subject.credential_fingerprint) : null,
      subjectAnchor: subjectAnchor(f.subject.kind, key),
      duration: formatDuration(f.first_seen, f.last_seen),
      userAgents: f.subject.user_agents.slice(0, FACT_USER_AGENTS),
      moreUserAgents: Math.max(0, f.subject.user_agents.length - FACT_USER_AGENTS),
      evidenceRows: evidence,
      evidenceCut: f.event_count > evidence.length,
      evidenceOpen: index < OPEN_EVIDENCE_FINDINGS,
    };
  });

  // Top subjects: every subject with findings, ranked by its worst severity, then by findings.
  const groups = new Map<string, { kind: string; key: string; label: string; findings: FindingV1[] }>();
  for (const f of findings) {
    const { key, label } = subjectOf(f);
    const id = `${f.subject.kind}\n${key}`;
    const group = groups.get(id) ?? { kind: f.subject.kind, key, label, findings: [] };
    group.findings.push(f);
    groups.set(id, group);
  }
  const rank = (s: string) => SEVERITY_ORDER.indexOf(s as (typeof SEVERITY_ORDER)[number]);
  const subjects = [...groups.values()]
    .map((g) => ({
      label: g.label,
      kind: g.kind,
      principal: g.findings.find((f) => f.subject.principal)?.subject.principal ?? null,
      clientIps: [...new Set(g.findings.flatMap((f) => f.subject.client_ips))],
      findingCount: g.findings.length,
      events: g.findings.reduce((n, f) => n + f.event_count, 0),
      worst: worstSeverity(g.findings),
      rules: [...new Set(g.findings.map((f) => f.rule_id))],
      href: `#${subjectAnchor(g.kind, g.key) ?? `finding-${g.findings[0]!.id}`}`,
    }))
    .sort((a, b) => rank(a.worst) - rank(b.worst) || b.findingCount - a.findingCount || b.events - a.events);

  const byId = new Map(findings.map((f) => [f.id, f]));
  const subjectViews = (activity?.subjects ?? []).map((s: SubjectActivityV1) => {
    const own = s.finding_ids.map((id) => byId.get(id)).filter((f): f is FindingV1 => f !== undefined);
    return {
      ...s,
      anchor: anchorFor('subject', s.kind, s.subject),
      label: subjectLabel(s.kind, s.subject),
      fingerprint: s.kind === 'credential' ? s.subject : null,
      fingerprintShort: s.kind === 'credential' ? shortHash(s.subject) : null,
      findingIdList: s.finding_ids.join(' '),
      findings: own.map((f) => ({ id: f.id, severity: f.severity, title: f.title, first_seen: f.first_seen })),
      worst: worstSeverity(own),
      chart: timelineChart(activity!, s, own),
      moreIps: s.distinct_client_ips - s.client_ips.length,
      moreAgents: s.distinct_user_agents - s.user_agents.length,
    };
  });

  // Cron runs over --db: findings by lifecycle status, the resolved ones listed apart. A one-shot
  // scan has only new findings and shows no status headings.
  const statusGroups = FINDING_GROUPS.map((g) => ({ ...g, findings: findingViews.filter((f) => (f.status ?? 'new') === g.status) }))
    .filter((g) => g.findings.length > 0);
  const resolved = (report.resolved ?? []).map((f) => ({ ...f, subjectLabel: subjectOf(f).label }));
  const suppressed = report.suppressed && (report.suppressed.ignored.length > 0 || report.suppressed.baseline) ? report.suppressed : null;

  const ruleTitles = new Map(report.rules.map((r) => [r.id, r]));
  const rules = report.rules
    .map((r) => ({ ...r, n: report.summary.by_rule[r.id] ?? 0 }))
    .sort((a, b) => b.n - a.n || rank(a.severity) - rank(b.severity) || a.id.localeCompare(b.id));
  const firedRules = Object.entries(report.summary.by_rule)
    .filter(([, n]) => n > 0)
    .map(([id, n]) => ({ id, n, title: ruleTitles.get(id)?.title ?? id }));

  const ingested = report.inputs.filter((i) => i.status === 'ingested');
  const notes = new Map<string, number>();
  for (const input of ingested) for (const note of input.coverage?.notes ?? []) notes.set(note, (notes.get(note) ?? 0) + 1);
  const s = report.summary;
  const severities = SEVERITY_ORDER.map((name) => ({ name, n: s.by_severity[name] ?? 0 }));
  return {
    report,
    csp: hashes,
    severities,
    presentSeverities: severities.filter((x) => x.n > 0),
    worst: worstSeverity(findings),
    rules,
    firedRules,
    findings: findingViews,
    hasFindings: findings.length > 0,
    statusGroups,
    showStatus: resolved.length > 0 || statusGroups.some((g) => g.status !== 'new'),
    resolved,
    suppressed,
    evidenceLimit,
    manyFindings: many,
    topSubjects: subjects.slice(0, TOP_SUBJECTS),
    subjectCount: subjects.length,
    moreSubjects: Math.max(0, subjects.length - TOP_SUBJECTS),
    subjects: subjectViews,
    unchartedSubjects: activity ? activity.subjects_with_findings - activity.subjects.length : 0,
    activity,
    allowlist: report.allowlist ?? [],
    scan: {
      window: s.first_ts && s.last_ts ? formatDuration(s.first_ts, s.last_ts) : null,
      logTypes: [...new Set(ingested.map((i) => i.log_type).filter((t): t is string => t !== null))],
      lines: report.inputs.reduce((n, i) => n + i.lines, 0),
      otherInputs: report.inputs.length - ingested.length,
      coverageNotes: [...notes].map(([note, files]) => ({ note, files, of: ingested.length })),
      generated: report.generated_at.replace('T', ' ').replace(/\.\d+Z$|Z$/, 'Z'),
    },
  };
}

export async function renderHtml(report: ReportV1): Promise<string> {
  const hb = createEngine();
  const assets = await loadAssets();
  // Inline, never as a standalone line: Handlebars would indent a standalone partial's lines, and
  // the hashes must match the bytes between the tags.
  hb.registerPartial('styles', assets.styles);
  hb.registerPartial('script', assets.script);
  hb.registerPartial('finding', hb.compile(assets.finding, { strict: true }));
  hb.registerPartial('subject', hb.compile(assets.subject, { strict: true }));
  const template = hb.compile(assets.page, { strict: true });
  return template(htmlView(mapStrings(report), { style: cspHash(assets.styles), script: cspHash(assets.script) }));
}
