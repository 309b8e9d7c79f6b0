// The JSON contract: the published JSON Schema is the one the code validates against, and a real
// report satisfies both.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { reportJsonSchema, ReportV1 } from '../src/report/index.js';
import { REPO, runCli } from './support/cli.js';

describe('JSON report schema_version 1', () => {
  it('the committed JSON Schema file is generated from the zod contract (regenerate with `apiaudit schema`)', () => {
    const committed = JSON.parse(readFileSync(`${REPO}src/report/report-v1.schema.json`, 'utf8'));
    expect(committed).toEqual(reportJsonSchema());
  });

  it('`apiaudit schema` prints it', async () => {
    const r = await runCli(['schema']);
    expect(JSON.parse(r.stdout)).toEqual(reportJsonSchema());
  });

  it('a scan of the samples satisfies the contract, with the documented top-level fields', async () => {
    const r = await runCli(['scan', 'samples/', '--config', 'samples/apiaudit.yml']);
    const report = JSON.parse(r.stdout);
    expect(ReportV1.safeParse(report).success).toBe(true);
    expect(report).toMatchObject({ schema_version: 1, tool: { name: 'apiaudit' } });
    for (const finding of report.findings) {
      expect(Object.keys(finding)).toEqual(expect.arrayContaining(['id', 'rule_id', 'severity', 'title', 'message', 'subject', 'first_seen', 'last_seen', 'event_count', 'evidence']));
      expect(Object.keys(finding.subject)).toEqual(expect.arrayContaining(['kind', 'credential_fingerprint', 'principal', 'client_ip']));
      expect(finding.evidence.length).toBeGreaterThan(0);
      expect(Object.keys(finding.evidence[0])).toEqual(expect.arrayContaining(['file', 'line', 'ts', 'method', 'path', 'status']));
    }
  });

  it('rejects a report that breaks the contract', () => {
    expect(ReportV1.safeParse({ schema_version: 2 }).success).toBe(false);
  });
});
