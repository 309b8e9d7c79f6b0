// The HTML report in a real browser (Debian's Chromium): the samples' report shows the summary and
// every finding, charts each subject, loads nothing from outside, and its filters work.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEMPLATES_DIR, type ReportV1 } from '../src/report/index.js';
import { BUILTIN_RULES_DIR, loadRuleFiles } from '../src/rules/index.js';
import { launchBrowser, openReport, TEST_OUTPUT, type Browser } from './support/browser.js';
import { runCli } from './support/cli.js';

const SAMPLES = ['scan', 'samples/', '--config', 'samples/apiaudit.yml'];
const htmlFile = path.join(TEST_OUTPUT, 'samples-report.html');

let browser: Browser;
let report: ReportV1;
let html: string;

beforeAll(async () => {
  const [json, rendered] = await Promise.all([runCli([...SAMPLES, '-q']), runCli([...SAMPLES, '-f', 'html', '-o', htmlFile, '-q'])]);
  expect(rendered.code).toBe(0);
  report = JSON.parse(json.stdout);
  html = readFileSync(htmlFile, 'utf8');
  browser = await launchBrowser();
});
afterAll(async () => browser?.close());

describe('the samples report in Chromium', () => {
  it('shows the summary numbers of the JSON report', async () => {
    const { page, problems } = await openReport(browser, htmlFile);
    const text = async (selector: string) => (await page.locator(selector).innerText()).trim();
    expect(await text('#total-findings')).toBe(String(report.summary.findings));
    expect(await text('#total-events')).toBe(String(report.summary.events));
    expect(await text('#total-rejected')).toBe(String(report.summary.rejected));
    expect(await text('#total-files')).toBe(String(report.summary.files));
    expect(report.summary).toMatchObject({ findings: 16, events: 896, rejected: 0, files: 1 });
    for (const [severity, n] of Object.entries(report.summary.by_severity)) {
      expect(await text(`[data-severity-count="${severity}"]`)).toBe(`${n} ${severity}`);
    }
    expect(await text('#verdict')).toBe('16 findings on 14 subjects: 8 high, 8 medium.');
    expect(await text('#scanline')).toContain('Scanned 1 file (nginx), 896 lines, 896 events from 2026-11-30 00:00:00Z to 2026-11-30 23:00:00Z (23 h)');
    const byRule = await page.locator('#by-rule tbody tr').evaluateAll((rows) =>
      rows.map((r) => [r.getAttribute('data-rule'), r.querySelector('td.num')?.textContent]),
    );
    expect(Object.fromEntries(byRule)).toEqual(Object.fromEntries(Object.entries(report.summary.by_rule).map(([id, n]) => [id, String(n)])));
    expect(await page.locator('#top-subjects tbody tr').count()).toBe(10); // the top 10 of 14
    await page.screenshot({ path: path.join(TEST_OUTPUT, 'samples-report.png'), fullPage: true });
    expect(problems).toEqual({ dialogs: [], consoleErrors: [], pageErrors: [], requests: [] });
  });

  it('shows every finding as a visible section, most severe first, then by time', async () => {
    const { page } = await openReport(browser, htmlFile);
    const sections = page.locator('section.finding');
    expect(await sections.count()).toBe(report.findings.length);
    for (const [i, finding] of report.findings.entries()) {
      const section = sections.nth(i);
      await expect.poll(() => section.isVisible()).toBe(true);
      expect(await section.getAttribute('id')).toBe(`finding-${finding.id}`);
      const text = await section.innerText();
      for (const part of [finding.title, finding.message, finding.remediation, finding.rule_id, ...finding.tags.owasp, ...finding.tags.attack]) {
        expect(text).toContain(part);
      }
      const s = finding.subject;
      expect(text).toContain(s.kind === 'credential' ? s.credential_fingerprint!.slice(0, 12) : s.kind === 'principal' ? s.principal! : s.client_ip!);
      expect(await section.locator('table.evidence tbody tr').count()).toBe(Math.min(finding.event_count, 20));
    }
    const rank = ['critical', 'high', 'medium', 'low', 'info'];
    const shown = await sections.evaluateAll((els) => els.map((e) => [e.getAttribute('data-severity'), e.querySelector('dd .nowrap')?.textContent]));
    const sorted = [...shown].sort((a, b) => rank.indexOf(a[0]!) - rank.indexOf(b[0]!) || a[1]!.localeCompare(b[1]!));
    expect(shown).toEqual(sorted);
  });

  it('keeps raw credentials out and offers the full fingerprint to copy', async () => {
    const { page } = await openReport(browser, htmlFile);
    const finding = report.findings[0]!;
    const section = page.locator(`#finding-${finding.id}`);
    const button = section.locator('button[data-copy]');
    await expect.poll(() => button.isVisible()).toBe(true);
    expect(await button.getAttribute('data-copy')).toBe(finding.subject.credential_fingerprint);
    await section.locator('.fp-full summary').click();
    expect(await section.locator('.fp-full code').innerText()).toBe(finding.subject.credential_fingerprint);
    expect(html).not.toMatch(/eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/);
  });

  it('charts each subject with findings as inline SVG on the scan window', async () => {
    const { page } = await openReport(browser, htmlFile);
    const subjects = page.locator('section.subject');
    expect(await subjects.count()).toBe(report.activity!.subjects.length);
    for (const [i, subject] of report.activity!.subjects.entries()) {
      const section = subjects.nth(i);
      await expect.poll(() => section.locator('svg.timeline').isVisible()).toBe(true);
      // one bar segment per non-empty (bucket, status class)
      const segments = subject.timeline.reduce((n, b) => n + ['2xx', '3xx', '401', '403', 'other_4xx', '5xx', 'other'].filter((c) => b[c as '2xx'] > 0).length, 0);
      expect(await section.locator('svg.timeline rect[class^="c-"]').count()).toBe(segments);
      expect(await section.locator('svg.timeline text').allTextContents()).toEqual(expect.arrayContaining(['00:00', '12:00']));
      const text = await section.innerText();
      for (const ip of subject.client_ips) expect(text).toContain(ip.value);
      for (const ua of subject.user_agents) expect(text).toContain(ua.value);
    }
    const bob = page.locator('section.subject', { hasText: 'bob@shop.example' });
    expect(await bob.locator('.legend').innerText()).toMatch(/2xx: 12\s+401: 6/);
  });

  it('allows only its own style and script by hash, and loads nothing from outside', async () => {
    const { page } = await openReport(browser, htmlFile);
    const { csp, style, script } = await page.evaluate(() => ({
      csp: document.querySelector('meta[http-equiv="Content-Security-Policy"]')!.getAttribute('content'),
      style: document.querySelector('style')!.textContent!,
      script: document.querySelector('script')!.textContent!,
    }));
    const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
    expect(csp).toBe(`default-src 'none'; style-src ${hash(style)}; script-src ${hash(script)}; img-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'`);
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html.match(/<style/g)).toHaveLength(1);
    expect(html).not.toMatch(/\ssrc=|\sstyle=|<link|@import|url\(/);
  });
});

