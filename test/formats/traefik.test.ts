// Traefik access logs: elastic/beats traefik fixture (CLF, v1 style, IPv6, oauth_token in URLs, a
// plain common line), crowdsecurity/hub traefik CLF and JSON parser tests, and JSON lines written
// from the documentation (https://doc.traefik.io/traefik/observability/access-logs/).
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { beatsPairs, expectFields } from '../support/golden.js';
import { fixture, ingest, ingestText } from '../support/ingest.js';

const read = (p: string) => JSON.parse(readFileSync(fixture(p), 'utf8'));
const dash = (v: string | undefined) => (v === undefined || v === '-' ? null : v);

describe('beats traefik fixture', async () => {
  const expected = read('beats/traefik-clf/test.log-expected.json') as Array<Record<string, unknown>>;
  const { db, results, events } = await ingest([fixture('beats/traefik-clf/test.log')]);
  afterAll(() => db.close());

  it('is detected as traefik; the plain common line 7 is read too', () => {
    expect(results[0]).toMatchObject({ logType: 'traefik', lines: 7, events: 7, rejected: 0 });
  });

  it.each(expected.map((e, i) => [i + 1, e] as const))('line %i equals upstream', (line, want) => {
    const got = events.find((e) => e.line_no === line)!;
    // the oauth_token values in lines 5 and 6 are secrets: we keep the parameter, not the token
    const original = String(want['url.original']).replace(/oauth_token=[^&]*/, 'oauth_token=REDACTED');
    const pairs = beatsPairs(got, { ...want, 'url.original': original });
    if ('event.duration' in want) pairs.push(['event.duration (ns)', got.duration_ms! * 1e6, want['event.duration']]);
    expectFields('beats/traefik-clf', line, pairs);
  });

  it('fingerprints the oauth_token of lines 5 and 6 and never keeps it', () => {
    expect(events[4]).toMatchObject({ credential_kind: 'api-key', credential_source: 'query', subject_kind: 'credential', secret_params: ['oauth_token'] });
    expect(JSON.stringify(events)).not.toContain('ya29.');
  });
});

describe('crowdsec traefik CLF parser fixture', async () => {
  const parsed = read('crowdsec-hub/traefik-clf/parser.assert.expected.json')['s01-parse']['crowdsecurity/traefik-logs'] as Array<{ parsed: Record<string, string> }>;
  const { db, results, events } = await ingest([fixture('crowdsec-hub/traefik-clf/traefik_clf.log')]);
  afterAll(() => db.close());

  it('is detected as traefik: 7 events, the 2 blank lines skipped', () => {
    expect(results[0]).toMatchObject({ logType: 'traefik', lines: 9, events: 7, skipped: 2, rejected: 0 });
  });

  it.each(parsed.map((p, i) => [i + 1, p.parsed] as const))('line %i equals upstream', (line, p) => {
    const got = events.find((e) => e.line_no === line)!;
    const [path, query] = p.request!.split('?');
    expectFields('crowdsec-hub/traefik-clf', line, [
      ['remote_addr', got.client_ip, p.remote_addr],
      ['remote_user', got.principal, dash(p.remote_user)],
      ['time_local', got.ts, new Date(p.time_local!.replace(/^(\d\d)\/(\w{3})\/(\d{4}):/, '$2 $1 $3 ')).toISOString()],
      ['verb', got.method, p.verb],
      ['request (path)', got.path, path],
      ['request (query)', got.query, query ?? null],
      ['http_version', got.http_version, p.http_version],
      ['status', got.status, p.status === '-' ? null : Number(p.status)],
      ['body_bytes_sent', got.bytes, p.body_bytes_sent === '-' ? null : Number(p.body_bytes_sent)],
      ['http_referer', got.referrer, dash(p.http_referer)],
      ['http_user_agent', got.user_agent, dash(p.http_user_agent)],
      ['request_duration_in_ms', got.duration_ms, Number(p.request_duration_in_ms)],
    ]);
  });
});

