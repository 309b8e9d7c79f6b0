// The malformed-input corpus, generated (never committed as large files): each entry is a file
// and what its accounting must look like. Format-specific entries (JSON lines, CSV, W3C headers)
// sit next to the generic ones.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export interface CorpusEntry {
  name: string;
  /** Log type to force (undefined: auto-detect). */
  logType?: string;
  logPattern?: string;
  bytes: Buffer;
  /** 'ingested' with exact counts, or 'error' when the whole file is unreadable. */
  expect:
    | { status: 'ingested'; lines: number; events: number; rejected: number; skipped?: number; rejectedLines?: Array<{ line: number; reason: RegExp }>; detectedAs?: string }
    | { status: 'error'; message: RegExp };
}

const good = (n: number, ua = 'curl/8') =>
  `192.0.2.${n % 250} - - [05/Jan/2026:09:00:${String(n % 60).padStart(2, '0')} +0000] "GET /api/Items/${n} HTTP/1.1" 200 12 "-" "${ua}"`;

/** A generic export record (JSON lines, or one record per line of a JSON array). */
const record = (n: number) => JSON.stringify({ timestamp: `2026-01-05T09:00:0${n}Z`, client_ip: '198.51.100.1', method: 'GET', url: `/api/Items/${n}`, status: 200 });
/** A Kong file-log entry (the fields the kong type reads). */
const kong = (n: number) => JSON.stringify({ request: { method: 'GET', uri: `/example/${n}`, url: `https://kong.example.com/example/${n}`, headers: { 'user-agent': 'curl/8' } },
  response: { status: 200, size: 10 }, latencies: { request: 3 }, client_ip: '203.0.113.20', started_at: 1767603600000 + n, consumer: { username: 'app' } });
const csvRow = (n: number, rest: string) => `2026-01-05T09:00:0${n}Z,203.0.113.5,GET,${rest}`;
const W3C_HEAD = ['#Software: Microsoft Internet Information Services 10.0', '#Version: 1.0', '#Date: 2026-01-05 09:00:00',
  '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status time-taken'];

