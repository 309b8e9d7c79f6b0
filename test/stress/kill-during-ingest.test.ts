// Crash safety: kill -9 an ingest into --db at several moments, rerun the same command, and the
// database holds every event exactly once. Run with `npm run test:stress`.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Database } from '../../src/store/index.js';
import { CLI, runCli } from '../support/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'apiaudit-kill-'));
const LINES = 300_000;
const files = ['a.log', 'b.log'].map((name, f) => {
  const file = path.join(dir, name);
  const lines: string[] = [];
  for (let n = 1; n <= LINES; n++) {
    lines.push(`198.51.100.${n % 250} - - [05/Jan/2026:09:${String(n % 60).padStart(2, '0')}:00 +0000] "GET /f${f}/${n} HTTP/1.1" ${n % 7 ? 200 : 401} ${n} "-" "load/1.0"`);
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
});

function killAfter(args: string[], ms: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

describe('kill -9 during ingest', () => {
  it.each([300, 1500, 3000, 4500])('killed after %i ms, a rerun leaves each event exactly once', async (delay) => {
    const db = path.join(dir, `audit-${delay}.duckdb`);
    rmSync(db, { force: true });
    const args = ['scan', ...files, '--db', db, '--log-type', 'nginx', '-q', '-o', path.join(dir, `r-${delay}.json`)];
    await killAfter(args, delay);
    // Right after the kill: every file is either fully in the database or not at all.
    if (existsSync(db)) {
      const killed = await Database.open(db);
      try {
        const rows = await killed.all<{ stored: number; counted: number }>(
          `SELECT f.events::INTEGER AS counted, (SELECT count(*) FROM events e WHERE e.file_id = f.file_id)::INTEGER AS stored FROM files f`,
        );
        for (const r of rows) expect(r.stored).toBe(r.counted);
        const [{ orphans }] = await killed.all<{ orphans: number }>(
          `SELECT count(*)::INTEGER AS orphans FROM events WHERE file_id NOT IN (SELECT file_id FROM files)`,
        );
        expect(orphans).toBe(0);
      } finally {
        killed.close();
      }
    }
    const rerun = await runCli(args);
    expect(rerun.code, rerun.stderr).toBe(0);
    const database = await Database.open(db);
    try {
      const [row] = await database.all<{ events: number; distinct_lines: number; files: number; per_file: number }>(
        `SELECT (SELECT count(*) FROM events)::INTEGER AS events,
                (SELECT count(*) FROM (SELECT DISTINCT file_id, line_no FROM events))::INTEGER AS distinct_lines,
                (SELECT count(*) FROM files)::INTEGER AS files,
                (SELECT max(events) FROM files)::INTEGER AS per_file`,
      );
      expect(row).toEqual({ events: 2 * LINES, distinct_lines: 2 * LINES, files: 2, per_file: LINES });
    } finally {
      database.close();
    }
  });
});
