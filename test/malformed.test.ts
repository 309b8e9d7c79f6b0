// Bad input gets counted, with file and line number, never dropped and never a crash; gzip input
// gives exactly what the plain file gives.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { REPO, runCli } from './support/cli.js';
import { ingest } from './support/ingest.js';

const dir = mkdtempSync(path.join(tmpdir(), 'apiaudit-bad-'));
const good = (n: number, ua = 'curl/8') =>
  `192.0.2.${n} - - [05/Jan/2026:09:00:${String(n % 60).padStart(2, '0')} +0000] "GET /api/Items/${n} HTTP/1.1" 200 12 "-" "${ua}"`;

describe('malformed lines in an nginx combined log', async () => {
  const lines = [
    good(1),
    'this is not an access log line', // 2
    '', // 3: blank, skipped
    good(4).replace('05/Jan/2026:09', '35/Jan/2026:09'), // 4: impossible date
    good(5).replace('" 200 ', '" 2x0 '), // 5: status not a number
    good(6).slice(0, 40), // 6: truncated
    good(7), // 7
    '   ', // 8: whitespace only, skipped
    good(9).replace('" 200 ', '" - '), // 9: status "-" is absent, not wrong
    good(10, 'Mozilla\\x22quoted\\x22 \\xC3\\xA9t\\xC3\\xA9'), // 10: nginx \xHH escapes
  ];
  const file = path.join(dir, 'mixed.log');
  writeFileSync(file, lines.join('\r\n')); // CRLF and no final newline
  const { db, results, events } = await ingest([file]);

  it('accounts for every line: lines = events + rejected + skipped', () => {
    const r = results[0]!;
    expect(r).toMatchObject({ status: 'ingested', lines: 10, events: 4, rejected: 4, skipped: 2 });
    expect(r.lines).toBe(r.events + r.rejected + r.skipped);
  });

  it('lists each rejected line with its number and reason', () => {
    expect(results[0]!.rejectedLines).toEqual([
      { line: 2, reason: 'line does not match the nginx combined format' },
      { line: 4, reason: 'missing or invalid timestamp' },
      { line: 5, reason: 'invalid status code' },
      { line: 6, reason: 'line does not match the nginx combined format' },
    ]);
  });

  it('keeps line numbers exact across CRLF, blank lines and a missing final newline', () => {
    expect(events.map((e) => e.line_no)).toEqual([1, 7, 9, 10]);
  });

  it('stores the rejects, all of them, in the database', async () => {
    const rows = await db.all<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM rejects`);
    expect(rows[0]!.n).toBe(4);
    db.close();
  });

  it('decodes nginx \\xHH escapes', () => {
    expect(events.find((e) => e.line_no === 10)!.user_agent).toBe('Mozilla"quoted" été');
    expect(events.find((e) => e.line_no === 9)!.status).toBeNull();
  });
});

describe('encodings and binary bytes', async () => {
  const file = path.join(dir, 'latin1.log');
  // one line of invalid UTF-8 (a latin-1 user agent), one with a NUL byte, one valid UTF-8 line
  const withBytes = (n: number, before: string, raw: number[], after: string) => {
    const [head, tail] = good(n).split('curl/8') as [string, string];
    return Buffer.concat([Buffer.from(head + before), Buffer.from(raw), Buffer.from(after + tail + '\n')]);
  };
  const bytes = Buffer.concat([
    withBytes(1, 'Caf', [0xe9], ''),
    withBytes(2, 'nul', [0x00], 'byte'),
    Buffer.from(`${good(3, 'Zoë')}\n`),
  ]);
  writeFileSync(file, bytes);
  const { db, results, events } = await ingest([file]);

  it('reads a file that is not valid UTF-8 without dropping a line, showing the odd bytes as \\xHH', () => {
    expect(results[0]).toMatchObject({ status: 'ingested', lines: 3, events: 3, rejected: 0 });
    expect(events[0]!.user_agent).toBe('Caf\\xE9');
    // nginx would have escaped them too; a valid UTF-8 sequence decodes back
    expect(events[2]!.user_agent).toBe('Zoë');
    db.close();
  });

  it('keeps a line with a NUL byte as one line', () => {
    expect(events[1]!.line_no).toBe(2);
    expect(events[1]!.user_agent).toMatch(/^nul.*byte$/);
  });
});

describe('gzip input', () => {
  it('gives the same findings, ids and counts as the plain file', async () => {
    const plain = path.join(dir, 'api.access.log');
    copyFileSync(path.join(REPO, 'samples/nginx-api.access.log'), plain);
    const gz = path.join(dir, 'api.access.log.gz');
    writeFileSync(gz, gzipSync(readFileSync(plain)));
    const pattern = ['--log-type', 'nginx', '--config', path.join(REPO, 'samples/apiaudit.yml')];
    const [a, b] = await Promise.all([runCli(['scan', plain, ...pattern]), runCli(['scan', gz, ...pattern])]);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    const ra = JSON.parse(a.stdout);
    const rb = JSON.parse(b.stdout);
    expect(rb.inputs[0]).toMatchObject({ lines: ra.inputs[0].lines, events: ra.inputs[0].events, rejected: 0 });
    expect(rb.findings.map((f: { id: string }) => f.id)).toEqual(ra.findings.map((f: { id: string }) => f.id));
    expect(rb.findings.length).toBeGreaterThan(0);
  });

  it('a corrupt .gz is a clear error for that file, exit 2', async () => {
    const bad = path.join(dir, 'corrupt.log.gz');
    const whole = gzipSync(Buffer.from(`${good(1)}\n`.repeat(2000)));
    writeFileSync(bad, Buffer.concat([whole.subarray(0, 40), Buffer.alloc(200, 0x41)]));
    const r = await runCli(['scan', bad, '--log-type', 'nginx']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/corrupt\.log\.gz: corrupt or truncated gzip data/);
  });
});

describe('line numbers of a large file parsed in parallel', () => {
  it('match the physical line of every event and every rejected line', async () => {
    // ~40 MB: several DuckDB CSV buffers, so both threads parse at once
    const total = 250_000;
    const chunks: string[] = [];
    const garbage = new Set<number>();
    for (let n = 1; n <= total; n++) {
      if (n % 9973 === 0) {
        garbage.add(n);
        chunks.push(`garbage line ${n}`);
      } else if (n % 50_021 === 0) {
        chunks.push('');
      } else {
        chunks.push(`192.0.2.${n % 250} - - [05/Jan/2026:09:00:00 +0000] "GET /n/${n}?pad=${'x'.repeat(60)} HTTP/1.1" 200 ${n} "-" "load-test/1.0 (line ${n})"`);
      }
    }
    const file = path.join(dir, 'large.log');
    writeFileSync(file, `${chunks.join('\n')}\n`);
    const { db, results } = await ingest([file]);
    try {
      const r = results[0]!;
      expect(r.lines).toBe(total);
      expect(r.rejected).toBe(garbage.size);
      const mismatches = await db.all<{ n: number }>(
        `SELECT count(*)::INTEGER AS n FROM events WHERE line_no <> split_part(path, '/', 3)::BIGINT OR bytes <> line_no`,
      );
      expect(mismatches[0]!.n).toBe(0);
      const rejected = await db.all<{ line_no: number }>(`SELECT line_no::INTEGER AS line_no FROM rejects ORDER BY 1`);
      expect(rejected.map((x) => x.line_no)).toEqual([...garbage].sort((a, b) => a - b));
    } finally {
      db.close();
    }
  });
});
