// The bundled samples are the demo and a regression test of the whole pipeline: every shipped rule
// fires exactly once on them, the benign traffic around the attacks never fires, no secret from
// the log reaches the report, and an allow-list entry is applied and reported.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScan, type ScanOutcome } from '../src/cli/scan.js';
import { render } from '../src/report/index.js';
import { BUILTIN_RULES_DIR, loadRuleFiles } from '../src/rules/index.js';

const SAMPLES = fileURLToPath(new URL('../samples/', import.meta.url));
const CONFIG = path.join(SAMPLES, 'apiaudit.yml');
const scanSamples = (config: string) =>
  runScan({ paths: [SAMPLES], config, failOn: 'never', version: 'test', cwd: path.dirname(SAMPLES) });

describe('the samples', () => {
  let outcome: ScanOutcome;
  beforeAll(async () => {
    outcome = await scanSamples(CONFIG);
  });

  it('make every shipped rule fire exactly once', async () => {
    const ids = (await loadRuleFiles([BUILTIN_RULES_DIR])).map((r) => r.metadata.id).sort();
    expect(ids.length).toBeGreaterThanOrEqual(16);
    expect(outcome.report.summary.by_rule).toEqual(Object.fromEntries(ids.map((id) => [id, 1])));
    expect(outcome.report.summary.rejected).toBe(0);
  });

  it('leave the benign traffic alone', () => {
    const subjects = outcome.report.findings.flatMap((f) => [f.subject.principal, ...f.subject.client_ips]);
    // alice (two tokens, laptop and phone, a renewal, a favicon 404, CORS preflights), three
    // colleagues behind one office address, a user who mistyped once, health checks
    for (const benign of ['alice@shop.example', 'hank@shop.example', 'ines@shop.example', 'jo@shop.example', 'uma', '198.51.100.200', '198.51.100.31', '10.0.3.9']) {
      expect(subjects).not.toContain(benign);
    }
  });

  it('never put a token, password or key from the log into the report', async () => {
    const log = readFileSync(path.join(SAMPLES, 'nginx-api.access.log'), 'utf8');
    const secrets = new Set([
      ...[...log.matchAll(/(?:Bearer|Basic) ([A-Za-z0-9._~+/=-]+)/g)].map((m) => m[1]!),
      ...[...log.matchAll(/access_token=([^&\s"]+)/g)].map((m) => m[1]!),
    ]);
    expect(secrets.size).toBeGreaterThan(10);
    for (const format of ['json', 'html'] as const) {
      const rendered = await render(outcome.report, format);
      for (const secret of secrets) expect(rendered).not.toContain(secret);
      expect(rendered).not.toContain('Summer2026!');
    }
  });

  it('report an empty allow-list when the config has none', () => {
    expect(outcome.report.allowlist).toEqual([]);
  });
});

describe('an allow-list entry', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'apiaudit-samples-'));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('silences only the rule it names, and is reported with the events it matched', async () => {
    const config = path.join(work, 'apiaudit.yml');
    await writeFile(
      config,
      `${readFileSync(CONFIG, 'utf8')}
allowlist:
  - client_ip: 192.0.2.0/24
    reason: our own catalogue crawler
    rules: [rate-anomaly]
`,
    );
    const outcome = await scanSamples(config);
    expect(outcome.report.summary.by_rule['rate-anomaly']).toBe(0);
    // the same /24 also holds the stuffing and spraying addresses: other rules still judge them
    expect(outcome.report.summary.by_rule['credential-stuffing']).toBe(1);
    expect(outcome.report.summary.by_rule['password-spray']).toBe(1);
    const log = readFileSync(path.join(SAMPLES, 'nginx-api.access.log'), 'utf8');
    const inRange = log.split('\n').filter((l) => l.startsWith('192.0.2.')).length;
    expect(outcome.report.allowlist).toEqual([
      { kind: 'client_ip', value: '192.0.2.0/24', reason: 'our own catalogue crawler', rules: ['rate-anomaly'], events: inRange },
    ]);
    expect(outcome.messages).toContain(`allow-list: 1 entry matched ${inRange} event(s), excluded from the rules they name (listed in the report)`);
  });
});
