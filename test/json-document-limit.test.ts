// A JSON document is read with an object-size limit sized from the file: DuckDB allocates twice the
// limit, and a fixed 1 GiB did not fit the default 1GB memory limit (every document failed).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { documentObjectLimit, isMalformedJson } from '../src/ingest/line-source.js';
import { DEFAULT_MEMORY_LIMIT } from '../src/store/index.js';
import { runMain } from './support/cli.js';

describe('documentObjectLimit', () => {
  it('is the file size rounded up to a power of two, at least 16 MiB and at most 1 GiB', () => {
    expect(documentObjectLimit(2_000, 'none')).toBe(2 ** 24);
    expect(documentObjectLimit(100 * 2 ** 20, 'none')).toBe(2 ** 27);
    expect(documentObjectLimit(5 * 2 ** 30, 'none')).toBe(2 ** 30);
  });

  it('expects a gzip file to hold up to 20 times its size', () => {
    expect(documentObjectLimit(10 * 2 ** 20, 'gzip')).toBe(2 ** 28);
  });

  it('leaves room under the default memory limit for the documents a laptop scan meets (up to 256 MiB)', () => {
    const limitBytes = Number.parseFloat(DEFAULT_MEMORY_LIMIT) * 1e9;
    expect(2 * documentObjectLimit(200 * 2 ** 20, 'none')).toBeLessThan(limitBytes);
  });
});

describe('isMalformedJson', () => {
  it('tells a broken document from other failures, which must not be swallowed', () => {
    expect(isMalformedJson(new Error('Invalid Input Error: Malformed JSON in file "x", at byte 3'))).toBe(true);
    expect(isMalformedJson(new Error('Out of Memory Error: failed to allocate data of size 2.0 GiB'))).toBe(false);
    expect(isMalformedJson(new Error('IO Error: No files found that match the pattern'))).toBe(false);
  });
});

describe('a JSON document too large for the memory limit', () => {
  it('is an error naming the file and saying to raise --memory-limit (exit 2), not "cannot detect"', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'apiaudit-doc-')), 'export.json');
    const record = { time: '2026-11-30T00:00:00Z', remote_addr: '192.0.2.1', request: 'GET /a HTTP/1.1', status: '200', pad: 'x'.repeat(250) };
    writeFileSync(file, JSON.stringify(Array.from({ length: 60_000 }, () => record))); // 21 MB
    const run = await runMain(['scan', file, '--memory-limit', '64MB', '-o', '/dev/null']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`cannot read ${file} as a JSON document (raise --memory-limit)`);
    const enough = await runMain(['scan', file, '--memory-limit', '1GB', '-q', '-o', '/dev/null']);
    expect(enough.code).toBe(0);
  });
});
