// Secrets never persist, in every log type that can carry one (test/secrets.test.ts covers nginx
// combined with every output and command): known tokens (and a JWT's signature part), Basic
// credentials and their password, API keys and passwords in query strings are scanned from each
// type into a --db file and the JSON, HTML, CSV (per evidence event) and SARIF reports, with
// --debug; none of the raw values may appear in any output, stdout, stderr, or the database file's
// bytes (as the CLI left it, and again after a CHECKPOINT and close) or any of its text values.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Database } from '../src/store/index.js';
import { runCli } from './support/cli.js';
import { fixture } from './support/ingest.js';
import { epoch, makeJwt } from './support/jwt.js';
import { assertNoSecret, assertNoSecretInFileBytes, assertNoSecretInTables } from './support/secrets.js';

const dir = mkdtempSync(path.join(tmpdir(), 'apiaudit-secrets-formats-'));

/** Distinct raw values per log type, so that a leak names the type it came from. */
function secretsFor(id: string) {
  const tag = id.replace(/[^a-z0-9]/g, '');
  const jwt = makeJwt({ sub: `user-${tag}`, iat: epoch('2026-01-05T09:00:00Z'), exp: epoch('2026-01-05T10:00:00Z') });
  const password = `Pw-${tag}-Tr0ub4dor3`;
  return {
    jwt,
    jwtSignature: jwt.split('.')[2]!,
    opaque: `opq_${tag}_9f8e7d6c5b4a39281706f5e4`,
    password,
    basic: Buffer.from(`carol:${password}`).toString('base64'),
    apiKey: `ak_live_${tag}_51HxYzQ2eZvKYlo2C0ffee`,
    queryPassword: `hunter2-${tag}-in-the-url`,
  };
}
type S = ReturnType<typeof secretsFor>;

interface SecretCase {
  id: string;
  args?: string[];
  lines: (s: S) => string[];
  /** Leading lines that are not records (W3C directives, a CSV header row). */
  headerLines?: number;
}

const json = (o: unknown) => JSON.stringify(o);
const fixtureRecord = (file: string) => {
  const doc = JSON.parse(readFileSync(fixture(file), 'utf8')) as { records?: unknown[] };
  return (doc.records?.[0] ?? doc) as Record<string, Record<string, unknown>>;
};
const alb = readFileSync(fixture('crowdsec-hub/aws-alb/aws-alb-logs.log'), 'utf8').split('\n')[1]!;
const clb = readFileSync(fixture('otel-contrib/aws-clb/clb_al_valid_logs.log'), 'utf8').split('\n')[0]!;
const cloudfront = readFileSync(fixture('crowdsec-hub/aws-cloudfront/aws-cloudfront-logs.log'), 'utf8').split('\n')[0]!.split('\t');
const gcp = fixtureRecord('otel-contrib/gcp-lb/global_external_application_load_balancer.json');
const appgw = fixtureRecord('otel-contrib/azure-appgw/access-log.json');