describe('filters', () => {
  const visibleIds = (page: import('playwright-core').Page, selector: string) =>
    page.locator(selector).evaluateAll((els) => els.filter((e) => !(e as HTMLElement).hidden).map((e) => e.id));

  it('by severity and by rule hide findings and the subjects left without one', async () => {
    const { page, problems } = await openReport(browser, htmlFile);
    const ids = (pred: (f: ReportV1['findings'][number]) => boolean) => report.findings.filter(pred).map((f) => `finding-${f.id}`);
    await expect.poll(() => page.locator('#filters').isVisible()).toBe(true);

    // the subjects (as the activity keys them) that have a finding matching pred
    const subjectsWith = (pred: (f: ReportV1['findings'][number]) => boolean) =>
      report.activity!.subjects.filter((s) => s.finding_ids.some((id) => pred(report.findings.find((f) => f.id === id)!))).length;
    await page.locator('#filter-severity input[value="high"]').uncheck();
    expect(await visibleIds(page, 'section.finding')).toEqual(ids((f) => f.severity !== 'high'));
    expect(await page.locator('#shown-count').innerText()).toBe('8');
    expect(await page.locator('section.subject:visible').count()).toBe(subjectsWith((f) => f.severity !== 'high'));

    await page.locator('#filter-rule input[value="repeated-401"]').uncheck();
    expect(await visibleIds(page, 'section.finding')).toEqual(ids((f) => f.severity !== 'high' && f.rule_id !== 'repeated-401'));
    expect(await page.locator('#shown-count').innerText()).toBe('7');

    await page.locator('#filter-severity input[value="medium"]').uncheck();
    expect(await visibleIds(page, 'section.finding')).toEqual([]);
    expect(await page.locator('#no-match').isVisible()).toBe(true);

    await page.locator('#filters-reset').click();
    expect(await visibleIds(page, 'section.finding')).toEqual(ids(() => true));
    expect(await page.locator('section.subject:visible').count()).toBe(14);
    await page.locator('#filter-rule input[value="plain-http"]').uncheck();
    await page.screenshot({ path: path.join(TEST_OUTPUT, 'samples-report-filtered.png') });
    expect(problems).toEqual({ dialogs: [], consoleErrors: [], pageErrors: [], requests: [] });
  });

  it('without JavaScript, every finding shows and the filter bar stays hidden', async () => {
    const noScript = await launchBrowser({ javaScriptEnabled: false });
    try {
      const { page } = await openReport(noScript, htmlFile);
      expect(await page.locator('section.finding:visible').count()).toBe(report.findings.length);
      expect(await page.locator('#filters').isVisible()).toBe(false);
      expect(await page.locator('button[data-copy]:visible').count()).toBe(0);
    } finally {
      await noScript.close();
    }
  });
});