export function malformedCorpus(): CorpusEntry[] {
  const valid = Array.from({ length: 20 }, (_, i) => good(i + 1)).join('\n') + '\n';
  const gz = gzipSync(Buffer.from(valid.repeat(200)));
  return [
    {
      // line 3 is cut in the middle of its object: rejected by number, the lines around it kept
      name: 'one-broken-object.jsonl',
      logType: 'jsonl',
      bytes: Buffer.from([record(1), record(2), record(3).slice(0, 60), record(4)].join('\n') + '\n'),
      expect: { status: 'ingested', lines: 4, events: 3, rejected: 1, rejectedLines: [{ line: 3, reason: /not a JSON object/ }] },
    },
    {
      // detected as kong from its first lines although one of them is broken
      name: 'kong-one-broken-object.log',
      bytes: Buffer.from([kong(1), `${kong(2).slice(0, -1)},"tries":[`, kong(3)].join('\n') + '\n'),
      expect: { status: 'ingested', lines: 3, events: 2, rejected: 1, rejectedLines: [{ line: 2, reason: /not a JSON object/ }], detectedAs: 'kong' },
    },
    {
      // 1 header (skipped); 2, 4, 5, 9 read ("ok, fine" is a closed quote); 3, 6, 7 open a quote
      // that does not close on the line; 8 is the second line of 7's value (one value, not six)
      name: 'unbalanced-quote.csv',
      logType: 'csv',
      bytes: Buffer.from([
        'timestamp,client_ip,method,url,status,user_agent',
        csvRow(0, '/a,200,curl'),
        csvRow(1, '/b,200,"Mozilla (X11, Linux)'),
        csvRow(2, '/c,200,curl'),
        csvRow(3, '/d,200,"ok, fine"'),
        csvRow(4, '"/e,200,curl'),
        csvRow(5, '/f,200,"two'),
        'lines"',
        csvRow(6, '/g,200,curl'),
      ].join('\n') + '\n'),
      expect: {
        status: 'ingested', lines: 9, events: 4, rejected: 4, skipped: 1,
        rejectedLines: [{ line: 3, reason: /unbalanced quote/ }, { line: 6, reason: /unbalanced quote/ }, { line: 7, reason: /unbalanced quote/ },
          { line: 8, reason: /number of values does not match the 6 columns/ }],
      },
    },
    { name: 'header-row-only.csv', logType: 'csv', bytes: Buffer.from('timestamp,client_ip,method,url,status\r\n'), expect: { status: 'ingested', lines: 1, events: 0, rejected: 0, skipped: 1 } },
    // a file of only headers, detected: the type that skips them all, not an error
    { name: 'directives-only.log', bytes: Buffer.from(`${W3C_HEAD.join('\n')}\n`), expect: { status: 'ingested', lines: 4, events: 0, rejected: 0, skipped: 4 } },
    { name: 'header-row-only-detected.csv', bytes: Buffer.from('TimeGenerated;ClientIP;Method;URL;Status\n'), expect: { status: 'ingested', lines: 1, events: 0, rejected: 0, skipped: 1, detectedAs: 'csv' } },
    { name: 'iis-directives-only.log', logType: 'iis', bytes: Buffer.from(`${W3C_HEAD.join('\r\n')}\r\n`), expect: { status: 'ingested', lines: 4, events: 0, rejected: 0, skipped: 4 } },
    {
      name: 'cloudfront-directives-only.log',
      logType: 'aws-cloudfront',
      bytes: Buffer.from('#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query\n'),
      expect: { status: 'ingested', lines: 2, events: 0, rejected: 0, skipped: 2 },
    },
    {
      // a JSON array cut in its fourth record, one record per line: read line by line, "[" skipped,
      // the three whole records read, the cut one rejected (no final newline: 5 lines)
      name: 'truncated-document.json',
      bytes: Buffer.from(`[\n${[record(1), record(2), record(3)].join(',\n')},\n${record(4).slice(0, 40)}`),
      expect: { status: 'ingested', lines: 5, events: 3, rejected: 1, skipped: 1, rejectedLines: [{ line: 5, reason: /not a JSON object/ }] },
    },
    { name: 'empty.log', logType: 'nginx', bytes: Buffer.alloc(0), expect: { status: 'ingested', lines: 0, events: 0, rejected: 0 } },
    {
      name: 'truncated-lines.log',
      bytes: Buffer.from([good(1), good(2).slice(0, 30), good(3).slice(0, 75), good(4)].join('\n') + '\n'),
      expect: { status: 'ingested', lines: 4, events: 2, rejected: 2 },
    },
    {
      name: 'binary-garbage.log',
      logType: 'nginx',
      bytes: Buffer.concat([Buffer.from(`${good(1)}\n`), Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0xfc, 0x03, 0x03, 0xff, 0x0a]), Buffer.from(`${good(2)}\n`)]),
      expect: { status: 'ingested', lines: 3, events: 2, rejected: 1 },
    },
    {
      name: 'nul-bytes.log',
      bytes: Buffer.concat([Buffer.from(`${good(1)}\n`), Buffer.from('\0\0\0\0\n'), Buffer.from(`${good(2).replace('curl/8', 'cu\0rl')}\n`)]),
      expect: { status: 'ingested', lines: 3, events: 2, rejected: 1 },
    },
    {
      name: 'invalid-utf8.log',
      bytes: Buffer.concat([Buffer.from(`${good(1)}\n`), Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0x0a]), Buffer.from(`${good(2).replace('curl/8', 'caf')}`), Buffer.from([0xe9, 0x0a])]),
      logType: 'nginx',
      // line 2 is garbage; line 3 is a valid line whose user agent holds a latin-1 byte
      expect: { status: 'ingested', lines: 3, events: 2, rejected: 1 },
    },
    {
      name: 'five-megabyte-line.log',
      bytes: Buffer.from([good(1), good(2, 'x'.repeat(5 * 1024 * 1024)), good(3)].join('\n') + '\n'),
      expect: { status: 'ingested', lines: 3, events: 3, rejected: 0 },
    },
    {
      name: 'crlf-and-mixed-endings.log',
      bytes: Buffer.from(`${good(1)}\r\n${good(2)}\n${good(3)}\r\n\r\n${good(5)}\n`),
      expect: { status: 'ingested', lines: 5, events: 4, rejected: 0, skipped: 1 },
    },
    {
      name: 'no-final-newline.log',
      bytes: Buffer.from(`${good(1)}\n${good(2)}`),
      expect: { status: 'ingested', lines: 2, events: 2, rejected: 0 },
    },
    {
      name: 'timestamps-out-of-range.log',
      bytes: Buffer.from([good(1), good(2).replace('05/Jan/2026', '05/Jan/1900'), good(3).replace('05/Jan/2026', '05/Jan/9999'), good(4).replace('09:00:04', '29:61:99')].join('\n') + '\n'),
      logType: 'nginx',
      expect: { status: 'ingested', lines: 4, events: 1, rejected: 3 },
    },
    {
      name: 'odd-status-codes.log',
      // 999 and - are kept; 20, 2OO and 70000 (beyond a SMALLINT: it failed the whole file) rejected
      bytes: Buffer.from([good(1).replace('" 200 ', '" 999 '), good(2).replace('" 200 ', '" - '), good(3).replace('" 200 ', '" 20 '), good(4).replace('" 200 ', '" 2OO '),
        good(5).replace('" 200 ', '" 70000 ')].join('\n') + '\n'),
      logType: 'nginx',
      expect: { status: 'ingested', lines: 5, events: 2, rejected: 3, rejectedLines: [3, 4, 5].map((line) => ({ line, reason: /invalid status code/ })) },
    },
    {
      // bytes 0x80-0x9F are neither UTF-8 nor latin-1 for DuckDB: those lines alone are rejected
      name: 'c1-control-bytes.log',
      logType: 'nginx',
      bytes: Buffer.concat([Buffer.from(`${good(1)}\n`), Buffer.from([0x80, 0x9f, 0x0a]), Buffer.from(`${good(3)}\n\n${good(5)}\n`)]),
      expect: { status: 'ingested', lines: 5, events: 3, rejected: 1, skipped: 1, rejectedLines: [{ line: 2, reason: /not valid UTF-8/ }] },
    },
    {
      // a lone CR, then a CRLF ending an empty line 2, then a byte no encoding reads (found by the fuzz test)
      name: 'cr-crlf-then-c1-byte.log',
      logType: 'nginx',
      bytes: Buffer.concat([Buffer.from(`${good(1)}\r\r\n`), Buffer.from([0x80, 0x0a])]),
      expect: { status: 'ingested', lines: 3, events: 1, rejected: 1, skipped: 1, rejectedLines: [{ line: 3, reason: /not valid UTF-8/ }] },
    },
    {
      name: 'over-long-line.log',
      logType: 'nginx',
      bytes: Buffer.from([good(1), good(2), good(3, 'y'.repeat(33 * 1024 * 1024)), good(4)].join('\n') + '\n'),
      expect: { status: 'ingested', lines: 4, events: 3, rejected: 1, rejectedLines: [{ line: 3, reason: /line longer than 32 MiB/ }] },
    },
    { name: 'corrupt.log.gz', logType: 'nginx', bytes: Buffer.concat([gz.subarray(0, 30), Buffer.alloc(500, 0x5a)]), expect: { status: 'error', message: /corrupt or truncated gzip data/ } },
    { name: 'truncated.log.gz', logType: 'nginx', bytes: gz.subarray(0, Math.floor(gz.length / 2)), expect: { status: 'error', message: /corrupt or truncated gzip data/ } },
  ];
}

export function writeCorpus(directory: string, entries = malformedCorpus()): Array<CorpusEntry & { file: string }> {
  return entries.map((entry) => {
    const file = path.join(directory, entry.name);
    writeFileSync(file, entry.bytes);
    return { ...entry, file };
  });
}
