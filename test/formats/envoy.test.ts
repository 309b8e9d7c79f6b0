// Envoy / Istio access logs: crowdsecurity/hub envoy parser test (CRI-wrapped Envoy Gateway JSON and
// default text, IPv6), DataDog integrations-core envoy samples (Envoy default and old Istio text),
// and lines written from the Envoy and Istio documentation
// (https://www.envoyproxy.io/docs/envoy/latest/configuration/observability/access_log/usage,
//  https://istio.io/latest/docs/tasks/observability/logs/access-log/).
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { expectFields } from '../support/golden.js';
import { fixture, ingest, ingestText } from '../support/ingest.js';

const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJmcmFuayIsImV4cCI6MTcwMDAwMDAwMH0.c2ln';

describe('crowdsec envoy parser fixture (CRI-wrapped, JSON and text mixed)', async () => {
  const parsed = JSON.parse(readFileSync(fixture('crowdsec-hub/envoy/parser.assert.expected.json'), 'utf8'))['s01-parse']['yanis-kouidri/envoy-logs'] as Array<{ parsed: Record<string, string> }>;
  const { db, results, events } = await ingest([fixture('crowdsec-hub/envoy/envoy.log')]);
  afterAll(() => db.close());

  it('is detected as envoy, every line accepted', () => {
    expect(results[0]).toMatchObject({ logType: 'envoy', lines: 10, events: 10, rejected: 0 });
  });

  it.each(parsed.map((p, i) => [i + 1, p.parsed] as const))('line %i equals upstream', (line, p) => {
    const got = events.find((e) => e.line_no === line)!;
    const pairs: Array<[string, unknown, unknown]> = [
      ['time', got.ts, p.time],
      ['verb', got.method, p.verb],
      ['request', got.path, p.request],
      ['status', got.status, Number(p.status)],
      ['http_user_agent', got.user_agent, p.http_user_agent],
      ['target_fqdn', got.host, p.target_fqdn],
    ];
    if (p.bytes_sent) pairs.push(['bytes_sent', got.bytes, Number(p.bytes_sent)], ['duration', got.duration_ms, Number(p.duration)]);
    if (p.http_version) pairs.push(['http_version', got.http_version, p.http_version]);
    if (p.x_forwarded_for) pairs.push(['x_forwarded_for', got.forwarded_for, p.x_forwarded_for]);
    // JSON lines 7 and 8 log both a forwarded chain and the peer: crowdsec takes the peer
    // (downstream_remote_address), we apply our one rule (right-most public address of chain +
    // peer, else the left-most entry) and keep the chain; elsewhere the two agree.
    if (line === 7 || line === 8) pairs.push(['remote_addr (left-most of an all-private chain)', got.client_ip, p.x_forwarded_for ?? (line === 7 ? '192.168.1.100' : 'fd00:1234:5678::5a24')]);
    else pairs.push(['remote_addr', got.client_ip, p.remote_addr]);
    expectFields('crowdsec-hub/envoy', line, pairs);
  });

  it('keeps the response code details of JSON lines', () => {
    expect(events[1]!.status_detail).toBe('direct_response');
    expect(events[0]!.auth_error).toBeNull();
  });
});

describe('DataDog envoy samples', async () => {
  type Sample = { sample: string; result: { custom?: { date?: number; duration?: number; http?: Record<string, unknown>; network?: Record<string, number> } } };
  const samples = (parseYaml(readFileSync(fixture('datadog-integrations-core/envoy/envoy_tests.yaml'), 'utf8')) as { tests: Sample[] }).tests;
  const { db, results, events } = await ingestText('envoy.log', samples.map((s) => s.sample));
  afterAll(() => db.close());

  it('detects envoy, reads the 4 access-log samples and rejects the application log line', () => {
    expect(results[0]).toMatchObject({ logType: 'envoy', events: 4, rejected: 1 });
    expect(results[0]!.rejectedLines.map((r) => r.line)).toEqual([5]);
  });

  it.each(samples.slice(0, 4).map((s, i) => [i + 1, s.result.custom!] as const))('sample %i equals upstream', (line, want) => {
    const got = events.find((e) => e.line_no === line)!;
    const http = want.http!;
    const url = String(http.url);
    expectFields('datadog-integrations-core/envoy', line, [
      ['date', got.ts, new Date(want.date!).toISOString()],
      ['duration (ns)', got.duration_ms! * 1e6, want.duration],
      ['http.method', got.method, http.method],
      // the api_key in sample 3 is a secret: its value is never kept
      ['http.url', got.query === null ? got.path : `${got.path}?${got.query}`, url.replace(/api_key=[^&]*/, 'api_key=REDACTED')],
      ['http.protocol', `HTTP/${got.http_version}`, http.protocol],
      ['http.status_code', got.status, http.status_code],
      ['http.useragent', got.user_agent, http.useragent],
      ['http.authority', got.host, String(http.authority).replace(/:\d+$/, '')],
      ['http._x_forwarded_for', got.forwarded_for, http._x_forwarded_for === '-' ? null : http._x_forwarded_for],
      ['network.bytes_written', got.bytes, want.network!.bytes_written],
    ]);
  });

  it('reads the Istio peer address of samples 1 and 2 (old Istio layout)', () => {
    expect(events.slice(0, 2).map((e) => e.client_ip)).toEqual(['172.30.146.82', '172.30.146.82']);
    expect(events[2]).toMatchObject({ credential_kind: 'api-key', credential_source: 'query' });
  });
});