describe('crowdsec traefik JSON parser fixture', async () => {
  const parsed = read('crowdsec-hub/traefik-json/parser.assert.expected.json')['s01-parse']['crowdsecurity/traefik-logs'] as Array<{ success: boolean; parsed?: Record<string, string> }>;
  const { db, results, events } = await ingest([fixture('crowdsec-hub/traefik-json/traefik_json.log')]);
  afterAll(() => db.close());

  it('is detected as traefik; the plugin debug line 6 is rejected by number', () => {
    expect(results[0]).toMatchObject({ logType: 'traefik', lines: 7, events: 6, rejected: 1 });
    expect(results[0]!.rejectedLines).toEqual([{ line: 6, reason: 'line does not match the Traefik CLF format' }]);
    expect(parsed[5]!.success).toBe(false);
  });

  it.each(parsed.flatMap((p, i) => (p.success ? [[i + 1, p.parsed!] as const] : [])))('line %i equals upstream', (line, p) => {
    const got = events.find((e) => e.line_no === line)!;
    const pairs: Array<[string, unknown, unknown]> = [
      ['verb', got.method, p.verb],
      ['request', got.path, p.request],
      ['http_version', got.http_version, p.http_version],
      ['status', got.status, Number(p.status)],
      ['body_bytes_sent', got.bytes, Number(p.body_bytes_sent)],
      ['request_addr', got.host, p.request_addr],
      ['http_user_agent', got.user_agent, p.http_user_agent ?? null],
      // crowdsec takes `time` (written at the end, to the second); we take StartUTC (request start, ns)
      ['time_local (to the second)', `${got.ts.slice(0, 19)}Z`, new Date(p.time_local!).toISOString().replace('.000Z', 'Z')],
      ['request_duration_in_ms (ns)', got.duration_ms! * 1e6, Number(p.request_duration_in_ms)],
    ];
    // crowdsec's remote_addr is the last ClientHost entry; ours is the connection's peer
    // (ClientAddr), with ClientHost kept as the forwarded chain. They differ on line 7 only.
    if (line === 7) pairs.push(['ClientAddr (peer)', got.client_ip, '172.71.122.85'], ['ClientHost (forwarded)', got.forwarded_for, `192.168.1.100,${p.remote_addr}`]);
    else pairs.push(['remote_addr', got.client_ip, p.remote_addr]);
    expectFields('crowdsec-hub/traefik-json', line, pairs);
  });

  it('reads the scheme and TLS version of every JSON line', () => {
    expect(events.map((e) => [e.scheme, e.tls_version])).toEqual([
      ['http', null], ['http', null], ['http', null], ['http', null], ['https', 'TLSv1.3'], ['https', 'TLSv1.3'],
    ]);
  });
});

describe('Traefik JSON with kept headers (documentation layout)', () => {
  it('reads ClientUsername, request_Authorization (fingerprinted) and IPv6 peers', async () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJlcmluIiwiZXhwIjoxNzAwMDAwMDAwfQ.c2ln';
    const entry = (o: Record<string, unknown>) => JSON.stringify({
      ClientAddr: '[2001:db8::9]:41000', ClientHost: '2001:db8::9', ClientPort: '41000', ClientUsername: '-', DownstreamContentSize: 12,
      DownstreamStatus: 200, Duration: 1500000, RequestHost: 'api.example.com', RequestMethod: 'GET', RequestPath: '/v1/me?x=1',
      RequestProtocol: 'HTTP/1.1', RequestScheme: 'http', StartUTC: '2024-03-01T10:00:00.123456789Z', 'request_User-Agent': 'curl/8', ...o,
    });
    const { db, results, events } = await ingestText('traefik.json', [
      entry({ request_Authorization: `Bearer ${jwt}` }),
      entry({ ClientUsername: 'frank', request_Authorization: 'REDACTED', DownstreamStatus: 401, RequestScheme: 'https' }),
    ]);
    db.close();
    expect(results[0]).toMatchObject({ logType: 'traefik', events: 2 });
    expect(events[0]).toMatchObject({ ts: '2024-03-01T10:00:00.123Z', client_ip: '2001:db8::9', forwarded_for: null, scheme: 'http', path: '/v1/me', query: 'x=1',
      credential_kind: 'bearer', jwt_sub: 'erin', jwt_exp: '2023-11-14T22:13:20Z', duration_ms: 1.5 });
    expect(events[1]).toMatchObject({ credential_kind: 'none', principal: 'frank', subject: 'frank', status: 401, scheme: 'https' });
    expect(JSON.stringify(events)).not.toContain(jwt);
  });
});
