// Reliability of the run itself: --strict, hostile file names, outputs that cannot be written.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Database, DEFAULT_MEMORY_LIMIT } from '../src/store/index.js';
import { CLI, REPO, runCli, runMain } from './support/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'apiaudit-reliability-'));
const line = (n: number) => `192.0.2.${n} - - [05/Jan/2026:09:00:0${n % 10} +0000] "GET /a/${n} HTTP/1.1" 200 5 "-" "curl/8"`;

describe('--strict', () => {
  const file = path.join(dir, 'one-bad-line.log');
  writeFileSync(file, `${line(1)}\nnot a log line\n${line(3)}\n`);

  it('without it, rejected lines are reported but the run succeeds', async () => {
    const r = await runCli(['scan', file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/one-bad-line\.log: 1 rejected line\(s\), first at line 2: line does not match the nginx combined format/);
    expect(JSON.parse(r.stdout).inputs[0]).toMatchObject({ lines: 3, events: 2, rejected: 1 });
  });

  it('with it, any rejected line fails the run with exit 2', async () => {
    const r = await runCli(['scan', file, '--strict']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error: 1 rejected line\(s\) with --strict/);
  });
});

describe('hostile file names never reach SQL text', () => {
  it('ingests a file whose name holds quotes, spaces, a semicolon and SQL', async () => {
    const sub = path.join(dir, `it's a "dir"; DROP TABLE events; --`);
    mkdirSync(sub);
    const file = path.join(sub, `access'); DELETE FROM files; --.log`);
    writeFileSync(file, `${line(1)}\n${line(2)}\n`);
    const r = await runCli(['scan', file, '--db', path.join(dir, 'names.duckdb')]);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.inputs[0]).toMatchObject({ path: file, events: 2, status: 'ingested' });
  });

  it('reads a file named like a glob (*, ?, [) as itself, never the files its name would match', async () => {
    const names = ['*.log', 'a.log', 'b?.log', 'b1.log', '[b]1.log', 'big.json'];
    // a folder whose name is a glob too (a pattern that matches nothing was read literally before)
    for (const sub of [path.join(dir, 'globs'), path.join(dir, 'globs?[x]*')]) {
      mkdirSync(sub);
      // one distinct line count per file; big.json (a JSON document) is read by DuckDB's JSON reader
      names.slice(0, -1).forEach((name, i) => writeFileSync(path.join(sub, name), `${Array.from({ length: i + 1 }, (_, k) => line(10 * i + k + 1)).join('\n')}\n`));
      writeFileSync(path.join(sub, 'big.json'), JSON.stringify([{ time: '2026-01-05T09:00:00Z', client_ip: '192.0.2.9', method: 'GET', path: '/j', status: 200 }]));
      for (const files of [[sub], [path.join(sub, '*.log')], [path.join(sub, '[b]1.log')]]) {
        const r = await runMain(['scan', ...files]);
        expect(r.code).toBe(0);
        const inputs = JSON.parse(r.stdout).inputs as Array<{ path: string; events: number }>;
        for (const input of inputs) expect(input.events).toBe(path.basename(input.path) === 'big.json' ? 1 : names.indexOf(path.basename(input.path)) + 1);
        expect(inputs.length).toBe(files[0] === sub ? names.length : 1);
      }
    }
  });
});

describe('outputs that cannot be written', () => {
  it('a disk-full device gives a clear error and exit 2', async () => {
    const r = await runCli(['scan', 'samples/', '--config', 'samples/apiaudit.yml', '-q', '-o', '/dev/full']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('apiaudit: cannot write /dev/full: ENOSPC (disk full)\n');
    expect(existsSync('/dev/full')).toBe(true);
  });

  it('a path below a regular file fails cleanly and leaves no temporary file behind', async () => {
    const blocker = path.join(dir, 'not-a-dir');
    writeFileSync(blocker, 'x');
    const r = await runCli(['scan', 'samples/', '--config', 'samples/apiaudit.yml', '-q', '-o', path.join(blocker, 'r.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot write .*not-a-dir\/r\.json: ENOTDIR/);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('a report replaced in place is never half-written: the old one stays until the new one is complete', async () => {
    const out = path.join(dir, 'stable.json');
    writeFileSync(out, '{"old": true}');
    const r = await runCli(['scan', 'samples/', '--config', 'samples/apiaudit.yml', '-q', '-o', out]);
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).schema_version).toBe(1);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('writes to /dev/stdout (a pipe) without replacing it', () => {
    const out = execFileSync('bash', ['-c', `"${process.execPath}" "${CLI}" scan samples/ --config samples/apiaudit.yml -q -o /dev/stdout | cat`], {
      cwd: REPO,
      encoding: 'utf8',
    });
    expect(JSON.parse(out).schema_version).toBe(1);
  });
});

describe('memory', () => {
  const settings = async (db: Database) =>
    (await db.one<{ limit: string; temp: string }>(`SELECT current_setting('memory_limit') AS "limit", current_setting('temp_directory') AS temp`))!;

  it('DuckDB runs under a memory limit and spills to a private folder that is removed on close', async () => {
    const db = await Database.open(null);
    const { limit, temp } = await settings(db);
    expect(existsSync(temp)).toBe(true);
    db.close();
    expect(DEFAULT_MEMORY_LIMIT).toBe('1GB');
    expect(limit).toBe('953.6 MiB'); // DuckDB shows 1GB (10^9 bytes) in MiB
    expect(temp.startsWith(path.join(tmpdir(), 'apiaudit-duckdb-'))).toBe(true);
    expect(existsSync(temp)).toBe(false);
  });

  it('takes another limit', async () => {
    const db = await Database.open(null, { memoryLimit: '256MB' });
    expect((await settings(db)).limit).toBe('244.1 MiB');
    db.close();
  });

  it('--memory-limit is accepted, and a malformed size is a usage error (exit 2)', async () => {
    const ok = await runMain(['scan', 'samples/nginx-api.access.log', '--memory-limit', '256MB', '-q']);
    expect(ok.code).toBe(0);
    const bad = await runMain(['scan', 'samples/nginx-api.access.log', '--memory-limit', 'lots']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--memory-limit must be a size such as 512MB or 4GB/);
  });
});
