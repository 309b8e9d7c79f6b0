// HAProxy HTTP logs: elastic/beats haproxy fixture (syslog prefix, captured headers, a host field),
// crowdsecurity/hub haproxy parser test (bare lines + TLS handshake errors), logstash-patterns-core
// haproxy_spec cases, and the zone-less accept date read in a --timezone
// (https://docs.haproxy.org/2.8/configuration.html#8.2.3).
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { beatsPairs, ecsPairs, expectFields } from '../support/golden.js';
import { fixture, ingest, ingestText } from '../support/ingest.js';

const read = (p: string) => JSON.parse(readFileSync(fixture(p), 'utf8'));

describe('beats haproxy fixture', async () => {
  const expected = read('beats/haproxy/haproxy.log-expected.json') as Array<Record<string, unknown>>;
  const { db, results, events } = await ingest([fixture('beats/haproxy/haproxy.log')]);
  afterAll(() => db.close());

  it('is detected as haproxy, all 10 lines accepted', () => {
    expect(results[0]).toMatchObject({ logType: 'haproxy', lines: 10, events: 10, rejected: 0 });
    expect(results[0]!.coverage!.notes).toContain('HAProxy accept dates have no time zone: read as UTC (set --timezone or the input\'s timezone)');
  });

  it.each(expected.map((e, i) => [i + 1, e] as const))('line %i equals upstream', (line, want) => {
    const got = events.find((e) => e.line_no === line)!;
    const pairs = beatsPairs(got, want);
    pairs.push(
      ['url.path', got.path, want['url.path']],
      ['http.response.bytes', got.bytes, want['http.response.bytes']],
      ['event.duration (ns)', got.duration_ms! * 1e6, want['event.duration']],
      ['haproxy.frontend_name (~ = TLS)', got.scheme, String(want['haproxy.frontend_name']).endsWith('~') ? 'https' : 'http'],
    );
    if ('destination.domain' in want) pairs.push(['destination.domain', got.host, want['destination.domain']]);
    if (!('source.address' in want)) pairs.push(['source.address (absent: client "-")', got.client_ip, null]);
    expectFields('beats/haproxy', line, pairs);
  });
});

describe('crowdsec haproxy parser fixture', async () => {
  const parsed = read('crowdsec-hub/haproxy/parser.assert.expected.json')['s01-parse']['crowdsecurity/haproxy-logs'] as Array<{ parsed: Record<string, string> }>;
  const { db, results, events } = await ingest([fixture('crowdsec-hub/haproxy/haproxy-logs.log')], { logType: 'haproxy' });
  afterAll(() => db.close());

  it('accepts the 2 HTTP lines and rejects the 3 TLS handshake error lines (not requests)', () => {
    expect(results[0]).toMatchObject({ lines: 5, events: 2, rejected: 3 });
    expect(results[0]!.rejectedLines.map((r) => r.line)).toEqual([3, 4, 5]);
  });

  it('cannot be auto-detected (most lines are not HTTP logs) and says which type came closest', async () => {
    const detected = await ingest([fixture('crowdsec-hub/haproxy/haproxy-logs.log')]);
    detected.db.close();
    expect(detected.results[0]!.error).toMatch(/cannot detect the log type of .*haproxy-logs\.log \(closest: haproxy 2\/5 lines\); pass --log-type/);
  });

  it.each(parsed.slice(0, 2).map((p, i) => [i + 1, p.parsed] as const))('line %i equals upstream', (line, p) => {
    const got = events.find((e) => e.line_no === line)!;
    expectFields('crowdsec-hub/haproxy', line, [
      ['client_ip', got.client_ip, p.client_ip],
      ['client_port', got.client_port, Number(p.client_port)],
      ['accept_date', got.ts, new Date(`${p.accept_date!.replace(/^(\d\d)\/(\w{3})\/(\d{4}):/, '$2 $1 $3 ')}Z`).toISOString()],
      ['http_verb', got.method, p.http_verb],
      ['http_request', got.path, p.http_request],
      ['http_version', got.http_version, p.http_version],
      ['http_status_code', got.status, Number(p.http_status_code)],
      ['bytes_read', got.bytes, Number(p.bytes_read)],
      ['time_duration', got.duration_ms, Number(p.time_duration)],
      ['frontend_name (~ = TLS)', got.scheme, p.frontend_name!.endsWith('~') ? 'https' : 'http'],
    ]);
  });
});

describe('logstash-patterns-core haproxy cases', async () => {
  const cases = (read('logstash-patterns-core/grok-spec-cases.json').cases as Array<{ pattern: string; message: string; expected_ecs_subset: Record<string, unknown> }>)
    .filter((c) => c.pattern.startsWith('HAPROXYHTTP'));
  const { db, results, events } = await ingestText('haproxy.log', cases.map((c) => c.message));
  afterAll(() => db.close());

  it('detects haproxy and accepts the 3 cases (ISO syslog time, absolute URI, <NOSRV>/<BADREQ>)', () => {
    expect(results[0]).toMatchObject({ logType: 'haproxy', events: 3, rejected: 0 });
  });

  it.each(cases.map((c, i) => [i + 1, c.expected_ecs_subset] as const))('case %i equals upstream', (line, want) => {
    const got = events.find((e) => e.line_no === line)!;
    const pairs = ecsPairs(got, { ...want, timestamp: undefined });
    pairs.push(['haproxy.frontend_name (~ = TLS)', got.scheme, String(want['haproxy.frontend_name']).endsWith('~') ? 'https' : 'http']);
    if ('haproxy.total_time_ms' in want) pairs.push(['haproxy.total_time_ms', got.duration_ms, Number(want['haproxy.total_time_ms'])]);
    if ('url.domain' in want) pairs.push(['url.domain', got.host, want['url.domain']]);
    if (line === 3) pairs.push(['<BADREQ>: no url', got.path, null], ['<BADREQ>: no method', got.method, null]);
    expectFields('logstash-patterns-core/haproxy', line, pairs.filter(([k]) => k !== 'url.scheme'));
  });
});

describe('HAProxy time zones', () => {
  const line = 'Feb  6 12:14:14 lb1 haproxy[14389]: 10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 "GET /index.html HTTP/1.1"';

  it.each([
    [undefined, '2009-02-06T12:14:14.655Z'],
    ['Europe/Paris', '2009-02-06T11:14:14.655Z'],
    ['-05:00', '2009-02-06T17:14:14.655Z'],
  ])('reads the accept date in zone %s', async (timezone, utc) => {
    const { db, results, events } = await ingestText('haproxy.log', [line], { logType: 'haproxy', timezone });
    db.close();
    expect(events[0]).toMatchObject({ ts: utc, scheme: 'http', client_ip: '10.0.1.2', duration_ms: 109 });
    if (timezone) expect(results[0]!.coverage!.notes).toContain(`HAProxy accept dates have no time zone: read as ${timezone}`);
  });

  it('refuses an unknown zone with a usage error', async () => {
    await expect(ingestText('haproxy.log', [line], { logType: 'haproxy', timezone: 'Mars/Olympus' })).rejects.toThrow(/unknown time zone "Mars\/Olympus"/);
  });
});
