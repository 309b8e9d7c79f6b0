// `apiaudit rules list` and `apiaudit rules test DIR`: a user's own rule folder is listed and
// tested exactly like the shipped one.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/program.js';

let work: string;

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
  return { code, out: out.join(''), err: err.join('') };
}

const RULE = `/*
id: admin-from-outside
title: Admin route called without a credential
severity: low
description: An anonymous request reached an /admin path.
message: "{{event_count}} anonymous request(s) to /admin from {{client_ip}}."
remediation: Put /admin behind authentication.
tags: { owasp: [API5:2023], attack: [T1190] }
params:
  prefix: { type: string, default: /admin, description: Path prefix of the admin routes. }
*/
SELECT subject_kind, subject, file_id, line_no
FROM scan_events
WHERE credential_kind = 'none' AND starts_with(path, $prefix)
`;

const cases = (expectedCount: number) => `rule: admin-from-outside
log_pattern: '$time_iso8601 $remote_addr "$request" $status "$http_authorization"'
valid:
  - name: a user route
    log: |
      2026-01-05T09:00:00Z 192.0.2.1 "GET /api/Orders HTTP/1.1" 200 "-"
invalid:
  - name: two anonymous admin requests
    log: |
      2026-01-05T09:00:00Z 192.0.2.1 "GET /admin/users HTTP/1.1" 200 "-"
      2026-01-05T09:00:05Z 192.0.2.1 "GET /admin/flags HTTP/1.1" 403 "-"
    findings:
      - subject: client_ip:192.0.2.1
        event_count: ${expectedCount}
`;

async function folder(name: string, files: Record<string, string>): Promise<string> {
  const dir = path.join(work, name);
  await mkdir(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) await writeFile(path.join(dir, file), text);
  return dir;
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'apiaudit-rules-cli-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('apiaudit rules list', () => {
  it('lists every shipped rule with severity, title and params with their defaults', async () => {
    const { code, out } = await cli('rules', 'list');
    expect(code).toBe(0);
    for (const id of ['plain-http', 'login-bruteforce', 'credential-stuffing', 'password-spray', 'success-after-failures', 'token-sharing',
      'token-in-url', 'unauthenticated-success', 'weak-token', 'stale-credential', 'sequential-id-walk', 'sensitive-path-probing', 'rate-anomaly']) {
      expect(out).toMatch(new RegExp(`^${id} +(info|low|medium|high|critical) +\\S`, 'm'));
    }
    expect(out).toMatch(/^ +min_failures = 10 {2}\(integer\)$/m);
    expect(out).toMatch(/^ +window = 10 minutes {2}\(interval\)$/m);
    expect(out).toMatch(/^ +ignore_params = \[\] {2}\(string_list\)$/m);
    expect(out).toMatch(/^ +sensitive_paths = <\d{2,} entries from sensitive-paths\.txt> {2}\(string_list\)$/m);
  });

  it('adds the rules of --rules folders', async () => {
    const dir = await folder('list', { 'admin-from-outside.sql': RULE });
    const { code, out } = await cli('rules', 'list', '--rules', dir);
    expect(code).toBe(0);
    expect(out).toMatch(/^admin-from-outside +low +Admin route called without a credential\n +prefix = \/admin {2}\(string\)$/m);
  });
});

describe('apiaudit rules test DIR', () => {
  it('passes a folder whose cases hold', async () => {
    const dir = await folder('passing', { 'admin-from-outside.sql': RULE, 'admin-from-outside.cases.yaml': cases(2) });
    const { code, out } = await cli('rules', 'test', dir);
    expect(out).toBe('ok   admin-from-outside (2 cases)\n1 rule(s), 2 case(s): all passed\n');
    expect(code).toBe(0);
  });

  it('fails, naming the case and the problem, when a case does not hold', async () => {
    const dir = await folder('failing', { 'admin-from-outside.sql': RULE, 'admin-from-outside.cases.yaml': cases(3) });
    const { code, out } = await cli('rules', 'test', dir);
    expect(code).toBe(1);
    expect(out).toContain('FAIL admin-from-outside (2 cases, 1 failed)');
    expect(out).toContain('invalid: two anonymous admin requests');
    expect(out).toContain('client_ip:192.0.2.1: expected event_count 3, got 2');
  });

  it('fails a rule without a case file', async () => {
    const dir = await folder('no-cases', { 'admin-from-outside.sql': RULE });
    const { code, out } = await cli('rules', 'test', dir);
    expect(code).toBe(1);
    expect(out).toMatch(/^FAIL admin-from-outside: no test cases: cannot read .*admin-from-outside\.cases\.yaml$/m);
  });

  it('exits 2 for a folder that does not exist', async () => {
    const { code, err } = await cli('rules', 'test', path.join(work, 'nope'));
    expect(code).toBe(2);
    expect(err).toMatch(/^apiaudit: cannot read rules folder .*nope\n$/);
  });
});
