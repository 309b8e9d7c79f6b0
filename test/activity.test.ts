// Per-subject activity (the data behind the HTML timelines): every request of each subject with
// findings over the scan window, partitioned by status class and time bucket.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScan } from '../src/cli/scan.js';
import { ReportV1 } from '../src/report/index.js';
import { bucketSeconds } from '../src/rules/activity.js';
import { REPO } from './support/cli.js';

const CLASSES = ['2xx', '3xx', '401', '403', 'other_4xx', '5xx', 'other'] as const;
const scan = (paths: string[], config?: string) =>
  runScan({ paths, config, failOn: 'never', version: 'test', cwd: REPO, now: new Date('2026-12-01T00:00:00Z') });

describe('activity of the samples', async () => {
  const { report } = await scan(['samples/'], 'samples/apiaudit.yml');
  const activity = report.activity!;
  const byPrincipal = Object.fromEntries(activity.subjects.map((s) => [s.principal, s]));

  it('covers the whole scan window in 15-minute buckets, one subject per subject with findings of the samples', () => {
    expect(activity).toMatchObject({ start: '2026-11-30T00:00:00.000Z', end: '2026-11-30T23:00:00.000Z', bucket_seconds: 900 });
    const keyOf = (f: (typeof report.findings)[number]) =>
      `${f.subject.kind} ${f.subject.kind === 'credential' ? f.subject.credential_fingerprint : f.subject.kind === 'principal' ? f.subject.principal : f.subject.client_ip}`;
    // 16 findings, two pairs on one subject each (a guessed password that worked; the partner's token)
    expect(activity.subjects_with_findings).toBe(new Set(report.findings.map(keyOf)).size);
    expect(activity.subjects_with_findings).toBe(14);
    expect(activity.subjects).toHaveLength(14);
    expect(Object.keys(byPrincipal)).toEqual(expect.arrayContaining(['admin@shop.example', 'bob@shop.example', 'carol@shop.example', 'mallory@shop.example']));
    expect(ReportV1.parse(report).activity).toEqual(activity);
  });

  it('counts every request of the credential, not only the evidence, by status class', () => {
    // bob: 12 accepted requests before his token expired, then 6 rejected ones (the evidence)
    expect(byPrincipal['bob@shop.example']).toMatchObject({ requests: 18, status_classes: { '2xx': 12, '401': 6, '403': 0 } });
    // mallory: 14 refusals (the evidence) and the one order she was allowed to read
    expect(byPrincipal['mallory@shop.example']).toMatchObject({ requests: 15, status_classes: { '2xx': 1, '403': 14 } });
    // carol: 3 requests over http (the evidence) and 5 over https with the same token
    expect(byPrincipal['carol@shop.example']).toMatchObject({ requests: 8, status_classes: { '2xx': 8 } });
    expect(byPrincipal['admin@shop.example']).toMatchObject({ requests: 12, status_classes: { '401': 12 } });
  });

  it('timeline buckets add up to the totals, are aligned, ordered and non-empty', () => {
    for (const s of activity.subjects) {
      const sum = (c: (typeof CLASSES)[number]) => s.timeline.reduce((n, b) => n + b[c], 0);
      for (const c of CLASSES) expect(sum(c), `${s.principal} ${c}`).toBe(s.status_classes[c]);
      expect(CLASSES.reduce((n, c) => n + s.status_classes[c], 0)).toBe(s.requests);
      const starts = s.timeline.map((b) => Date.parse(b.start));
      expect(starts).toEqual([...starts].sort((a, b) => a - b));
      for (const t of starts) expect(t % 900_000).toBe(0);
      for (const b of s.timeline) expect(CLASSES.some((c) => b[c] > 0)).toBe(true);
    }
    // bob's six 401s fall at 10:01–10:11, all in the 10:00 bucket
    expect(byPrincipal['bob@shop.example']!.timeline.find((b) => b['401'] > 0)).toMatchObject({ start: '2026-11-30T10:00:00.000Z', '401': 6 });
  });

  it('links each subject to its findings and lists its IPs and user agents with counts', () => {
    const ids = new Set(report.findings.map((f) => f.id));
    for (const s of activity.subjects) {
      expect(s.finding_ids.length).toBeGreaterThan(0);
      for (const id of s.finding_ids) expect(ids.has(id)).toBe(true);
    }
    expect(byPrincipal['bob@shop.example']).toMatchObject({
      distinct_client_ips: 1,
      client_ips: [{ value: '203.0.113.40', requests: 18 }],
      user_agents: [{ value: 'sync-job/1.3 python-requests/2.32', requests: 18 }],
    });
  });
});

