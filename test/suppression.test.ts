// Accepted findings in a CI gate: a baseline file (apiaudit baseline create, scan --baseline) and
// the config's ignore entries. Suppressed findings leave `findings` and --fail-on, and the report
// says what was suppressed and why.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScan } from '../src/cli/scan.js';
import { render } from '../src/report/index.js';
import { REPO, runCli, runMain } from './support/cli.js';
import { epoch, makeJwt } from './support/jwt.js';
import { burst, SAMPLE_PATTERN, sampleLines } from './support/nginx-lines.js';

const dir = mkdtempSync(path.join(tmpdir(), 'apiaudit-suppress-'));
const SAMPLES = ['test/fixtures/story/', '--config', 'test/fixtures/story/apiaudit.yml'];

interface BaselineFile {
  kind: string;
  schema_version: number;
  findings: Array<{ id: string; rule_id: string; subject_kind: string; subject: string; principal: string | null; first_seen: string; reason: string }>;
}

describe('baseline create → scan --baseline', () => {
  const baselineFile = path.join(dir, 'apiaudit-baseline.json');

  it('records the findings sorted by id, with rule id, subject and reason; the same logs give the same bytes', async () => {
    const r = await runMain(['baseline', 'create', '-o', baselineFile, ...SAMPLES]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`apiaudit: baseline ${baselineFile}: 4 finding(s) recorded\n`);
    const text = readFileSync(baselineFile, 'utf8');
    const baseline = JSON.parse(text) as BaselineFile;
    expect(baseline).toMatchObject({ kind: 'apiaudit-baseline', schema_version: 1 });
    const scanned = JSON.parse((await runMain(['scan', ...SAMPLES, '-q'])).stdout);
    expect(baseline.findings.map((e) => e.id)).toEqual(scanned.findings.map((f: { id: string }) => f.id).sort());
    for (const entry of baseline.findings) {
      const finding = scanned.findings.find((f: { id: string }) => f.id === entry.id);
      expect(entry).toEqual({
        id: finding.id,
        rule_id: finding.rule_id,
        subject_kind: 'credential',
        subject: finding.subject.credential_fingerprint,
        principal: finding.subject.principal,
        first_seen: finding.first_seen,
        reason: 'present when the baseline was created',
      });
    }
    // from another directory, with an absolute path: the same file
    const again = path.join(dir, 'again.json');
    await runCli(['baseline', 'create', '-o', again, `${REPO}test/fixtures/story/`, '--config', `${REPO}test/fixtures/story/apiaudit.yml`], { cwd: dir });
    expect(readFileSync(again, 'utf8')).toBe(text);
  });

  it('suppresses exactly those findings: a new attack still fails the gate, the accepted ones do not', async () => {
    const attack = makeJwt({ sub: 'intruder@shop.example', exp: epoch('2026-12-31T00:00:00Z') });
    const log = path.join(dir, 'next-day.log');
    writeFileSync(
      log,
      `${[...sampleLines(), ...burst(new Date('2026-11-30T20:00:00Z'), 12, 15, { status: 401, auth: `Bearer ${attack}` })].join('\n')}\n`,
    );
    const gate = await runMain(['scan', log, '--config', 'test/fixtures/story/apiaudit.yml', '--log-type', 'nginx', '--log-pattern', SAMPLE_PATTERN,
      '--baseline', baselineFile, '--fail-on', 'medium']);
    expect(gate.code).toBe(1);
    const report = JSON.parse(gate.stdout);
    expect(report.findings.map((f: { rule_id: string; subject: { principal: string } }) => [f.rule_id, f.subject.principal])).toEqual([
      ['repeated-401', 'intruder@shop.example'],
    ]);
    expect(report.summary.findings).toBe(1);
    expect(report.suppressed.baseline).toEqual({ path: baselineFile, entries: 4, suppressed: 4, stale: [] });
    expect(gate.stderr).toContain(`apiaudit: baseline ${baselineFile}: 4 finding(s) suppressed\n`);

    const clean = await runMain(['scan', ...SAMPLES, '--baseline', baselineFile, '--fail-on', 'info', '-q']);
    expect(clean.code).toBe(0);
    expect(JSON.parse(clean.stdout).findings).toEqual([]);
  });

  it('reports stale entries (no longer found), and keeps findings the baseline no longer lists', async () => {
    const baseline = JSON.parse(readFileSync(baselineFile, 'utf8')) as BaselineFile;
    const dropped = baseline.findings.shift()!;
    const stale = { ...dropped, id: 'f'.repeat(32), reason: 'fixed in release 4.3' };
    const edited = path.join(dir, 'edited.json');
    writeFileSync(edited, JSON.stringify({ ...baseline, findings: [...baseline.findings, stale] }));
    const r = await runMain(['scan', ...SAMPLES, '--baseline', edited, '--fail-on', 'info']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.findings.map((f: { id: string }) => f.id)).toEqual([dropped.id]);
    expect(report.suppressed.baseline).toEqual({
      path: edited,
      entries: 4,
      suppressed: 3,
      stale: [{ id: stale.id, rule_id: stale.rule_id, subject_kind: stale.subject_kind, subject: stale.subject, reason: 'fixed in release 4.3' }],
    });
    expect(r.stderr).toContain(`3 finding(s) suppressed; 1 stale entry no longer found: ${stale.id} (${stale.rule_id})`);
  });

  it('2 for a baseline that is missing or malformed, naming what is wrong', async () => {
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ kind: 'apiaudit-baseline', schema_version: 1, findings: [{ id: 'nope', rule_id: 'x', subject_kind: 'credential', subject: '', first_seen: '', reason: '' }] }));
    const r = await runMain(['scan', ...SAMPLES, '--baseline', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`apiaudit: baseline ${bad}: findings.0.id: a finding id (32 hex digits)\n`);
    const report = path.join(dir, 'a-report.json');
    writeFileSync(report, (await runMain(['scan', ...SAMPLES, '-q'])).stdout);
    const notBaseline = await runMain(['scan', ...SAMPLES, '--baseline', report]);
    expect(notBaseline.code).toBe(2);
    expect(notBaseline.stderr).toMatch(/^apiaudit: baseline .*a-report\.json: kind: /);
    const missing = await runMain(['scan', ...SAMPLES, '--baseline', path.join(dir, 'nope.json')]);
    expect(missing.stderr).toBe(`apiaudit: cannot read baseline ${path.join(dir, 'nope.json')}: ENOENT\n`);
  });

  it('is not written when an input cannot be read', async () => {
    const junk = path.join(dir, 'junk.log');
    writeFileSync(junk, 'not a log\n');
    const out = path.join(dir, 'partial.json');
    const r = await runMain(['baseline', 'create', '-o', out, junk, 'test/fixtures/story/nginx-api.access.log', '--config', 'test/fixtures/story/apiaudit.yml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`apiaudit: error: ${out} not written: an input could not be read\n`);
    expect(() => readFileSync(out)).toThrow(/ENOENT/);
  });
});

