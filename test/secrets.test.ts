// Secrets never persist: a log full of known tokens, passwords and keys is scanned into a database
// file and every output format; none of the raw values may appear anywhere we write or print.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { epoch, makeJwt } from './support/jwt.js';
import { assertNoSecret as assertNoSecretIn, assertNoSecretInFileBytes, assertNoSecretInTables } from './support/secrets.js';

const dir = mkdtempSync(path.join(tmpdir(), 'apiaudit-secrets-'));
const PATTERN = '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $scheme $host $request_time "$http_authorization" "$http_x_api_key"';

const jwtA = makeJwt({ sub: 'alice', iat: epoch('2026-01-05T09:00:00Z'), exp: epoch('2026-01-05T10:00:00Z'), jti: 'secret-jti-not-a-secret' });
const jwtB = makeJwt({ sub: 'bob', iat: epoch('2026-01-05T09:00:00Z'), exp: epoch('2026-01-05T09:30:00Z') });
const opaque = 'opq_9f8e7d6c5b4a39281706f5e4d3c2b1a0';
const password = 'Tr0ub4dor&3-horse';
const basic = Buffer.from(`carol:${password}`).toString('base64');
const apiKey = 'ak_live_51HxYzQ2eZvKYlo2C0ffee';
const queryPassword = 'hunter2-in-the-url';
const SECRETS = { jwtA, jwtB, opaque, password, basic, apiKey, queryPassword, jwtSignature: jwtA.split('.')[2]! };

const t = (m: number) => `05/Jan/2026:${String(9 + Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}:00 +0000`;
const line = (m: number, ip: string, req: string, status: number, auth = '-', key = '-', referer = '-', scheme = 'https') =>
  `${ip} - - [${t(m)}] "${req}" ${status} 120 "${referer}" "curl/8" ${scheme} api.example 0.010 "${auth}" "${key}"`;

const logLines = [
  line(1, '203.0.113.5', 'GET /api/Customers/me HTTP/1.1', 200, `Bearer ${jwtA}`),
  ...Array.from({ length: 12 }, (_, i) => line(2 + i, '203.0.113.6', 'GET /api/Customers/me HTTP/1.1', 401, `Bearer ${opaque}`)),
  ...Array.from({ length: 4 }, (_, i) => line(40 + i, '203.0.113.7', 'GET /api/Orders HTTP/1.1', 401, `Bearer ${jwtB}`)),
  line(45, '203.0.113.8', 'GET /api/Reports HTTP/1.1', 200, `Basic ${basic}`, '-', '-', 'http'),
  line(46, '203.0.113.9', 'GET /api/Items HTTP/1.1', 200, '-', apiKey, '-', 'http'),
  line(47, '203.0.113.10', `GET /api/Items?access_token=${jwtA}&password=${queryPassword} HTTP/1.1`, 200, '-', '-', `https://app.example/?token=${jwtB}`),
  // rejected lines that carry secrets: their content must not surface in any message
  `garbage ${jwtA} Bearer ${opaque} password=${queryPassword}`,
  line(48, '203.0.113.11', 'GET /api/Customers/me HTTP/1.1', 200, `Bearer ${jwtA}`).replace('05/Jan/2026', '99/Foo/2026'),
];
const logFile = path.join(dir, 'access.log');
writeFileSync(logFile, `${logLines.join('\n')}\n`);

const assertNoSecret = (where: string, text: string) => assertNoSecretIn(SECRETS, where, text);