describe('activity of a subject keyed on its client IP', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'apiaudit-activity-'));
  const line = (minute: number, ip: string, request: string, status: number, ua = 'scanner/1.0') =>
    `${ip} - - [05/Jan/2026:10:${String(minute).padStart(2, '0')}:00 +0000] "${request}" ${status} 10 "-" "${ua}"`;
  const prober = '203.0.113.9';
  const lines = [
    // ids not in sequence: a walk of consecutive ids would also be a sequential-id-walk
    ...Array.from({ length: 12 }, (_, i) => line(i, prober, `GET /api/Orders/${100 + i * 7} HTTP/1.1`, 403)),
    line(20, prober, 'GET /api/Products HTTP/1.1', 200, 'curl/8.5'),
    line(21, prober, 'GET /api/Products HTTP/1.1', 200, 'curl/8.5'),
    line(22, prober, 'GET /old HTTP/1.1', 302),
    line(23, prober, 'GET /missing HTTP/1.1', 404),
    line(24, prober, 'GET /api/Crash HTTP/1.1', 500),
    line(25, prober, 'GET /ws HTTP/1.1', 101),
    line(26, prober, 'GET /api/Login HTTP/1.1', 401),
    line(30, '198.51.100.1', 'GET /api/Products HTTP/1.1', 200),
  ];
  const file = path.join(dir, 'access.log');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const { report } = await scan([file]);

  it('partitions all of that IP\'s requests: 2xx, 3xx, 401, 403, other 4xx, 5xx and other', () => {
    expect(report.findings.map((f) => [f.rule_id, f.subject.kind, f.subject.client_ip])).toEqual([['forbidden-probing', 'client_ip', prober]]);
    const [subject] = report.activity!.subjects;
    expect(subject).toMatchObject({
      kind: 'client_ip',
      subject: prober,
      requests: 19,
      status_classes: { '2xx': 2, '3xx': 1, '401': 1, '403': 12, other_4xx: 1, '5xx': 1, other: 1 },
      distinct_user_agents: 2,
      user_agents: [{ value: 'scanner/1.0', requests: 17 }, { value: 'curl/8.5', requests: 2 }],
    });
    expect(report.activity!.bucket_seconds).toBe(60);
    expect(subject!.timeline).toHaveLength(19);
  });
});

describe('the principal of a subject keyed on its client IP', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'apiaudit-activity-'));
  const line = (minute: number, user: string, request: string, status: number) =>
    `203.0.113.7 - ${user} [05/Jan/2026:10:${String(minute).padStart(2, '0')}:00 +0000] "${request}" ${status} 10 "-" "scanner/1.0"`;
  const lines = [
    // two users equally often, the later one in sort order first: the report names the other
    line(0, 'zed', 'GET /api/Products HTTP/1.1', 200),
    line(1, 'zed', 'GET /api/Products HTTP/1.1', 200),
    line(2, 'amy', 'GET /api/Products HTTP/1.1', 200),
    line(3, 'amy', 'GET /api/Products HTTP/1.1', 200),
    ...Array.from({ length: 12 }, (_, i) => line(10 + i, '-', `GET /api/Orders/${100 + i * 7} HTTP/1.1`, 403)),
  ];
  const file = path.join(dir, 'access.log');
  writeFileSync(file, `${lines.join('\n')}\n`);

  it('is the most frequent one, the first in sort order on a tie, the same on every run', async () => {
    const runs = await Promise.all([scan([file]), scan([file]), scan([file])]);
    for (const { report } of runs) {
      const subject = report.activity!.subjects.find((s) => s.kind === 'client_ip' && s.subject === '203.0.113.7');
      expect(subject).toMatchObject({ requests: 16, principal: 'amy' });
    }
  });
});

describe('a finding\'s principal and client IP on a tie', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'apiaudit-activity-'));
  // bob probes from two addresses equally often, the later one in sort order first
  const lines = Array.from({ length: 12 }, (_, i) =>
    `${i % 2 ? '198.51.100.1' : '198.51.100.9'} - bob [05/Jan/2026:10:${String(i).padStart(2, '0')}:00 +0000] "GET /api/Orders/${100 + i * 7} HTTP/1.1" 403 10 "-" "scanner/1.0"`);
  const file = path.join(dir, 'access.log');
  writeFileSync(file, `${lines.join('\n')}\n`);

  it('is the first in sort order, the same on every run', async () => {
    const runs = await Promise.all([scan([file]), scan([file]), scan([file])]);
    for (const { report } of runs) {
      expect(report.findings.map((f) => [f.rule_id, f.subject.kind, f.subject.principal, f.subject.client_ip])).toEqual([
        ['forbidden-probing', 'principal', 'bob', '198.51.100.1'],
      ]);
    }
  });
});

describe('bucket size', () => {
  it('is the smallest round size giving at most 96 buckets', () => {
    const minute = 60_000;
    expect(bucketSeconds(0)).toBe(60);
    expect(bucketSeconds(96 * minute)).toBe(60);
    expect(bucketSeconds(97 * minute)).toBe(300);
    expect(bucketSeconds(23 * 60 * minute)).toBe(900);
    expect(bucketSeconds(30 * 24 * 60 * minute)).toBe(43200);
    expect(bucketSeconds(3 * 365 * 24 * 60 * minute)).toBe(12 * 86400);
  });
});
