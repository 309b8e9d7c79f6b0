// Cron audits from the command line: durations counted back from now, `apiaudit prune`, and two
// processes on one --db (the second gets a clear error, the file stays whole).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTimeBound } from '../src/cli/time-bounds.js';
import { Database } from '../src/store/index.js';
import { REPO, runCli } from './support/cli.js';
import { epoch, makeJwt } from './support/jwt.js';
import { burst, SAMPLE_CONFIG, SAMPLE_PATTERN, sampleLines } from './support/nginx-lines.js';

const dir = mkdtempSync(path.join(tmpdir(), 'apiaudit-cron-cli-'));
const LOG_FLAGS = ['--config', SAMPLE_CONFIG, '--log-type', 'nginx', '--log-pattern', SAMPLE_PATTERN];
const HOUR = 3_600_000;

async function count(db: string, sql: string): Promise<number> {
  const database = await Database.open(db);
  try {
    return (await database.one<{ n: number }>(sql))!.n;
  } finally {
    database.close();
  }
}

describe('--since / --until / --older-than values', () => {
  const now = new Date('2026-12-03T12:00:00Z');
  it.each([
    ['30s', '2026-12-03T11:59:30.000Z'],
    ['90m', '2026-12-03T10:30:00.000Z'],
    ['24h', '2026-12-02T12:00:00.000Z'],
    ['7d', '2026-11-26T12:00:00.000Z'],
    ['2w', '2026-11-19T12:00:00.000Z'],
    ['2026-11-30', '2026-11-30T00:00:00.000Z'],
    ['2026-11-30T08:15:00', '2026-11-30T08:15:00.000Z'],
    ['2026-11-30T08:15:00+02:00', '2026-11-30T06:15:00.000Z'],
    ['2026-11-30T08:15:00.250Z', '2026-11-30T08:15:00.250Z'],
  ])('%s → %s (durations back from now, timestamps in UTC unless they say)', (text, iso) => {
    expect(parseTimeBound(text, now, '--since').toISOString()).toBe(iso);
  });

  it.each(['yesterday', '', '24', 'h24', '7 days', '2026-02-30T00:00:00Z', '1700000000'])('%j is a usage error', (text) => {
    expect(() => parseTimeBound(text, now, '--since')).toThrow(/^--since ".*": give a duration back from now/);
  });
});

describe('a nightly audit relative to now', () => {
  // Two tokens replayed 12 times each: one three days ago, one two hours ago (repeated-401).
  const now = Date.now();
  const oldToken = makeJwt({ sub: 'old@shop.example', exp: epoch('2030-01-01T00:00:00Z') });
  const newToken = makeJwt({ sub: 'new@shop.example', exp: epoch('2030-01-01T00:00:00Z') });
  const log = path.join(dir, 'relative.log');
  writeFileSync(
    log,
    `${[
      ...burst(new Date(now - 72 * HOUR), 12, 20, { status: 401, auth: `Bearer ${oldToken}`, ip: '198.51.100.1' }),
      ...burst(new Date(now - 2 * HOUR), 12, 20, { status: 401, auth: `Bearer ${newToken}`, ip: '198.51.100.2' }),
    ].join('\n')}\n`,
  );

  it('--since 24h detects only the recent replay, --until 24h only the old one', async () => {
    const recent = JSON.parse((await runCli(['scan', log, ...LOG_FLAGS, '--since', '24h', '-q'])).stdout);
    expect(recent.findings.map((f: { subject: { principal: string } }) => f.subject.principal)).toEqual(['new@shop.example']);
    expect(recent.summary.events_scanned).toBe(12);
    const old = JSON.parse((await runCli(['scan', log, ...LOG_FLAGS, '--until', '24h', '-q'])).stdout);
    expect(old.findings.map((f: { subject: { principal: string } }) => f.subject.principal)).toEqual(['old@shop.example']);
  });

  it('prune --older-than 2d deletes the old events and findings, keeps the rest, and the file is not ingested again', async () => {
    const db = path.join(dir, 'relative.duckdb');
    expect((await runCli(['scan', log, ...LOG_FLAGS, '--db', db, '-q'])).code).toBe(0);
    const pruned = await runCli(['prune', '--db', db, '--older-than', '2d']);
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toMatch(/^pruned 12 event\(s\), 0 rejected line\(s\) and 1 finding\(s\) older than \S+Z from .*relative\.duckdb\n$/);
    expect(await count(db, `SELECT count(*)::INTEGER AS n FROM events`)).toBe(12);
    expect(await count(db, `SELECT count(*)::INTEGER AS n FROM findings`)).toBe(1);
    const again = await runCli(['scan', log, ...LOG_FLAGS, '--db', db]);
    expect(again.stderr).toMatch(/skipped .*relative\.log: same content as .*relative\.log, already ingested/);
    expect(await count(db, `SELECT count(*)::INTEGER AS n FROM events`)).toBe(12);
  });
});