describe('ignore entries in the config', () => {
  async function scanWith(ignore: string, extra: { failOn?: 'high' | 'never' } = {}) {
    const config = path.join(dir, `ignore-${Math.random().toString(36).slice(2)}.yml`);
    writeFileSync(config, `${readFileSync(`${REPO}test/fixtures/story/apiaudit.yml`, 'utf8')}\nignore:\n${ignore}`);
    return runScan({ paths: [`${REPO}test/fixtures/story/`], config, failOn: extra.failOn ?? 'never', version: 'test', cwd: REPO });
  }
  const rulesOf = (findings: Array<{ rule_id: string }>) => findings.map((f) => f.rule_id).sort();

  it('by rule id: the finding leaves the report and the gate, and is listed with its reason', async () => {
    const r = await scanWith('  - rule: forbidden-probing\n    reason: pen test of 30 Nov, ticket SEC-12\n', { failOn: 'high' });
    expect(rulesOf(r.report.findings)).toEqual(['expired-token-reuse', 'plain-http', 'repeated-401']);
    expect(r.report.suppressed!.ignored).toEqual([
      expect.objectContaining({ rule_id: 'forbidden-probing', severity: 'high', subject_kind: 'credential', reason: 'pen test of 30 Nov, ticket SEC-12', ignore: 0 }),
    ]);
    expect(r.exitCode).toBe(1); // plain-http is still high
    expect(r.messages).toContain("1 finding(s) ignored by the config's ignore list (listed in the report)");
    const html = await render(r.report, 'html');
    expect(html).toMatch(/<li>ignored <span class="mono">forbidden-probing<\/span> for credential <span class="mono data">[0-9a-f]{64}<\/span> since [^:]+:\d\d(:\d\d)?Z?: <span class="data">pen test of 30 Nov, ticket SEC-12<\/span><\/li>/);
    expect(await render(r.report, 'markdown')).toContain('Ignored by the config (1): `forbidden-probing`');
  });

  it('by subject: the fingerprint, or the principal of a credential', async () => {
    const all = await scanWith('  - rule: plain-http\n    subject: nobody\n    reason: matches nothing\n');
    expect(all.report.findings).toHaveLength(4);
    const carol = all.report.findings.find((f) => f.rule_id === 'plain-http')!;
    const byFingerprint = await scanWith(`  - subject: ${carol.subject.credential_fingerprint}\n    reason: carol's old app, retired in December\n`);
    expect(rulesOf(byFingerprint.report.findings)).toEqual(['expired-token-reuse', 'forbidden-probing', 'repeated-401']);
    const byPrincipal = await scanWith('  - subject: mallory@shop.example\n    reason: red team account\n  - subject: bob@shop.example\n    rule: expired-token-reuse\n    reason: sync job being fixed\n');
    expect(rulesOf(byPrincipal.report.findings)).toEqual(['plain-http', 'repeated-401']);
    expect(byPrincipal.report.suppressed!.ignored.map((i) => [i.rule_id, i.ignore])).toEqual([['forbidden-probing', 0], ['expired-token-reuse', 1]]);
  });

  it('by path prefix of the log file (relative to the working directory, or absolute)', async () => {
    expect((await scanWith('  - path: test/fixtures/story/\n    reason: shipped samples\n')).report.findings).toEqual([]);
    expect((await scanWith(`  - path: ${REPO}test/fixtures/story/nginx\n    reason: shipped samples\n`)).report.findings).toEqual([]);
    expect((await scanWith('  - path: test/fixtures/other/\n    reason: other logs\n')).report.findings).toHaveLength(4);
    expect((await scanWith('  - path: test/fixtures/story/nginx-api.access.log/\n    reason: a directory prefix\n')).report.findings).toHaveLength(4);
  });

  it('2 for an entry without a reason, without a key, with an unknown key or rule', async () => {
    await expect(scanWith('  - rule: plain-http\n')).rejects.toThrow(/ignore\.0\.reason: /);
    await expect(scanWith('  - rule: plain-http\n    reason: "  "\n')).rejects.toThrow(/ignore\.0\.reason: say why it is ignored/);
    await expect(scanWith('  - reason: everything\n')).rejects.toThrow(/ignore\.0: give a rule, a subject or a path/);
    await expect(scanWith('  - rule: plain-http\n    reason: x\n    until: 2027-01-01\n')).rejects.toThrow(/ignore\.0: Unrecognized key: "until"/);
    await expect(scanWith('  - rule: plain-htp\n    reason: typo\n')).rejects.toThrow(/ignore\.0\.rule: no such rule "plain-htp"/);
  });
});