describe('Envoy and Istio lines written from the documentation', () => {
  it('reads the current Istio text format and a jwt_authn denial as auth_error', async () => {
    const istio = (code: number, details: string, ua: string) =>
      `[2024-05-01T10:00:00.000Z] "GET /api/orders HTTP/1.1" ${code} - ${details} - "-" 0 54 3 - "-" "${ua}" "id-1" "api.example.com" "-" outbound|8080||orders.svc - 10.1.0.5:8080 203.0.113.7:51234 - default`;
    const { db, results, events } = await ingestText('istio.log', [
      istio(401, 'jwt_authn_access_denied{Jwt_is_expired}', 'app/1.0'),
      istio(403, 'rbac_access_denied_matched_policy[none]', 'app/1.0'),
      istio(200, 'via_upstream', 'app/1.0'),
    ]);
    db.close();
    expect(results[0]).toMatchObject({ logType: 'envoy', events: 3, rejected: 0 });
    expect(events.map((e) => [e.status, e.status_detail, e.auth_error, e.client_ip])).toEqual([
      [401, 'jwt_authn_access_denied{Jwt_is_expired}', 'jwt_authn_access_denied{Jwt_is_expired}', '203.0.113.7'],
      [403, 'rbac_access_denied_matched_policy[none]', 'rbac_access_denied_matched_policy[none]', '203.0.113.7'],
      [200, 'via_upstream', null, '203.0.113.7'],
    ]);
  });

  it('reads a --log-pattern format string with %REQ(AUTHORIZATION)%, TLS and jwt_authn claims', async () => {
    const pattern = '[%START_TIME%] %DOWNSTREAM_REMOTE_ADDRESS% "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% %RESPONSE_CODE_DETAILS% %DOWNSTREAM_TLS_VERSION% "%REQ(AUTHORIZATION)%" %DYNAMIC_METADATA(envoy.filters.http.jwt_authn:jwt_payload:sub)%\n';
    const { db, events } = await ingestText('envoy.log', [
      `[2024-05-01T10:00:00.000Z] 198.51.100.4:40000 "GET /me HTTP/1.1" 401 jwt_authn_access_denied{Jwt is expired} TLSv1.3 "Bearer ${jwt}" -`,
      `[2024-05-01T10:00:01.000Z] [2001:db8::4]:40001 "GET /me HTTP/1.1" 200 via_upstream - "-" alice`,
    ], { logType: 'envoy', logPattern: pattern });
    db.close();
    expect(events[0]).toMatchObject({ client_ip: '198.51.100.4', scheme: 'https', tls_version: 'TLSv1.3', credential_kind: 'bearer', jwt_sub: 'frank',
      jwt_exp: '2023-11-14T22:13:20Z', auth_error: 'jwt_authn_access_denied{Jwt is expired}', status_detail: 'jwt_authn_access_denied{Jwt is expired}' });
    expect(events[1]).toMatchObject({ client_ip: '2001:db8::4', scheme: 'http', credential_kind: 'bearer', credential_source: 'gateway', jwt_sub: 'alice',
      principal: 'alice', subject_kind: 'principal' });
    expect(JSON.stringify(events)).not.toContain(jwt);
  });

  it('reads a json_format template given with --log-pattern', async () => {
    const template = '{"ts":"%START_TIME%","peer":"%DOWNSTREAM_REMOTE_ADDRESS%","req":"%REQ(:METHOD)% %REQ(:PATH)%","code":"%RESPONSE_CODE%","why":"%RESPONSE_CODE_DETAILS%","proto":"%REQ(:SCHEME)%"}';
    const { db, events } = await ingestText('envoy.json', [
      JSON.stringify({ ts: '2024-05-01T10:00:00.000Z', peer: '192.0.2.8:1234', req: 'GET /a?b=1', code: 401, why: 'jwt_authn_access_denied{Jwt_verification_fails}', proto: 'http' }),
    ], { logType: 'envoy', logPattern: template });
    db.close();
    expect(events[0]).toMatchObject({ client_ip: '192.0.2.8', method: 'GET', path: '/a', query: 'b=1', status: 401, scheme: 'http',
      auth_error: 'jwt_authn_access_denied{Jwt_verification_fails}' });
  });
});
