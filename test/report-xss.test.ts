// Every string in the report comes from an attacker-controlled log. A log carrying an XSS corpus
// in user agents, paths, query strings and user names is scanned; in Chromium the report must run
// none of it (no dialog, no console error, no injected element) and show all of it as text.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { showInvisible } from '../src/report/html.js';
import type { ReportV1 } from '../src/report/index.js';
import { launchBrowser, openReport, TEST_OUTPUT, type Browser } from './support/browser.js';
import { runCli } from './support/cli.js';

// As nginx writes them: a double quote inside a quoted field is \x22, non-ASCII bytes are \xHH.
const nginxEscape = (text: string) =>
  [...Buffer.from(text, 'utf8')].map((b) => (b === 0x22 || b > 0x7e ? `\\x${b.toString(16).toUpperCase()}` : String.fromCharCode(b))).join('');

const RLO = '\u202E'; // right-to-left override
const LRI = '\u2066'; // left-to-right isolate
const PDI = '\u2069'; // pop directional isolate

// Request targets cannot hold spaces; user names cannot hold spaces or '['.
const PATHS = [
  `/<script>alert('xss-path-script')</script>`,
  `/<svg/onload=alert('xss-path-svg')>`,
  `/"><img/src=x/onerror=alert('xss-path-img')>`,
  `/javascript:alert('xss-path-js')`,
  `/</style><script>alert('xss-path-style')</script>`,
  `/'><iframe/src=javascript:alert('xss-path-iframe')>`,
  `/{{constructor.constructor('alert(1)')()}}`,
  `/invoice-${RLO}fdp.exe`,
];
const QUERIES = [
  `q=<script>alert('xss-query-script')</script>`,
  `name="><svg/onload=alert('xss-query-svg')>&next=javascript:alert('xss-query-js')`,
];
const USER_AGENTS = [
  `<script>alert('xss-ua-script')</script>`,
  `<img src=x onerror=alert('xss-ua-img')>`,
  `"><svg onload=alert('xss-ua-svg')>`,
  `'><svg><script>alert('xss-ua-svgscript')</script></svg>`,
  `javascript:alert('xss-ua-js')`,
  `</style><script>alert('xss-ua-style')</script><style>`,
  `</script><script>alert('xss-ua-close')</script>`,
  `<a href="javascript:alert('xss-ua-href')">click</a>`,
  `" onmouseover="alert('xss-ua-attr')" x="`,
  `</title><script>alert('xss-ua-title')</script>`,
  `<math><mtext><table><mglyph><style><img src=x onerror=alert('xss-ua-math')>`,
  `Mozilla/5.0 ${RLO}gnp.exe ${LRI}isolated${PDI}`,
];
const USERS = [
  `<script>alert('xss-user-script')</script>`,
  `"><img/src=x/onerror=alert('xss-user-img')>`,
  `<svg/onload=alert('xss-user-svg')>`,
  `admin${RLO}nimda`,
];

const time = (minute: number) => `05/Jan/2026:10:${String(minute).padStart(2, '0')}:00 +0000`;
const line = (minute: number, ip: string, user: string, target: string, status: number, ua: string) =>
  `${ip} - ${nginxEscape(user)} [${time(minute)}] "GET ${nginxEscape(target)} HTTP/1.1" ${status} 12 "-" "${nginxEscape(ua)}"`;

const PROBER = '203.0.113.66';
const targets = [...PATHS, `/api/search?${QUERIES[0]}`, `/api/items?${QUERIES[1]}`, '/api/Orders/1', '/api/Orders/2'];
const lines = [
  // forbidden-probing keyed on the client IP: 403 on 12 distinct paths, each with a hostile user agent
  ...targets.map((target, i) => line(i, PROBER, '-', target, 403, USER_AGENTS[i % USER_AGENTS.length]!)),
  // repeated-401 keyed on each hostile user name
  ...USERS.flatMap((user, u) => Array.from({ length: 11 }, (_, i) => line(20 + i, `198.51.100.${10 + u}`, user, '/api/Orders', 401, 'curl/8.5'))),
];