describe('apiaudit prune', () => {
  it('with a timestamp: exact counts, rejected lines of old files, and only older findings', async () => {
    const log = path.join(dir, 'sample.log');
    writeFileSync(log, `${sampleLines().join('\n')}\n`);
    const junk = path.join(dir, 'old-junk.log'); // a file of rejected lines only
    writeFileSync(junk, `${sampleLines()[0]}\nnot a log line\n`);
    const db = path.join(dir, 'prune.duckdb');
    expect((await runCli(['scan', log, junk, ...LOG_FLAGS, '--db', db, '-q'])).code).toBe(0);
    const before12 = sampleLines().filter((l) => /30\/Nov\/2026:(0\d|1[01]):/.test(l)).length + 1; // + the junk file's event
    const r = await runCli(['prune', '--db', db, '--older-than', '2026-11-30T12:00:00Z']);
    expect(r.stdout).toBe(`pruned ${before12} event(s), 1 rejected line(s) and 1 finding(s) older than 2026-11-30T12:00:00.000Z from ${db}\n`);
    expect(await count(db, `SELECT count(*)::INTEGER AS n FROM events WHERE ts < TIMESTAMP '2026-11-30 12:00:00'`)).toBe(0);
    expect(await count(db, `SELECT count(*)::INTEGER AS n FROM events`)).toBe(120 + 1 - before12);
    // expired-token-reuse (10:01–10:11) is gone; the others end after noon
    expect(await count(db, `SELECT count(*)::INTEGER AS n FROM findings`)).toBe(3);
  });

  it('2 for a database that does not exist (and none is created)', async () => {
    const db = path.join(dir, 'missing.duckdb');
    const r = await runCli(['prune', '--db', db, '--older-than', '90d']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`apiaudit: no such database: ${db}\n`);
    expect(existsSync(db)).toBe(false);
  });
});

describe('two processes on one --db', () => {
  it('the second gets "database is in use by another apiaudit run" and exit 2; the file stays whole', async () => {
    const log = path.join(dir, 'locked.log');
    writeFileSync(log, `${sampleLines().join('\n')}\n`);
    const db = path.join(dir, 'locked.duckdb');
    expect((await runCli(['scan', log, ...LOG_FLAGS, '--db', db, '-q'])).code).toBe(0);

    // The first process: apiaudit's own store opens the database and holds it until told to stop.
    const holder = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { Database } = await import(${JSON.stringify(`${REPO}dist/store/index.js`)});
         const db = await Database.open(process.argv[1]);
         process.stdout.write('open\\n');
         process.stdin.on('end', () => { db.close(); process.exit(0); });
         process.stdin.resume();`,
        db,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve, reject) => {
      holder.stdout.once('data', () => resolve());
      holder.once('exit', (code) => reject(new Error(`holder exited ${code}`)));
    });
    try {
      for (const args of [['scan', log, ...LOG_FLAGS, '--db', db], ['prune', '--db', db, '--older-than', '90d']]) {
        const second = await runCli(args);
        expect(second.code, args[0]).toBe(2);
        expect(second.stderr, args[0]).toBe(`apiaudit: database ${db} is in use by another apiaudit run\n`);
        expect(second.stdout).toBe('');
      }
      expect(holder.exitCode).toBeNull(); // the first still held it all along
    } finally {
      holder.stdin.end();
      await new Promise((resolve) => holder.once('exit', resolve));
    }
    const after = await runCli(['scan', log, ...LOG_FLAGS, '--db', db]);
    expect(after.code).toBe(0);
    expect(after.stderr).toMatch(/same content as .*, already ingested/);
    expect(JSON.parse(after.stdout).findings.map((f: { status: string }) => f.status)).toEqual(['ongoing', 'ongoing', 'ongoing', 'ongoing']);
    expect(await count(db, `SELECT count(*)::INTEGER AS n FROM events`)).toBe(120);
  });
});
