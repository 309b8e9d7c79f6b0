// Finding ids are what baselines, SARIF fingerprints and the cron lifecycle key on: they must be the
// same on every machine, for paths given relative or absolute, and for re-exports of the same log.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { REPO, runCli } from './support/cli.js';
import { burst, SAMPLE_CONFIG, SAMPLE_PATTERN, sampleLines } from './support/nginx-lines.js';

const dir = mkdtempSync(path.join(tmpdir(), 'apiaudit-ids-'));

interface Finding {
  id: string;
  rule_id: string;
  first_seen: string;
  subject: { kind: string; credential_fingerprint: string | null; principal: string | null; client_ip: string | null };
  evidence: Array<{ file: string; line: number }>;
}

async function findings(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<Finding[]> {
  const r = await runCli(['scan', ...args, '-q'], options);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { findings: Finding[] }).findings;
}
const byId = (list: Finding[]) => list.map((f) => [f.id, f.rule_id]).sort();

describe('finding ids', () => {
  it('are sha256(rule id, subject kind, subject, episode start): no path, no line number', async () => {
    const list = await findings(['test/fixtures/story/', '--config', 'test/fixtures/story/apiaudit.yml']);
    expect(list).toHaveLength(4);
    for (const f of list) {
      const subject = f.subject.kind === 'credential' ? f.subject.credential_fingerprint : f.subject.kind === 'principal' ? f.subject.principal : f.subject.client_ip;
      const expected = createHash('sha256').update(`${f.rule_id}\n${f.subject.kind}\n${subject}\n${f.first_seen}`).digest('hex').slice(0, 32);
      expect(f.id).toBe(expected);
    }
  });

  it('are the same for a relative path and an absolute one, from another directory, in another time zone and locale', async () => {
    const relative = await findings(['test/fixtures/story/nginx-api.access.log', '--config', 'test/fixtures/story/apiaudit.yml'], { env: { TZ: 'UTC' } });
    const absolute = await findings([`${REPO}test/fixtures/story/nginx-api.access.log`, '--config', `${REPO}test/fixtures/story/apiaudit.yml`], {
      cwd: dir,
      env: { TZ: 'Pacific/Chatham', LANG: 'de_DE.UTF-8', LC_ALL: 'de_DE.UTF-8' },
    });
    expect(byId(absolute)).toEqual(byId(relative));
    expect(relative[0]!.evidence[0]!.file).toBe('test/fixtures/story/nginx-api.access.log');
    expect(absolute[0]!.evidence[0]!.file).toBe(`${REPO}test/fixtures/story/nginx-api.access.log`);
  });

  it('are the same for a re-export: another name and folder, unrelated lines around it, another order, gzipped', async () => {
    const original = await findings(['test/fixtures/story/', '--config', 'test/fixtures/story/apiaudit.yml']);
    const folder = path.join(dir, 'export', '2026-11-30');
    mkdirSync(folder, { recursive: true });
    const probes = burst(new Date('2026-11-29T00:00:00Z'), 30, 600, { ip: '10.0.3.10', path: '/health', ua: 'kube-probe/1.31' });
    const reexport = [...probes, ...[...sampleLines()].reverse(), ...probes.slice(0, 5)];
    const file = path.join(folder, 'api-gateway-export.log.gz');
    writeFileSync(file, gzipSync(`${reexport.join('\n')}\n`));
    const exported = await findings([file, '--config', SAMPLE_CONFIG, '--log-type', 'nginx', '--log-pattern', SAMPLE_PATTERN], { cwd: folder });
    expect(byId(exported)).toEqual(byId(original));
    // the evidence moved (other file, other lines): only the ids stayed
    const lines = (list: Finding[]) => list.map((f) => f.evidence[0]!.line).sort();
    expect(lines(exported)).not.toEqual(lines(original));
    expect(exported[0]!.evidence[0]!.file).toBe('api-gateway-export.log.gz');
  });
});
