// The CLI contract: exit codes 0/1/2 and one clear line on stderr for every kind of error.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, runMain } from './support/cli.js';

const SAMPLES = ['scan', 'samples/', '--config', 'samples/apiaudit.yml'];
const dir = mkdtempSync(path.join(tmpdir(), 'apiaudit-cli-'));

describe('exit codes', () => {
  it('0 when the scan ran and --fail-on is not given (findings alone never fail)', async () => {
    const r = await runCli([...SAMPLES, '-f', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).summary.findings).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/finding\(s\)/);
  });

  it('1 when a finding at or above --fail-on remains', async () => {
    expect((await runCli([...SAMPLES, '--fail-on', 'high', '-q'])).code).toBe(1);
    expect((await runCli([...SAMPLES, '--fail-on', 'medium', '-q'])).code).toBe(1);
  });

  it('0 when every finding is below --fail-on', async () => {
    const r = await runCli([...SAMPLES, '--fail-on', 'critical', '-q']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('2 with a clear one-line message for a missing file', async () => {
    const r = await runCli(['scan', 'does/not/exist.log']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('apiaudit: no such file or directory: does/not/exist.log\n');
    expect(r.stdout).toBe('');
  });

  it('2 with a message naming the key for a bad config', async () => {
    const config = path.join(dir, 'bad.yml');
    writeFileSync(config, 'rules:\n  repeated-401:\n    min_cout: 3\n');
    const r = await runCli([...SAMPLES.slice(0, 2), '--config', config]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`apiaudit: rules.repeated-401.min_cout: unknown param (known: min_count, window)\n`);
  });

  it('2 for a config value of the wrong type, naming the key', async () => {
    const config = path.join(dir, 'bad-type.yml');
    writeFileSync(config, 'public_paths: health\n');
    const r = await runCli([...SAMPLES.slice(0, 2), '--config', config]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^apiaudit: .*bad-type\.yml: public_paths: /);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('2 for a config param that DuckDB cannot read as its type', async () => {
    const config = path.join(dir, 'bad-interval.yml');
    writeFileSync(config, 'rules:\n  repeated-401:\n    window: soon\n');
    const r = await runCli([...SAMPLES.slice(0, 2), '--config', config]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('apiaudit: rules.repeated-401.window: "soon" is not a valid interval\n');
  });

  it('2 (not 1) for usage errors found by the argument parser', async () => {
    const usage = [
      ['scan'],
      ['scan', 'samples/', '--fail-on', 'severe'],
      ['scan', 'samples/', '--fail-on'], // no silent default for a gate
      ['scan', 'samples/', '--fail-on-new'],
      ['scan', 'samples/', '--since'],
      ['scan', 'samples/', '-o'],
      ['prune', '--db', 'audit.duckdb', '--older-than'],
      ['scan', 'samples/', '--fail-on-new', 'urgent'],
      ['scan', 'samples/', '--no-such-flag'],
      ['frobnicate'],
      ['--fail-on', 'high'],
      ['baseline'],
      ['baseline', 'create', 'samples/'],
      ['baseline', 'remove', 'samples/'],
      ['prune'],
      ['prune', '--db', 'audit.duckdb'],
    ];
    for (const args of usage) {
      const r = await runMain(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/^apiaudit: (?!internal error)[^\n]+\n$/);
      expect(r.stdout, args.join(' ')).toBe('');
    }
  });

  it('2 with a clear message for a --since / --until / --older-than that is neither a duration nor a timestamp', async () => {
    for (const [args, flag] of [
      [['scan', 'samples/', '--since', 'yesterday'], '--since'],
      [['scan', 'samples/', '--until', '2026-13-45'], '--until'],
      [['prune', '--db', 'x.duckdb', '--older-than', '90 days ago'], '--older-than'],
    ] as const) {
      const r = await runMain([...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(new RegExp(`^apiaudit: ${flag} ".*": give a duration back from now \\(30m, 24h, 7d, 2w\\) or a timestamp`));
    }
  });

  it('2 for an unknown log type', async () => {
    const r = await runCli(['scan', 'samples/', '--log-type', 'sendmail']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown log type "sendmail"/);
  });

  it('2 when a file cannot be parsed as any known format, with the report still written', async () => {
    const junk = path.join(dir, 'junk.log');
    writeFileSync(junk, 'this is not an access log\nneither is this\n');
    const out = path.join(dir, 'junk.json');
    const r = await runCli(['scan', junk, 'samples/nginx-api.access.log', '--config', 'samples/apiaudit.yml', '-o', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot detect the log type of .*junk\.log/);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.inputs.map((i: { status: string }) => i.status)).toEqual(['error', 'ingested']);
  });

  it('--help and --version exit 0', async () => {
    expect((await runCli(['--help'])).code).toBe(0);
    const v = await runCli(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('exit-code matrix on the samples (2 high, 2 medium findings)', () => {
  const cases: Array<[string[], number]> = [
    [[], 0],
    [['--fail-on', 'never'], 0],
    [['--fail-on', 'info'], 1],
    [['--fail-on', 'low'], 1],
    [['--fail-on', 'medium'], 1],
    [['--fail-on', 'high'], 1],
    [['--fail-on', 'critical'], 0],
    // without --db every finding is new
    [['--fail-on-new', 'high'], 1],
    [['--fail-on-new', 'critical'], 0],
    [['--fail-on', 'critical', '--fail-on-new', 'medium'], 1],
  ];
  it.each(cases)('%j exits %i', async (flags, code) => {
    const r = await runMain([...SAMPLES, ...flags, '-q']);
    expect(r.code).toBe(code);
    expect(r.stderr).toBe('');
  });

  it('2 wins over 1: an input error exits 2 even with a finding at or above --fail-on', async () => {
    const junk = path.join(dir, 'junk-matrix.log');
    writeFileSync(junk, 'not an access log\n');
    const r = await runCli(['scan', junk, 'samples/nginx-api.access.log', '--config', 'samples/apiaudit.yml', '--fail-on', 'info', '-q']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^apiaudit: error: cannot detect the log type of /);
  });
});

describe('-o writes the report to a file', () => {
  it('writes HTML and prints nothing on stdout', async () => {
    const out = path.join(dir, 'report.html');
    const r = await runCli([...SAMPLES, '-f', 'html', '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(readFileSync(out, 'utf8')).toMatch(/^<!doctype html>/);
  });

  it('fails with exit 2 and a clear message when the output folder does not exist', async () => {
    const r = await runCli([...SAMPLES, '-o', path.join(dir, 'missing', 'r.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^apiaudit: cannot write .*r\.json: ENOENT/);
  });
});
