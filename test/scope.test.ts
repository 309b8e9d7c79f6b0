// The scope every rule reads (scan_events): the false-positive guards resolved once per event,
// and the allow-list, which only ever excludes what the config names, for the rules it names.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/index.js';
import { prepareScope, scopeFromConfig, useRuleScope, type ScopeSummary } from '../src/rules/index.js';
import { Database } from '../src/store/index.js';

interface Row {
  file?: number;
  ts: string;
  ip?: string | null;
  method?: string;
  path: string;
  status?: number;
  detail?: string | null;
  ua?: string | null;
  kind?: string;
  fingerprint?: string | null;
  principal?: string | null;
}

let line = 0;
async function insert(db: Database, rows: Row[]): Promise<void> {
  for (const r of rows) {
    const kind = r.kind ?? 'none';
    await db.run(
      `INSERT INTO events (file_id, line_no, ts, client_ip, method, path, status, status_detail, user_agent, credential_kind,
                           credential_source, credential_fingerprint, principal, subject_kind, subject)
       VALUES ($file, $line, $ts::TIMESTAMP, $ip, $method, $path, $status, $detail, $ua, $kind, $source, $fp, $principal,
               CASE WHEN $fp IS NOT NULL THEN 'credential' WHEN $principal IS NOT NULL THEN 'principal' ELSE 'client_ip' END,
               coalesce($fp, $principal, $ip))`,
      {
        file: r.file ?? 1, line: ++line, ts: r.ts, ip: r.ip === undefined ? '203.0.113.9' : r.ip, method: r.method ?? 'GET', path: r.path,
        status: r.status ?? 200, detail: r.detail ?? null, ua: r.ua ?? 'curl/8.5', kind, source: kind === 'none' ? null : 'header',
        fp: r.fingerprint ?? null, principal: r.principal ?? null,
      },
    );
  }
}

async function column(db: Database, name: string, where: string): Promise<unknown> {
  const row = await db.one<Record<string, unknown>>(`SELECT ${name} AS v FROM scan_events WHERE ${where}`);
  return row?.v;
}

const FP = 'a'.repeat(64);

describe('false-positive guards in scan_events', () => {
  let db: Database;
  beforeAll(async () => {
    db = await Database.open(null);
    await insert(db, [
      { ts: '2026-01-05 09:00:00', path: '/iis/a', status: 401, detail: '401.2.5' },
      { ts: '2026-01-05 09:00:00', path: '/iis/b', status: 401, detail: '401.1' },
      // WWW-Authenticate handshake: anonymous 401, retried with a credential 1 s later
      { ts: '2026-01-05 09:01:00', ip: '192.0.2.10', path: '/reports', status: 401 },
      { ts: '2026-01-05 09:01:01', ip: '192.0.2.10', path: '/reports', status: 200, kind: 'basic', principal: 'bob' },
      // not a handshake: the retry comes 30 s later
      { ts: '2026-01-05 09:02:00', ip: '192.0.2.11', path: '/reports', status: 401 },
      { ts: '2026-01-05 09:02:30', ip: '192.0.2.11', path: '/reports', status: 200, kind: 'basic', principal: 'bob' },
      { ts: '2026-01-05 09:03:00', path: '/assets/app.4f2a.JS' },
      { ts: '2026-01-05 09:03:00', ip: '10.0.3.9', path: '/healthz', ua: 'kube-probe/1.31' },
      { ts: '2026-01-05 09:03:00', ip: '10.0.3.9', path: '/api/status', ua: 'kube-probe/1.31' },
      { ts: '2026-01-05 09:03:00', ip: '2001:db8:7:1::5', path: '/api/Customers/17/Orders/123e4567-e89b-12d3-a456-426614174000' },
      { ts: '2026-01-05 09:03:00', ip: '192.0.2.44', path: '/api/Orders/10;.css' },
      { file: 2, ts: '2026-01-05 09:04:00', ip: '198.51.100.4', path: '/other-file' },
    ]);
    await prepareScope(db, scopeFromConfig(parseConfig({}, 'test')));
  });
  afterAll(() => db.close());

  it('marks IIS 401.2 challenges, not other sub-statuses', async () => {
    expect(await column(db, 'is_auth_challenge', `path = '/iis/a'`)).toBe(true);
    expect(await column(db, 'is_auth_challenge', `path = '/iis/b'`)).toBe(false);
  });

  it('marks an anonymous 401 retried with a credential within seconds as a handshake', async () => {
    expect(await column(db, 'is_auth_challenge', `client_ip = '192.0.2.10' AND status = 401`)).toBe(true);
    expect(await column(db, 'is_auth_challenge', `client_ip = '192.0.2.11' AND status = 401`)).toBe(false);
  });

  it('marks static assets, health checks and monitors', async () => {
    expect(await column(db, 'is_static', `path = '/assets/app.4f2a.JS'`)).toBe(true);
    expect(await column(db, 'is_static', `path = '/reports' LIMIT 1`)).toBe(false);
    expect(await column(db, 'is_static', `path = '/api/Orders/10;.css'`)).toBe(false);
    expect(await column(db, 'is_health_path', `path = '/healthz'`)).toBe(true);
    expect(await column(db, 'is_monitor', `path = '/api/status'`)).toBe(true);
    expect(await column(db, 'is_health_path', `path = '/api/status'`)).toBe(false);
    expect(await column(db, 'is_monitor', `path = '/reports' AND status = 200 LIMIT 1`)).toBe(false);
  });

  it('derives route templates and client networks', async () => {
    expect(await column(db, 'route', `client_ip = '2001:db8:7:1::5'`)).toBe('/api/Customers/{id}/Orders/{uuid}');
    expect(await column(db, 'route', `client_ip = '192.0.2.44'`)).toBe('/api/Orders/{id}');
    expect(await column(db, 'network', `client_ip = '2001:db8:7:1::5'`)).toBe('2001:db8:7::/48');
    expect(await column(db, 'network', `client_ip = '10.0.3.9' LIMIT 1`)).toBe('10.0.0.0/16');
  });

  it('knows which files show credentials', async () => {
    expect(await column(db, 'logs_credential', `path = '/iis/a'`)).toBe(true);
    expect(await column(db, 'logs_credential', `path = '/other-file'`)).toBe(false);
  });

  it('keeps private and loopback addresses', async () => {
    expect(await column(db, 'count(*)::INTEGER', `client_ip = '10.0.3.9'`)).toBe(2);
  });
});

