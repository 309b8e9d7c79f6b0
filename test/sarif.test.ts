// SARIF 2.1.0 (`-f sarif`): valid against the official schema (from @microsoft/jest-sarif), within
// GitHub code scanning's rules, located at the log line of each finding's first evidence row
// relative to the repository root, and with every log value escaped for SARIF message text.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { githubSarifViolations } from './support/github-sarif.js';
import { REPO, runCli, runMain } from './support/cli.js';
import { burst, SAMPLE_PATTERN } from './support/nginx-lines.js';

const require = createRequire(import.meta.url);
const Ajv = require('ajv-draft-04') as typeof import('ajv-draft-04').default;
const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;
const SARIF_SCHEMA = require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');

// The schema's `language` pattern is not valid as a unicode regular expression.
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const validateSarif = ajv.compile(SARIF_SCHEMA);

const dir = mkdtempSync(path.join(tmpdir(), 'apiaudit-sarif-'));
const SAMPLES = ['test/fixtures/story/', '--config', 'test/fixtures/story/apiaudit.yml'];

async function sarifOf(args: string[], cwd = REPO) {
  const r = cwd === REPO ? await runMain(['scan', ...args, '-f', 'sarif', '-q']) : await runCli(['scan', ...args, '-f', 'sarif', '-q'], { cwd });
  expect(r.code, r.stderr).toBe(0);
  const sarif = JSON.parse(r.stdout);
  validateSarif(sarif);
  expect(validateSarif.errors ?? []).toEqual([]);
  expect(githubSarifViolations(sarif)).toEqual([]);
  return sarif;
}

describe('-f sarif', () => {
  it('validates against the SARIF 2.1.0 schema and GitHub code scanning rules, with every rule described', async () => {
    const sarif = await sarifOf(SAMPLES);
    const json = JSON.parse((await runMain(['scan', ...SAMPLES, '-q'])).stdout);
    const run = sarif.runs[0];
    expect(run.tool.driver).toMatchObject({ name: 'apiaudit', version: json.tool.version });
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(json.rules.map((r: { id: string }) => r.id));
    for (const rule of run.tool.driver.rules) {
      const source = json.rules.find((r: { id: string }) => r.id === rule.id);
      expect(rule.shortDescription.text).toBe(source.title);
      expect(rule.help.text).toContain(source.remediation.trim());
      const score = Number(rule.properties['security-severity']);
      const band = { critical: [9.1, 10], high: [7, 8.9], medium: [4, 6.9], low: [0.1, 3.9], info: [0, 3.9] }[source.severity as string]!;
      expect(score).toBeGreaterThanOrEqual(band[0]!);
      expect(score).toBeLessThanOrEqual(band[1]!);
    }
  });

  it('one result per finding: rule, level, the log file relative to the repository root, the line of the first evidence row, the finding id as fingerprint', async () => {
    const sarif = await sarifOf(SAMPLES);
    const json = JSON.parse((await runMain(['scan', ...SAMPLES, '-q'])).stdout);
    const results = sarif.runs[0].results;
    expect(results).toHaveLength(json.findings.length);
    json.findings.forEach((finding: { id: string; rule_id: string; severity: string; evidence: Array<{ line: number }> }, i: number) => {
      expect(results[i]).toMatchObject({
        ruleId: finding.rule_id,
        level: { high: 'error', medium: 'warning' }[finding.severity],
        locations: [{ physicalLocation: { artifactLocation: { uri: 'test/fixtures/story/nginx-api.access.log', uriBaseId: '%SRCROOT%' }, region: { startLine: finding.evidence[0]!.line } } }],
        partialFingerprints: { 'apiauditFindingId/v1': finding.id },
      });
      expect(sarif.runs[0].tool.driver.rules[results[i].ruleIndex].id).toBe(finding.rule_id);
    });
  });

  it('the location stays repository-relative when apiaudit runs from a subfolder with a ../ path', async () => {
    const sarif = await sarifOf(['fixtures/story/', '--config', 'fixtures/story/apiaudit.yml'], `${REPO}test`);
    const uris = new Set(sarif.runs[0].results.map((r: { locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }) => r.locations[0]!.physicalLocation.artifactLocation.uri));
    expect([...uris]).toEqual(['test/fixtures/story/nginx-api.access.log']);
  });

  it('escapes log values in message text, percent-encodes file names, and uses a file: URI outside a repository', async () => {
    // a principal (basic auth over http) full of SARIF and Markdown syntax, in a file name with spaces and #
    const user = 'ev[il](evil.example/x)\\y';
    const basic = `Basic ${Buffer.from(`${user}:pw`).toString('base64')}`;
    const lines = burst(new Date('2026-11-30T09:00:00Z'), 3, 60, { scheme: 'http', auth: basic });
    const repo = path.join(dir, 'repo');
    mkdirSync(path.join(repo, '.git'), { recursive: true });
    mkdirSync(path.join(repo, 'logs'));
    const inRepo = path.join(repo, 'logs', 'access log #1.log');
    writeFileSync(inRepo, `${lines.join('\n')}\n`);
    const flags = ['--log-type', 'nginx', '--log-pattern', SAMPLE_PATTERN];

    const sarif = await sarifOf([inRepo, ...flags], repo);
    const [result] = sarif.runs[0].results;
    expect(result.ruleId).toBe('plain-http');
    expect(result.message.text).toMatch(/plain HTTP .*sent\. \(principal ev\\\[il\\\]\(evil\.example\/x\)\\\\y\)$/);
    // every [ ] \ left in the text is escaped
    expect(result.message.text.replace(/\\[[\]\\]/g, '')).not.toMatch(/[[\]\\]/);
    expect(result.locations[0].physicalLocation.artifactLocation.uri).toBe('logs/access%20log%20%231.log');

    const outside = path.join(dir, 'outside', 'access log.log');
    mkdirSync(path.dirname(outside));
    writeFileSync(outside, `${lines.join('\n')}\n`);
    const loose = await sarifOf([outside, ...flags], path.dirname(outside));
    expect(loose.runs[0].results[0].locations[0].physicalLocation.artifactLocation).toEqual({ uri: pathToFileURL(outside).href });
  });

  it('the GitHub rules check does catch what code scanning would refuse', async () => {
    const sarif = await sarifOf(SAMPLES);
    const broken = structuredClone(sarif);
    const [first, second] = broken.runs[0].results;
    first.locations = [];
    second.ruleIndex = (second.ruleIndex + 1) % broken.runs[0].tool.driver.rules.length;
    broken.runs[0].tool.driver.rules[0].properties['security-severity'] = 8;
    expect(githubSarifViolations(broken)).toEqual([
      'runs[0].tool.driver.rules[0]: security-severity is a string score from 0.0 to 10.0',
      'runs[0].results[0]: 1 to 10 locations (code scanning shows no result without one)',
      'runs[0].results[1].ruleIndex must point at its rule',
    ]);
    validateSarif({ ...sarif, version: '2.0.0' });
    expect(validateSarif.errors?.length).toBeGreaterThan(0);
  });
});
