// The HTML report: one self-contained file rendered with Handlebars in strict mode. Every value
// from a log is attacker-controlled, so templates only ever use {{…}} (escaped), never {{{…}}},
// and a Content-Security-Policy forbids every external load and any script or style but ours.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type { ReportV1 } from './report-schema.js';

export const TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));

function createEngine(): typeof Handlebars {
  const hb = Handlebars.create();
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('gt', (a: number, b: number) => a > b);
  hb.registerHelper('shortHash', (value: string | null) => (value ? `${value.slice(0, 12)}…` : ''));
  hb.registerHelper('time', (value: string | null) => (value ? value.replace('T', ' ').replace(/\.000Z$|Z$/, 'Z') : '–'));
  hb.registerHelper('join', (list: unknown[], separator: unknown) =>
    Array.isArray(list) ? list.join(typeof separator === 'string' ? separator : ', ') : '',
  );
  hb.registerHelper('count', (n: number) => n.toLocaleString('en-US'));
  hb.registerHelper('orDash', (value: unknown) => (value === null || value === undefined || value === '' ? '–' : value));
  return hb;
}

/** Findings are shown by lifecycle status: what needs a look first. */
const STATUS_GROUPS = [
  { status: 'new', title: 'New' },
  { status: 'ongoing', title: 'Ongoing' },
  { status: 'resolved', title: 'Resolved since the last run' },
] as const;

export async function renderHtml(report: ReportV1): Promise<string> {
  const hb = createEngine();
  const [page, finding] = await Promise.all([
    readFile(`${TEMPLATES_DIR}report.hbs`, 'utf8'),
    readFile(`${TEMPLATES_DIR}finding.hbs`, 'utf8'),
  ]);
  hb.registerPartial('finding', hb.compile(finding, { strict: true }));
  const template = hb.compile(page, { strict: true });
  const severities = (['critical', 'high', 'medium', 'low', 'info'] as const).map((s) => ({
    name: s,
    count: report.summary.by_severity[s] ?? 0,
  }));
  const findingGroups = STATUS_GROUPS.map(({ status, title }) => ({
    status,
    title,
    findings: [...report.findings, ...(report.resolved ?? [])].filter((f) => (f.status ?? 'new') === status),
  })).filter((group) => group.findings.length > 0);
  const suppressed = report.suppressed;
  return template({
    report,
    severities,
    rulesRun: Object.entries(report.summary.by_rule).map(([id, count]) => ({ id, count })),
    nonce: randomBytes(16).toString('base64'),
    hasFindings: findingGroups.length > 0,
    findingGroups,
    suppressed: suppressed && (suppressed.ignored.length > 0 || suppressed.baseline) ? suppressed : false,
  });
}