describe('the allow-list', () => {
  let db: Database;
  let summary: ScopeSummary;
  beforeAll(async () => {
    db = await Database.open(null);
    await insert(db, [
      { ts: '2026-01-05 09:00:00', ip: '10.20.1.1', path: '/api/a' },
      { ts: '2026-01-05 09:00:01', ip: '10.20.200.7', path: '/api/b' },
      { ts: '2026-01-05 09:00:02', ip: '10.21.0.1', path: '/api/c' },
      { ts: '2026-01-05 09:00:03', ip: '2001:db8:5::9', path: '/api/d' },
      { ts: '2026-01-05 09:00:04', ip: '198.51.100.1', path: '/api/e', kind: 'bearer', fingerprint: FP },
      { ts: '2026-01-05 09:00:05', ip: '198.51.100.1', path: '/internal/metrics/x' },
      { ts: '2026-01-05 09:00:06', ip: '198.51.100.1', path: '/api/f', kind: 'basic', principal: 'svc-report' },
    ]);
    const config = parseConfig(
      {
        allowlist: [
          { client_ip: '10.20.0.0/16', reason: 'load-test runners', rules: ['rate-anomaly'] },
          { client_ip: '2001:db8:5::/48', reason: 'office v6' },
          { credential: FP.toUpperCase(), reason: 'CI smoke-test token' },
          { path: '/internal/*', reason: 'internal endpoints' },
          { principal: 'svc-report', reason: 'reporting service', rules: ['token-sharing'] },
          { client_ip: '192.0.2.1', reason: 'matches nothing' },
        ],
      },
      'test',
    );
    summary = await prepareScope(db, scopeFromConfig(config));
  });
  afterAll(() => db.close());

  const paths = async (ruleId: string | null) => {
    await useRuleScope(db, ruleId);
    return (await db.all<{ path: string }>(`SELECT path FROM scan_events ORDER BY path`)).map((r) => r.path);
  };

  it('excludes from a rule only what an entry names for that rule (or for all rules)', async () => {
    expect(await paths('rate-anomaly')).toEqual(['/api/c', '/api/f']);
    expect(await paths('token-sharing')).toEqual(['/api/a', '/api/b', '/api/c']);
    expect(await paths('login-bruteforce')).toEqual(['/api/a', '/api/b', '/api/c', '/api/f']);
  });

  it('reports every entry with the number of events it matched', () => {
    expect(summary.allowlist.map((e) => [e.kind, e.value, e.rules, e.events])).toEqual([
      ['client_ip', '10.20.0.0/16', ['rate-anomaly'], 2],
      ['client_ip', '2001:db8:5::/48', null, 1],
      ['credential', FP, null, 1],
      ['path', '/internal/*', null, 1],
      ['principal', 'svc-report', ['token-sharing'], 1],
      ['client_ip', '192.0.2.1', null, 0],
    ]);
  });

  it('refuses entries that are not explicit', () => {
    expect(() => parseConfig({ allowlist: [{ client_ip: '10.0.0.0/8' }] }, 'c')).toThrow(/allowlist\.0\.reason/);
    expect(() => parseConfig({ allowlist: [{ client_ip: '10.0.0.0/33', reason: 'x' }] }, 'c')).toThrow(/CIDR/);
    expect(() => parseConfig({ allowlist: [{ client_ip: '10.0.0.1', path: '/x', reason: 'x' }] }, 'c')).toThrow(/exactly one of/);
  });
});