const dir = mkdtempSync(path.join(tmpdir(), 'apiaudit-xss-'));
const logFile = path.join(dir, 'hostile.access.log');
const htmlFile = path.join(TEST_OUTPUT, 'xss-report.html');
let browser: Browser;
let report: ReportV1;
let html: string;

beforeAll(async () => {
  writeFileSync(logFile, `${lines.join('\n')}\n`);
  const run = await runCli(['scan', logFile, '-f', 'html', '-f', 'json', '-o', dir, '-q']);
  expect(run.stderr).toBe('');
  report = JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8'));
  html = readFileSync(path.join(dir, 'report.html'), 'utf8');
  writeFileSync(htmlFile, html);
  browser = await launchBrowser();
});
afterAll(async () => browser?.close());

describe('an XSS corpus in user agents, paths, query strings and user names', () => {
  it('reaches the report: the log was read as intended and the rules fired on it', () => {
    expect(report.summary).toMatchObject({ events: lines.length, rejected: 0 });
    expect(report.findings.map((f) => [f.rule_id, f.subject.kind]).sort()).toEqual([
      ['forbidden-probing', 'client_ip'],
      ...USERS.map(() => ['repeated-401', 'principal']),
    ]);
    expect(report.findings.map((f) => f.subject.principal).filter(Boolean).sort()).toEqual([...USERS].sort());
    const probe = report.findings.find((f) => f.rule_id === 'forbidden-probing')!;
    expect(probe.evidence.map((e) => e.path)).toEqual(expect.arrayContaining(PATHS));
    expect(probe.evidence.map((e) => e.query)).toEqual(expect.arrayContaining(QUERIES));
    expect(probe.subject.user_agents.sort()).toEqual([...USER_AGENTS].sort());
  });

  it('executes none of it: no dialog, no console error, no request, no injected element', async () => {
    const { page, problems } = await openReport(browser, htmlFile);
    // hover and click everything a payload could have hooked into
    await page.locator('main').hover();
    for (const cell of (await page.locator('table.evidence td.path, table.evidence td.ua').all()).slice(0, 24)) await cell.hover({ timeout: 2000 });
    await page.locator('.fp-full summary, details.evidence summary').first().click();
    await page.screenshot({ path: path.join(TEST_OUTPUT, 'xss-report.png'), fullPage: true });
    expect(problems).toEqual({ dialogs: [], consoleErrors: [], pageErrors: [], requests: [] });
    const dom = await page.evaluate(() => ({
      scripts: document.scripts.length,
      styles: document.querySelectorAll('style').length,
      injected: document.querySelectorAll('img, iframe, math, object, embed, form, input:not([type="checkbox"]), a[href^="javascript" i]').length,
      svgs: [...document.querySelectorAll('svg')].filter((s) => !s.classList.contains('timeline')).length,
      handlers: [...document.querySelectorAll('*')].flatMap((e) => e.getAttributeNames().filter((n) => n.startsWith('on'))),
      title: document.title,
    }));
    expect(dom).toEqual({ scripts: 1, styles: 1, injected: 0, svgs: 0, handlers: [], title: 'apiaudit report: 5 findings' });
  });

  it('shows all of it as text, with direction overrides made visible', async () => {
    const { page } = await openReport(browser, htmlFile);
    const text = await page.locator('main').innerText();
    for (const payload of [...PATHS, ...QUERIES, ...USER_AGENTS, ...USERS]) {
      expect(text, payload).toContain(showInvisible(payload));
    }
    expect(showInvisible(USERS[3]!)).toBe('admin⟨U+202E⟩nimda');
    expect(showInvisible(USER_AGENTS[11]!)).toBe('Mozilla/5.0 ⟨U+202E⟩gnp.exe ⟨U+2066⟩isolated⟨U+2069⟩');
    expect(html).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
    expect(html).not.toMatch(/<script>alert|<img|<svg\/onload|<svg onload|<iframe|<math|javascript:alert\('xss-ua-href'\)">/);
  });

  it('every subject of the corpus gets a timeline', async () => {
    const { page } = await openReport(browser, htmlFile);
    expect(await page.locator('section.subject svg.timeline').count()).toBe(USERS.length + 1);
    const prober = page.locator('section.subject', { hasText: PROBER });
    expect(await prober.locator('.legend').innerText()).toBe('403: 12');
  });
});
