// Apache httpd ingest against real fixtures (elastic/beats apache module, crowdsecurity/hub
// apache2 parser test, logstash-patterns-core httpd spec) and LogFormat strings from the
// mod_log_config documentation (https://httpd.apache.org/docs/2.4/mod/mod_log_config.html).
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { beatsPairs, expectFields } from '../support/golden.js';
import { fixture, ingest, ingestText } from '../support/ingest.js';

type Json = Record<string, unknown>;
const readJson = (p: string) => JSON.parse(readFileSync(fixture(p), 'utf8'));

// Plain common/combined lines read the same as nginx `combined` (detection names them nginx, the
// earlier format); ssl_request_log lines and backslash escapes are Apache's own.
describe.each([
  ['beats/apache-access/test.log', 6, 'apache'],
  ['beats/apache-access/ssl-request.log', 2, undefined],
])('beats %s', async (file, count, logType) => {
  const expected = readJson(`${file}-expected.json`) as Json[];
  const { db, results, events } = await ingest([fixture(file)], { logType });
  afterAll(() => db.close());

  it('is read as apache and every line is accepted', () => {
    expect(results[0]).toMatchObject({ status: 'ingested', logType: 'apache', lines: count, events: count, rejected: 0 });
  });

  it.each(expected.map((e, i) => [i + 1, e] as const))('line %i equals upstream', (line, want) => {
    expectFields(file, line, beatsPairs(events.find((e) => e.line_no === line)!, want));
  });
});

describe('crowdsec apache2 parser fixture', async () => {
  const assertions = readJson('crowdsec-hub/apache-combined/parser.assert.expected.json');
  const parsed = assertions['s01-parse']['crowdsecurity/apache2-logs'] as Array<{ parsed: Record<string, string>; meta: Record<string, string> }>;
  const { db, results, events } = await ingest([fixture('crowdsec-hub/apache-combined/apache2-logs.log')], { logType: 'apache' });
  afterAll(() => db.close());

  it('accepts the 7 access-log lines and rejects the 2 error-log lines by number', () => {
    expect(results[0]).toMatchObject({ lines: 9, events: 7, rejected: 2 });
    expect(results[0]!.rejectedLines.map((r) => r.line)).toEqual([8, 9]);
  });

  it.each(parsed.slice(0, 7).map((p, i) => [i + 1, p] as const))('line %i equals upstream', (line, want) => {
    const got = events.find((e) => e.line_no === line)!;
    const p = want.parsed;
    const [path, query] = p.request!.split('?');
    expectFields('crowdsec-hub/apache-combined', line, [
      ['clientip', got.client_ip, p.clientip],
      ['verb', got.method, p.verb],
      ['request (path)', got.path, path],
      ['request (query)', got.query, query ?? null],
      ['httpversion', got.http_version, p.httpversion],
      ['response', got.status, Number(p.response)],
      ['bytes', got.bytes, Number(p.bytes)],
      ['http_user_agent', got.user_agent, p.http_user_agent === undefined || p.http_user_agent === '-' ? null : p.http_user_agent],
      ['referrer', got.referrer, p.referrer === undefined || p.referrer === '-' ? null : p.referrer],
      ['auth', got.principal, p.auth === '-' ? null : p.auth],
      ['target_fqdn', got.host, p.target_fqdn ?? null],
    ]);
  });
});

describe('logstash-patterns-core httpd cases', async () => {
  const cases = (readJson('logstash-patterns-core/grok-spec-cases.json').cases as Array<{ pattern: string; message: string; expected_ecs_subset: Json }>)
    .filter((c) => c.pattern.startsWith('HTTPD_COMBINEDLOG'));
  const { db, results, events } = await ingestText('httpd.log', cases.map((c) => c.message), { logType: 'apache' });
  afterAll(() => db.close());

  it('accepts all 3 lines (a status logged as "-" is kept without a status)', () => {
    expect(results[0]).toMatchObject({ events: 3, rejected: 0 });
    expect(events[2]!.status).toBeNull();
  });

  it.each(cases.map((c, i) => [i + 1, c.expected_ecs_subset] as const))('case %i equals upstream', (line, want) => {
    const got = events.find((e) => e.line_no === line)!;
    expectFields('logstash-patterns-core/httpd', line, beatsPairs(got, want));
  });

  it('redacts the token in the query of case 2 and fingerprints it', () => {
    expect(events[1]!.query).toBe('token=REDACTED&client_id=15');
    expect(events[1]!.credential_source).toBe('query');
    expect(events[1]!.principal).toBe('username@example.com');
  });
});

describe('LogFormat strings (--log-pattern)', () => {
  it('reads %{Header}i, %D, %v, %{SSL_PROTOCOL}x and fingerprints %{Authorization}i', async () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSIsImV4cCI6MTcwMDAwMDAwMH0.c2ln';
    const pattern = String.raw`%v %a %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\" %D %{SSL_PROTOCOL}x \"%{Authorization}i\"`;
    const { db, events } = await ingestText('custom.log', [
      `api.example.com 2001:db8::7 - - [10/Oct/2000:13:55:36 -0700] "GET /orders?id=1 HTTP/1.1" 200 2326 "-" "curl/8.0 \\"quoted\\"" 1500 TLSv1.3 "Bearer ${jwt}"`,
      `api.example.com 192.0.2.1 - bob [10/Oct/2000:13:55:37 -0700] "POST /login HTTP/1.1" 401 - "-" "-" 250 - "-"`,
    ], { logType: 'apache', logPattern: pattern });
    db.close();
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      ts: '2000-10-10T20:55:36.000Z', host: 'api.example.com', client_ip: '2001:db8::7', method: 'GET', path: '/orders', query: 'id=1',
      status: 200, bytes: 2326, user_agent: 'curl/8.0 "quoted"', duration_ms: 1.5, scheme: 'https', tls_version: 'TLSv1.3',
      credential_kind: 'bearer', jwt_sub: 'alice', principal: 'alice', subject_kind: 'credential',
    });
    expect(JSON.stringify(events)).not.toContain(jwt);
    expect(events[1]).toMatchObject({ scheme: 'http', principal: 'bob', status: 401, bytes: null, credential_kind: 'none', subject: 'bob' });
  });

  it('reads %{format}t in the --timezone given, and %T / %{ms}T durations', async () => {
    const pattern = '%h %{%Y-%m-%d %H:%M:%S}t "%r" %s %{ms}T';
    const { db, events } = await ingestText('local.log', ['192.0.2.9 2024-03-01 10:00:00 "GET / HTTP/1.1" 200 17'], {
      logType: 'apache', logPattern: pattern, timezone: 'Europe/Paris',
    });
    db.close();
    expect(events[0]).toMatchObject({ ts: '2024-03-01T09:00:00.000Z', status: 200, duration_ms: 17 });
  });

  it('detects Apache when a quoted field holds a backslash-escaped quote', async () => {
    const { db, results, events } = await ingestText('access_log', [
      '192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 5 "-" "agent \\"x\\""',
      '192.0.2.1 - - [10/Oct/2000:13:55:37 -0700] "GET /a HTTP/1.1" 200 5 "-" "curl"',
    ]);
    db.close();
    expect(results[0]!.logType).toBe('apache');
    expect(events[0]!.user_agent).toBe('agent "x"');
  });

  it('rejects a pattern without a time', async () => {
    await expect(ingestText('x.log', ['a'], { logType: 'apache', logPattern: '%h "%r"' })).rejects.toThrow(/must log a time/);
  });
});