describe('print and dark mode', () => {
  it('printing drops the filters and buttons and opens every evidence table', async () => {
    const { page } = await openReport(browser, htmlFile);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('#filters').isVisible()).toBe(false);
    expect(await page.locator('button:visible').count()).toBe(0);
    await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
    expect(await page.locator('details:not([open])').count()).toBe(0);
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('follows prefers-color-scheme', async () => {
    const dark = await launchBrowser({ colorScheme: 'dark' });
    try {
      const { page } = await openReport(dark, htmlFile);
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      expect(background).toBe('rgb(13, 17, 23)');
      await page.screenshot({ path: path.join(TEST_OUTPUT, 'samples-report-dark.png') });
    } finally {
      await dark.close();
    }
    const { page } = await openReport(browser, htmlFile);
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(255, 255, 255)');
  });
});

describe('an empty result and a large one', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'apiaudit-html-'));
  const PATTERN = '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $scheme $host $request_time "$http_authorization"';
  const stamp = (second: number) => {
    const d = new Date(Date.parse('2026-11-30T00:00:00Z') + second * 1000).toISOString();
    return `${d.slice(8, 10)}/Nov/2026:${d.slice(11, 19)} +0000`;
  };
  const line = (second: number, ip: string, target: string, status: number, scheme: string, auth: string) =>
    `${ip} - - [${stamp(second)}] "GET ${target} HTTP/1.1" ${status} 12 "-" "app/1.0" ${scheme} api.example 0.010 "${auth}"`;

  it('says "no findings" and what was scanned', async () => {
    const log = path.join(dir, 'quiet.access.log');
    writeFileSync(log, `${Array.from({ length: 30 }, (_, i) => line(i * 60, '198.51.100.7', '/api/Products', 200, 'https', 'Bearer quiet-token-1234567')).join('\n')}\n`);
    const out = path.join(TEST_OUTPUT, 'empty-report.html');
    expect((await runCli(['scan', log, '--log-type', 'nginx', '--log-pattern', PATTERN, '-f', 'html', '-o', out, '-q'])).code).toBe(0);
    const { page, problems } = await openReport(browser, out);
    const ruleIds = (await loadRuleFiles([BUILTIN_RULES_DIR])).map((r) => r.metadata.id);
    expect(await page.locator('#verdict').innerText()).toBe(`No findings. None of the ${ruleIds.length} rules fired on 30 events from 1 file.`);
    expect(await page.locator('#no-findings').innerText()).toBe(
      `No findings: none of the ${ruleIds.length} rules (${ruleIds.join(', ')}) fired on 30 events from 1 file between 2026-11-30 00:00:00Z and 2026-11-30 00:29:00Z.`,
    );
    expect(await page.locator('#total-findings').innerText()).toBe('0');
    expect(await page.locator('#inputs-table tbody tr').count()).toBe(1);
    expect(await page.locator('#inputs-table').innerText()).toContain('quiet.access.log');
    expect(await page.locator('section.finding, section.subject, #filters').count()).toBe(0);
    await page.screenshot({ path: path.join(TEST_OUTPUT, 'empty-report.png'), fullPage: true });
    expect(problems).toEqual({ dialogs: [], consoleErrors: [], pageErrors: [], requests: [] });
  });

  it('renders 1,502 findings with evidence capped per finding and the totals shown', async () => {
    const log = path.join(dir, 'busy.access.log');
    const lines = [
      // 1,500 tokens sent once each over plain http: 1,500 plain-http findings
      ...Array.from({ length: 1500 }, (_, i) => line(i * 40, `10.0.${i >> 8}.${i & 255}`, '/api/Customers/me', 200, 'http', `Bearer token-${i}-abcdefgh`)),
      // one forged token retried 600 times in half an hour: one repeated-401 finding with 600 events,
      // and a rate-anomaly finding (600 requests in one hour, a subject with no other traffic)
      ...Array.from({ length: 600 }, (_, i) => line(3600 + i * 3, '192.0.2.9', '/api/Orders', 401, 'https', 'Bearer forged-token-xyz')),
    ];
    writeFileSync(log, `${lines.join('\n')}\n`);
    const out = path.join(TEST_OUTPUT, 'large-report.html');
    expect((await runCli(['scan', log, '--log-type', 'nginx', '--log-pattern', PATTERN, '-f', 'html', '-o', out, '-q'])).code).toBe(0);
    const { page, problems } = await openReport(browser, out);
    expect(await page.locator('#total-findings').innerText()).toBe('1,502');
    expect(await page.locator('section.finding').count()).toBe(1502);
    expect(await page.locator('#evidence-note').innerText()).toBe('1,502 findings: each shows its first 5 evidence events; the JSON report holds the first 20 of each.');
    const forged = page.locator('section.finding[data-rule="repeated-401"]');
    expect(await forged.locator('details.evidence summary').innerText()).toBe('Evidence: first 5 of 600 events');
    expect(await forged.locator('table.evidence tbody tr').count()).toBe(5);
    expect(await page.locator('section.subject').count()).toBe(100);
    expect(await page.locator('#uncharted').innerText()).toBe('1,401 more subjects with findings are not charted (the 100 most severe are).');
    await page.locator('#filter-rule input[value="plain-http"]').uncheck();
    expect(await page.locator('#shown-count').innerText()).toBe('2');
    expect(await page.locator('section.finding:visible').count()).toBe(2);
    expect(problems).toEqual({ dialogs: [], consoleErrors: [], pageErrors: [], requests: [] });
    expect(statSync(out).size).toBeLessThan(8_000_000);
  });
});

describe('templates', () => {
  it('never output a value unescaped: no {{{…}}} and no {{&…}} in any template', () => {
    const templates = readdirSync(TEMPLATES_DIR).filter((name) => name.endsWith('.hbs'));
    expect(templates.sort()).toEqual(['finding.hbs', 'report.hbs', 'subject.hbs']);
    for (const name of templates) {
      const text = readFileSync(path.join(TEMPLATES_DIR, name), 'utf8');
      expect(text, name).not.toMatch(/\{\{\{|\{\{~?\s*&/);
    }
  });
});