describe('no raw secret reaches any output', async () => {
  const db = path.join(dir, 'audit.duckdb');
  const outputs: Record<string, string> = {};
  const runs = [];
  for (const format of ['json', 'html', 'sarif', 'markdown'] as const) {
    const out = path.join(dir, `report.${format}`);
    const run = await runCli(['scan', logFile, '--db', format === 'json' ? db : path.join(dir, `${format}.duckdb`), '--log-type', 'nginx', '--log-pattern', PATTERN, '-f', format, '-o', out, '--debug']);
    runs.push(run);
    outputs[`report.${format}`] = readFileSync(out, 'utf8');
  }
  // the persisted findings move on (ongoing, resolved) in a second run over the same database
  const second = await runCli(['scan', logFile, '--db', db, '--log-type', 'nginx', '--log-pattern', PATTERN, '--since', '2026-01-05T09:30:00Z', '--fail-on-new', 'high', '--debug']);
  runs.push(second);
  outputs['second run'] = second.stdout;
  const baseline = path.join(dir, 'baseline.json');
  runs.push(await runCli(['baseline', 'create', '-o', baseline, logFile, '--log-type', 'nginx', '--log-pattern', PATTERN, '--debug']));
  outputs['baseline file'] = readFileSync(baseline, 'utf8');
  for (const format of ['sarif', 'markdown'] as const) {
    const run = await runCli(['scan', logFile, '--log-type', 'nginx', '--log-pattern', PATTERN, '--baseline', baseline, '-f', format]);
    runs.push(run);
    outputs[`${format} with a baseline`] = run.stdout;
  }
  // every format at once into a folder, and the CSV per evidence event
  const folder = path.join(dir, 'all-formats');
  const base = ['scan', logFile, '--log-type', 'nginx', '--log-pattern', PATTERN, '--debug'];
  runs.push(await runCli([...base, '-f', 'json', '-f', 'html', '-f', 'csv', '-f', 'ocsf', '-f', 'sarif', '-f', 'markdown', '-o', folder]));
  for (const name of readdirSync(folder)) outputs[`all-formats/${name}`] = readFileSync(path.join(folder, name), 'utf8');
  const evidenceCsv = await runCli([...base, '-f', 'csv', '--evidence']);
  runs.push(evidenceCsv);
  outputs['evidence.csv'] = evidenceCsv.stdout;
  const stdoutRun = await runCli(['scan', logFile, '--log-type', 'nginx', '--log-pattern', PATTERN, '--debug']);
  runs.push(stdoutRun);
  // an error path with --debug, where a stack trace is printed
  const errorRun = await runCli(['scan', logFile, '--log-type', 'nginx', '--log-pattern', PATTERN, '--config', path.join(dir, 'missing.yml'), '--debug']);
  runs.push(errorRun);

  it('the scans ran, found things and counted the two bad lines', () => {
    const report = JSON.parse(outputs['report.json']!);
    expect(report.summary.events).toBe(logLines.length - 2);
    expect(report.summary.rejected).toBe(2);
    expect(report.findings.length).toBeGreaterThanOrEqual(3);
    expect(errorRun.code).toBe(2);
    expect(JSON.parse(outputs['report.sarif']!).runs[0].results).toHaveLength(report.findings.length);
    expect(outputs['report.markdown']).toContain(`## apiaudit: ${report.findings.length} finding(s)`);
    expect(JSON.parse(outputs['second run']!).summary.by_status.resolved).toBeGreaterThan(0);
    expect(JSON.parse(outputs['baseline file']!).findings).toHaveLength(report.findings.length);
  });

  it('not in any report: JSON, HTML, CSV (per finding and per evidence event), OCSF, SARIF, Markdown, nor in a baseline file', () => {
    expect(Object.keys(outputs).sort()).toEqual([
      'all-formats/report.csv', 'all-formats/report.html', 'all-formats/report.json', 'all-formats/report.md', 'all-formats/report.ocsf.jsonl',
      'all-formats/report.sarif', 'baseline file', 'evidence.csv', 'markdown with a baseline', 'report.html', 'report.json', 'report.markdown',
      'report.sarif', 'sarif with a baseline', 'second run',
    ]);
    const findings = JSON.parse(outputs['report.json']!).findings.length;
    expect(outputs['all-formats/report.ocsf.jsonl']!.trimEnd().split('\n')).toHaveLength(findings);
    expect(outputs['evidence.csv']!.split('\n').length).toBeGreaterThan(findings);
    for (const [name, text] of Object.entries(outputs)) assertNoSecret(name, text);
  });

  it('not on stdout or stderr, with --debug, including an error with a stack trace', () => {
    runs.forEach((r, i) => {
      assertNoSecret(`stdout of run ${i}`, r.stdout);
      assertNoSecret(`stderr of run ${i}`, r.stderr);
    });
  });

  it('not in the bytes of the database file (or its WAL)', () => {
    assertNoSecretInFileBytes(SECRETS, db);
  });

  it('not in any text value of any table of the database', async () => {
    await assertNoSecretInTables(SECRETS, db);
  });
});
