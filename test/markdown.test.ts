// `-f markdown`: a short summary for $GITHUB_STEP_SUMMARY and pull-request comments. Rendered here
// with a GitHub-Flavored-Markdown parser: whatever a log holds shows as text, never as a link,
// an image, HTML, emphasis or an extra table cell.
import { describe, expect, it } from 'vitest';
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { runScan } from '../src/cli/scan.js';
import { renderMarkdown, type ReportV1 } from '../src/report/index.js';
import { REPO, runMain } from './support/cli.js';

const toHtml = (markdown: string) => micromark(markdown, { extensions: [gfm()], htmlExtensions: [gfmHtml()] });
const decode = (html: string) => html.replace(/<[^>]*>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
const rows = (html: string) => [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => [...m[1]!.matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((c) => c[1]!));

describe('-f markdown', () => {
  it('counts by severity and a table of the findings', async () => {
    const r = await runMain(['scan', 'test/fixtures/story/', '--config', 'test/fixtures/story/apiaudit.yml', '-f', 'markdown', '-q']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('## apiaudit: 4 finding(s) (2 high, 2 medium)');
    const table = rows(toHtml(r.stdout));
    expect(table[0]).toEqual(['critical', 'high', 'medium', 'low', 'info']);
    expect(table[1]).toEqual(['0', '2', '2', '0', '0']);
    expect(table[2]).toEqual(['severity', 'rule', 'finding', 'subject', 'events', 'first seen (UTC)', 'first evidence']);
    expect(table.slice(3).map((cells) => [cells[0], decode(cells[1]!), decode(cells[6]!)])).toEqual([
      ['<strong>high</strong>', 'plain-http', 'test/fixtures/story/nginx-api.access.log:72'],
      ['<strong>high</strong>', 'forbidden-probing', 'test/fixtures/story/nginx-api.access.log:97'],
      ['<strong>medium</strong>', 'expired-token-reuse', 'test/fixtures/story/nginx-api.access.log:62'],
      ['<strong>medium</strong>', 'repeated-401', 'test/fixtures/story/nginx-api.access.log:83'],
    ]);
  });

  it('shows every log value as text: no link, image, HTML, emphasis, code break-out or extra cell', async () => {
    const { report } = await runScan({ paths: [`${REPO}test/fixtures/story/`], config: `${REPO}test/fixtures/story/apiaudit.yml`, failOn: 'never', version: 'test', cwd: REPO });
    const hostile = [
      '[click](https://evil.example/x)',
      '![img](https://evil.example/i.png)',
      '<img src=x onerror=alert(1)>',
      'a | b | c',
      '**bold** _it_ ~~gone~~',
      'www.evil.example/path https://evil.example/q?x=1',
      '`` ` code ``',
      'first line\nsecond line\r\n| injected | row |',
      '&lt;entity&gt; &amp;',
      'trailing backslash \\',
    ];
    const evil = hostile.join(' ');
    const tampered: ReportV1 = structuredClone(report);
    const [f] = tampered.findings;
    f!.message = evil;
    f!.rule_id = evil;
    f!.subject.principal = evil;
    f!.evidence[0]!.file = evil;
    tampered.findings[1]!.subject = { ...tampered.findings[1]!.subject, kind: 'client_ip', client_ip: evil };
    tampered.suppressed = {
      ignored: [{ id: '0'.repeat(32), rule_id: 'plain-http', severity: 'high', subject_kind: 'principal', subject: evil, first_seen: f!.first_seen, reason: evil, ignore: 0 }],
      baseline: { path: evil, entries: 1, suppressed: 0, stale: [] },
    };
    tampered.inputs[0] = { ...tampered.inputs[0]!, status: 'error', path: evil };

    const markdown = renderMarkdown(tampered);
    const html = toHtml(markdown);
    expect(html).not.toMatch(/<(a|img|script|em|del)\b/);
    // bold only where the renderer puts it: the severities and the input error line
    expect([...html.matchAll(/<strong>([^<]*)<\/strong>/g)].map((m) => m[1])).toEqual(['high', 'high', 'medium', 'medium', '1 input(s) could not be read:']);
    const table = rows(html).slice(3);
    expect(table).toHaveLength(4);
    for (const cells of table) expect(cells).toHaveLength(7);
    const text = decode(html).replace(/\s+/g, ' ');
    // the message (prose) and the identifiers (code spans) read exactly as the log had them, on one line
    const flat = evil.replace(/[\r\n]+/g, ' ').replace(/\s+/g, ' ');
    expect(text).toContain(flat.slice(0, 100));
    expect(decode(table[0]![2]!).replace(/\s+/g, ' ')).toBe(flat.slice(0, 199).replace(/\s+$/, '') + '…');
    expect(decode(table[1]![3]!).replace(/\s+/g, ' ')).toBe(`client ${flat.slice(0, 59)}…`);
  });
});
