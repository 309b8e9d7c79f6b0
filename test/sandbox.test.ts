// User rules run sandboxed: a rule that tries to read or write files, attach a database or change
// a setting is refused with a clear error, and nothing it asked for happens.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/program.js';
import { runScan } from '../src/cli/scan.js';
import { lockDown } from '../src/rules/index.js';
import { Database } from '../src/store/index.js';

let work: string;
let log: string;

const header = (id: string) => `/*
id: ${id}
title: A user rule
severity: low
description: test
message: test
remediation: test
tags: {}
*/
`;
const EVIDENCE = `SELECT subject_kind, subject, file_id, line_no FROM scan_events`;

async function ruleDir(id: string, body: string): Promise<string> {
  const dir = path.join(work, id);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, `${id}.sql`), header(id) + body);
  return dir;
}

const scan = (dir: string) => runScan({ paths: [log], failOn: 'never', ruleDirs: [dir], version: 'test' });

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'apiaudit-sandbox-'));
  log = path.join(work, 'access.log');
  await writeFile(log, '203.0.113.9 - - [05/Jan/2026:09:00:00 +0000] "GET /api/Orders HTTP/1.1" 200 12 "-" "curl/8.5"\n');
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('a user rule', () => {
  it('runs when it only reads scan_events', async () => {
    const outcome = await scan(await ruleDir('user-ok', EVIDENCE));
    expect(outcome.report.findings.map((f) => f.rule_id)).toEqual(['user-ok']);
  });

  it('cannot read a file with read_csv', async () => {
    const dir = await ruleDir('user-read-csv', `SELECT 'client_ip' AS subject_kind, column0 AS subject, 1 AS file_id, 1 AS line_no FROM read_csv('/etc/passwd')`);
    await expect(scan(dir)).rejects.toThrow(/user-read-csv\.sql: refused by the sandbox .*\/etc\/passwd/);
  });

  it('cannot list files with glob', async () => {
    const dir = await ruleDir('user-glob', `SELECT 'client_ip' AS subject_kind, file AS subject, 1 AS file_id, 1 AS line_no FROM glob('/etc/*')`);
    await expect(scan(dir)).rejects.toThrow(/refused by the sandbox/);
  });

  it('cannot write a file with COPY … TO, alone or after a SELECT', async () => {
    const target = path.join(work, 'leak.csv');
    const alone = await ruleDir('user-copy', `COPY (SELECT * FROM scan_events) TO '${target}'`);
    await expect(scan(alone)).rejects.toThrow(/user-copy\.sql: the rule body must be one SELECT/);
    const smuggled = await ruleDir('user-copy-after', `${EVIDENCE};\nCOPY (SELECT * FROM scan_events) TO '${target}'`);
    await expect(scan(smuggled)).rejects.toThrow(/user-copy-after\.sql: the rule body must be exactly one SELECT statement \(found 2\)/);
    expect(existsSync(target)).toBe(false);
  });

  it('cannot ATTACH a database', async () => {
    const target = path.join(work, 'other.duckdb');
    const dir = await ruleDir('user-attach', `${EVIDENCE};\nATTACH '${target}' AS other`);
    await expect(scan(dir)).rejects.toThrow(/exactly one SELECT statement/);
    expect(existsSync(target)).toBe(false);
  });

  it('cannot SET a setting', async () => {
    const alone = await ruleDir('user-set', `SET enable_external_access = true`);
    await expect(scan(alone)).rejects.toThrow(/user-set\.sql: the rule body must be one SELECT/);
    const smuggled = await ruleDir('user-set-after', `${EVIDENCE};\nSET enable_external_access = true`);
    await expect(scan(smuggled)).rejects.toThrow(/exactly one SELECT statement/);
  });

  it('is refused by the CLI with one line on stderr and exit code 2', async () => {
    const dir = await ruleDir('user-cli', `SELECT 'client_ip' AS subject_kind, column0 AS subject, 1 AS file_id, 1 AS line_no FROM read_csv('/etc/passwd')`);
    const err: string[] = [];
    const code = await main(['scan', log, '--rules', dir], { stdout: () => undefined, stderr: (t) => err.push(t) });
    expect(code).toBe(2);
    expect(err.join('')).toMatch(/^apiaudit: .*user-cli\.sql: refused by the sandbox \(rule SQL cannot read or write files, attach databases or change settings\)/);
  });
});

describe('the locked-down database itself', () => {
  it('refuses file access, ATTACH and SET after lockDown', async () => {
    const db = await Database.open(null);
    try {
      await lockDown(db);
      const target = path.join(work, 'direct.csv');
      await expect(db.run(`SELECT * FROM read_csv('/etc/passwd')`)).rejects.toThrow(/disabled by configuration/);
      await expect(db.run(`COPY (SELECT 1) TO '${target}'`)).rejects.toThrow(/disabled by configuration/);
      await expect(db.run(`ATTACH '${path.join(work, 'direct.duckdb')}' AS d`)).rejects.toThrow(/disabled by configuration/);
      await expect(db.run(`SET enable_external_access = true`)).rejects.toThrow(/configuration has been locked/);
      await expect(db.run(`SET lock_configuration = false`)).rejects.toThrow(/configuration has been locked/);
      expect(existsSync(target)).toBe(false);
    } finally {
      db.close();
    }
  });
});
