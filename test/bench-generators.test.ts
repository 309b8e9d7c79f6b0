// The benchmark must measure real parsing: every line its generators write is a valid event of
// the log type apiaudit is told, and the baseline reads the same number of records.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript module of the benchmark
import { APIAUDIT_LOG_TYPE, GENERATORS, generate } from './bench/generate.mjs';
import { ingest } from './support/ingest.js';

const dir = mkdtempSync(path.join(tmpdir(), 'apiaudit-bench-gen-'));
const LINES = 2000;

describe.each(Object.keys(GENERATORS as Record<string, unknown>))('bench generator %s', (kind) => {
  it('writes lines that apiaudit ingests without a rejection, with the fields the rules read', async () => {
    const file = path.join(dir, `${kind}.log`);
    await generate(file, kind, LINES);
    const { db, results } = await ingest([file], { logType: (APIAUDIT_LOG_TYPE as Record<string, string>)[kind] });
    try {
      const r = results[0]!;
      expect(r.status, r.error).toBe('ingested');
      expect({ events: r.events, rejected: r.rejected }).toEqual({ events: LINES, rejected: 0 });
      const [row] = await db.all<{ ts: number; ip: number; path: number; status: number; clients: number }>(
        `SELECT count(ts)::INTEGER AS ts, count(client_ip)::INTEGER AS ip, count(path)::INTEGER AS path,
                count(status)::INTEGER AS status, count(DISTINCT client_ip)::INTEGER AS clients FROM events`,
      );
      expect(row).toMatchObject({ ts: LINES, ip: LINES, path: LINES, status: LINES });
      expect(row!.clients).toBeGreaterThan(100); // a population of clients, not one
      expect(row!.clients).toBeLessThan(LINES);
    } finally {
      db.close();
    }
  });

  it('is deterministic, and the baseline parses every record', async () => {
    const a = path.join(dir, `${kind}-a.log`);
    const b = path.join(dir, `${kind}-b.log`);
    expect(await generate(a, kind, 300)).toBe(await generate(b, kind, 300));
    expect(execFileSync('cmp', [a, b]).toString()).toBe('');
    const counted = execFileSync(process.execPath, [path.join('test', 'bench', 'baseline.mjs'), kind, a]).toString().trim();
    expect(Number(counted)).toBe(300);
  });
});