const CASES: SecretCase[] = [
  {
    id: 'aws-alb',
    lines: (s) => [alb.replace('/robots.txt', `/api/Items?access_token=${s.jwt}&password=${s.queryPassword}`), alb.replace('/robots.txt', `/api/Items?api_key=${s.apiKey}`)],
  },
  {
    id: 'aws-elb',
    lines: (s) => [clb.replace('443/ ', `443/api?token=${s.opaque}&password=${s.queryPassword} `), clb.replace('443/ ', `443/api?access_token=${s.jwt} `)],
  },
  {
    id: 'aws-cloudfront',
    lines: (s) => [
      Object.assign([...cloudfront], { 11: `access_token=${s.jwt}&password=${s.queryPassword}`, 12: `session%3D${s.opaque}` }).join('\t'),
      Object.assign([...cloudfront], { 11: `api_key=${s.apiKey}`, 12: `id_token%3D${s.jwt}` }).join('\t'),
    ],
  },
  {
    id: 'iis',
    headerLines: 2,
    lines: (s) => [
      '#Software: Microsoft Internet Information Services 10.0',
      '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status time-taken Authorization',
      `2026-01-05 09:00:00 10.0.0.5 GET /api/orders - 443 - 203.0.113.9 curl/8 200 0 0 3 Bearer+${s.jwt}`,
      `2026-01-05 09:00:01 10.0.0.5 GET /api/orders password=${s.queryPassword}&api_key=${s.apiKey} 80 - 203.0.113.9 curl/8 200 0 0 3 Basic+${s.basic}`,
      `2026-01-05 09:00:02 10.0.0.5 GET /api/orders - 443 - 203.0.113.9 curl/8 401 0 0 3 Bearer+${s.opaque}`,
    ],
  },
  {
    // a captured Authorization request header, and a token in the URL
    id: 'haproxy',
    lines: (s) => [
      `Jan  5 09:00:00 lb1 haproxy[32450]: 198.51.100.7:38862 [05/Jan/2026:09:00:00.726] www-https~ api/srv1 0/0/1/0/2 200 168 - - ---- 6/6/0/0/0 0/0 {api.example|Bearer ${s.jwt}} {|} "GET /api/Items?access_token=${s.opaque}&password=${s.queryPassword} HTTP/1.1"`,
      `Jan  5 09:00:01 lb1 haproxy[32450]: 198.51.100.7:38863 [05/Jan/2026:09:00:01.726] www-http api/srv1 0/0/1/0/2 200 168 - - ---- 6/6/0/0/0 0/0 {api.example|Basic ${s.basic}} {|} "GET /api/Items?api_key=${s.apiKey} HTTP/1.1"`,
    ],
  },
  {
    id: 'traefik',
    lines: (s) => {
      const entry = (o: Record<string, unknown>) => json({ ClientAddr: '192.0.2.9:41000', ClientHost: '192.0.2.9', ClientUsername: '-', DownstreamContentSize: 12, DownstreamStatus: 200,
        Duration: 1500000, RequestHost: 'api.example.com', RequestMethod: 'GET', RequestPath: '/v1/me', RequestProtocol: 'HTTP/1.1', RequestScheme: 'https',
        StartUTC: '2026-01-05T09:00:00.123456789Z', 'request_User-Agent': 'curl/8', ...o });
      return [
        entry({ request_Authorization: `Bearer ${s.jwt}` }),
        entry({ request_Authorization: `Basic ${s.basic}`, RequestScheme: 'http', RequestPath: `/v1/items?password=${s.queryPassword}` }),
        entry({ 'request_X-Api-Key': s.apiKey, DownstreamStatus: 401 }),
      ];
    },
  },
  {
    id: 'envoy',
    args: ['--log-pattern', '[%START_TIME%] %DOWNSTREAM_REMOTE_ADDRESS% "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% %RESPONSE_CODE_DETAILS% %DOWNSTREAM_TLS_VERSION% "%REQ(AUTHORIZATION)%"\n'],
    lines: (s) => [
      `[2026-01-05T09:00:00.000Z] 198.51.100.4:40000 "GET /me HTTP/1.1" 200 via_upstream TLSv1.3 "Bearer ${s.jwt}"`,
      `[2026-01-05T09:00:01.000Z] 198.51.100.4:40001 "GET /items?password=${s.queryPassword} HTTP/1.1" 200 via_upstream - "Basic ${s.basic}"`,
      `[2026-01-05T09:00:02.000Z] 198.51.100.4:40002 "GET /me HTTP/1.1" 401 jwt_authn_access_denied{Jwt_is_expired} TLSv1.3 "Bearer ${s.opaque}"`,
    ],
  },
  {
    id: 'caddy',
    lines: (s) => {
      const entry = (ts: number, uri: string, headers: Record<string, string[]>) => json({ level: 'info', ts, logger: 'http.log.access', msg: 'handled request',
        request: { remote_ip: '192.0.2.2', remote_port: '51000', client_ip: '192.0.2.2', proto: 'HTTP/1.1', method: 'GET', host: 'api.example.com', uri,
          headers: { 'User-Agent': ['app/2'], ...headers } }, bytes_read: 0, user_id: '', duration: 0.01, size: 42, status: 200, resp_headers: {} });
      return [
        entry(1767603600, '/v1/me', { Authorization: [`Bearer ${s.jwt}`] }),
        entry(1767603601, `/v1/items?password=${s.queryPassword}`, { Authorization: [`Basic ${s.basic}`], 'X-Api-Key': [s.apiKey] }),
        entry(1767603602, '/v1/me', { Cookie: [`theme=dark; session=${s.opaque}`] }),
      ];
    },
  },
  {
    id: 'kong',
    lines: (s) => {
      const entry = (url: string, headers: Record<string, string>, querystring: Record<string, string> = {}) => json({
        request: { method: 'GET', uri: url.replace(/^https?:\/\/[^/]+/, ''), url, size: 104, querystring, headers: { host: 'kong.example.com', 'user-agent': 'curl/8.1.2', ...headers } },
        response: { status: 200, size: 934, headers: {} }, latencies: { proxy: 125, kong: 8, request: 133 }, client_ip: '203.0.113.20', started_at: 1767603600123, source: 'upstream' });
      return [
        entry('https://kong.example.com/example/get', { authorization: `Bearer ${s.jwt}` }),
        entry(`http://kong.example.com/example/get?apikey=${s.apiKey}&password=${s.queryPassword}`, { authorization: `Basic ${s.basic}` },
          { apikey: s.apiKey, password: s.queryPassword }),
        entry('https://kong.example.com/example/get', { apikey: s.opaque }),
      ];
    },
  },
  {
    id: 'gcp-lb',
    lines: (s) => [json({ ...gcp, httpRequest: { ...gcp.httpRequest, requestUrl: `https://35.227.246.6/api?access_token=${s.jwt}&password=${s.queryPassword}` } })],
  },
  {
    id: 'azure-appgw',
    lines: (s) => [json({ ...appgw, properties: { ...appgw.properties, requestQuery: `access_token=${s.jwt}&password=${s.queryPassword}&api_key=${s.apiKey}` } })],
  },
  {
    id: 'azure-apim',
    lines: (s) => {
      const record = (props: Record<string, unknown>) => json({ time: '2026-01-05T09:00:00.1234567Z', operationName: 'Microsoft.ApiManagement/GatewayLogs', category: 'GatewayLogs',
        durationMs: 42, callerIpAddress: '203.0.113.50', isRequestSuccess: true,
        properties: { method: 'GET', url: 'https://api.contoso.com/orders/7', clientProtocol: 'HTTP/1.1', responseCode: 200, responseSize: 512, ...props } });
      return [
        record({ requestHeaders: { Authorization: `Bearer ${s.jwt}` } }),
        record({ url: `http://api.contoso.com/orders/8?password=${s.queryPassword}`, requestHeaders: { 'Ocp-Apim-Subscription-Key': s.apiKey, Authorization: `Basic ${s.basic}` } }),
      ];
    },
  },
  {
    id: 'aws-apigateway',
    args: ['--log-pattern', json({ requestId: '$context.requestId', ip: '$context.identity.sourceIp', requestTime: '$context.requestTime', httpMethod: '$context.httpMethod',
      path: '$context.path', status: '$context.status', apiKey: '$context.identity.apiKey', keyId: '$context.identity.apiKeyId' })],
    lines: (s) => [
      json({ requestId: 'r1', ip: '192.0.2.30', requestTime: '05/Jan/2026:09:00:00 +0000', httpMethod: 'GET', path: '/orders/1', status: '200', apiKey: s.apiKey, keyId: 'k7a9z1' }),
      json({ requestId: 'r2', ip: '192.0.2.30', requestTime: '05/Jan/2026:09:00:01 +0000', httpMethod: 'GET', path: '/orders/2', status: '403', apiKey: s.opaque, keyId: '-' }),
    ],
  },
  {
    id: 'nginx',
    args: ['--log-pattern', '{"ts":"$time_local","client":"$remote_addr","req":"$request_method $request_uri","code":$status,"proto":"$scheme","auth":"$http_authorization","key":"$http_x_api_key"}'],
    lines: (s) => [
      json({ ts: '05/Jan/2026:09:00:00 +0000', client: '192.0.2.77', req: 'GET /api/Customers/me', code: 200, proto: 'https', auth: `Bearer ${s.jwt}`, key: '' }),
      json({ ts: '05/Jan/2026:09:00:01 +0000', client: '192.0.2.77', req: `GET /api/Items?password=${s.queryPassword}`, code: 200, proto: 'http', auth: `Basic ${s.basic}`, key: s.apiKey }),
      json({ ts: '05/Jan/2026:09:00:02 +0000', client: '192.0.2.77', req: 'GET /api/Customers/me', code: 401, proto: 'https', auth: `Bearer ${s.opaque}`, key: '' }),
    ],
  },
  {
    id: 'apache',
    args: ['--log-pattern', String.raw`%h %l %u %t \"%r\" %>s %b \"%{Authorization}i\"`],
    lines: (s) => [
      `203.0.113.5 - - [05/Jan/2026:09:00:00 +0000] "GET /api/Customers/me HTTP/1.1" 200 12 "Bearer ${s.jwt}"`,
      `203.0.113.5 - - [05/Jan/2026:09:00:01 +0000] "GET /api/Items?api_key=${s.apiKey}&password=${s.queryPassword} HTTP/1.1" 200 12 "Basic ${s.basic}"`,
      `203.0.113.5 - - [05/Jan/2026:09:00:02 +0000] "GET /api/Customers/me HTTP/1.1" 401 12 "Bearer ${s.opaque}"`,
    ],
  },
  {
    id: 'csv',
    headerLines: 1,
    lines: (s) => [
      'timestamp,client_ip,method,url,status,user,authorization,api_key',
      `2026-01-05T09:00:00Z,203.0.113.5,GET,https://api.example.com/v1/orders,200,alice,Bearer ${s.jwt},`,
      `2026-01-05T09:00:01Z,203.0.113.5,GET,http://api.example.com/login?password=${s.queryPassword},200,,"Basic ${s.basic}",${s.apiKey}`,
      `2026-01-05T09:00:02Z,203.0.113.5,GET,/v1/orders,401,,Bearer ${s.opaque},`,
    ],
  },
  {
    id: 'jsonl',
    lines: (s) => [
      json({ timestamp: '2026-01-05T09:00:00Z', client_ip: '203.0.113.5', method: 'GET', url: 'https://api.example.com/v1/orders', status: 200, authorization: `Bearer ${s.jwt}` }),
      json({ timestamp: '2026-01-05T09:00:01Z', client_ip: '203.0.113.5', method: 'GET', url: `http://api.example.com/login?password=${s.queryPassword}`, status: 200,
        authorization: `Basic ${s.basic}`, api_key: s.apiKey }),
      json({ timestamp: '2026-01-05T09:00:02Z', client_ip: '203.0.113.5', method: 'GET', url: '/v1/orders', status: 401, authorization: `Bearer ${s.opaque}` }),
    ],
  },
];

describe.each(CASES)('$id', ({ id, args = [], lines, headerLines = 0 }) => {
  it('no raw secret in the database, the reports, stdout or stderr', async () => {
    const secrets = secretsFor(id);
    const log = lines(secrets);
    const logText = `${log.join('\n')}\n`;
    const file = path.join(dir, `${id}.log`);
    writeFileSync(file, logText);
    // the test is only as good as what it feeds: each type's lines carry at least two of the secrets
    expect(Object.values(secrets).filter((v) => logText.includes(v)).length).toBeGreaterThanOrEqual(2);
    const db = path.join(dir, `${id}.duckdb`);
    const out = path.join(dir, id);
    mkdirSync(out);
    const run = await runCli(['scan', file, '--log-type', id, ...args, '--db', db, '--evidence', '--debug', '-f', 'json', '-f', 'html', '-f', 'csv', '-f', 'sarif', '-o', out]);
    expect(run.code, run.stderr).toBe(0);

    const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));
    expect(report.summary).toMatchObject({ events: log.length - headerLines, rejected: 0 });
    expect(readdirSync(out).sort()).toEqual(['report.csv', 'report.html', 'report.json', 'report.sarif']);
    for (const name of readdirSync(out)) assertNoSecret(secrets, `${id}: ${name}`, readFileSync(path.join(out, name), 'utf8'));
    assertNoSecret(secrets, `${id}: stdout`, run.stdout);
    assertNoSecret(secrets, `${id}: stderr`, run.stderr);

    assertNoSecretInFileBytes(secrets, db);
    await assertNoSecretInTables(secrets, db);
    // the credentials were read (fingerprinted), not just dropped
    const database = await Database.open(db);
    try {
      const [{ n }] = await database.all<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM events WHERE credential_fingerprint IS NOT NULL`);
      expect(n).toBeGreaterThanOrEqual(1);
      await database.run('CHECKPOINT');
    } finally {
      database.close();
    }
    assertNoSecretInFileBytes(secrets, db);
  });
});
