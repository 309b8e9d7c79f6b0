// Cloud load balancer and gateway JSON logs: opentelemetry-collector-contrib fixtures for the
// Google Cloud Application Load Balancer and Azure Application Gateway (both pretty-printed JSON
// documents), and Azure API Management GatewayLogs records written from the schema reference
// (https://learn.microsoft.com/en-us/azure/api-management/gateway-log-schema-reference,
//  https://learn.microsoft.com/azure/azure-monitor/reference/tables/ApiManagementGatewayLogs).
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { expectFields, otelRecords } from '../support/golden.js';
import { fixture, ingest, ingestText, tempFile } from '../support/ingest.js';

const read = (p: string) => readFileSync(fixture(p), 'utf8');

describe('otel GCP application load balancer fixture', async () => {
  const [want] = otelRecords(read('otel-contrib/gcp-lb/global_external_application_load_balancer_expected.yaml'), parseYaml);
  const { db, results, events } = await ingest([fixture('otel-contrib/gcp-lb/global_external_application_load_balancer.json')]);
  afterAll(() => db.close());

  it('is detected as gcp-lb from a pretty-printed JSON document', () => {
    expect(results[0]).toMatchObject({ logType: 'gcp-lb', lines: 1, events: 1, rejected: 0 });
    expect(results[0]!.coverage!.notes).toContain('one JSON document: line numbers are record numbers');
  });

  it('equals upstream', () => {
    const got = events[0]!;
    const a = want!.attrs;
    const url = new URL(a['url.full'] as string);
    const tls = a['gcp.load_balancing.tls_info'] as Record<string, string>;
    expectFields('otel-contrib/gcp-lb', 1, [
      ['timeUnixNano', got.ts, want!.time],
      ['network.peer.address', got.client_ip, a['network.peer.address']],
      ['http.request.method', got.method, a['http.request.method']],
      ['url.full (scheme)', got.scheme, url.protocol.replace(':', '')],
      ['url.domain', got.host, a['url.domain']],
      ['url.path', got.path, a['url.path']],
      ['http.response.status_code', got.status, Number(a['http.response.status_code'])],
      ['http.response.size', got.bytes, Number(a['http.response.size'])],
      ['user_agent.original', got.user_agent, a['user_agent.original']],
      ['http.request.server.duration (s)', Math.round(got.duration_ms! * 1000) / 1e6, a['http.request.server.duration']],
      ['gcp.load_balancing.status.details', got.status_detail, a['gcp.load_balancing.status.details']],
      ['tls.protocol.name', got.tls_version, tls['tls.protocol.name']],
    ]);
  });
});

describe('otel Azure Application Gateway fixture', async () => {
  const records = otelRecords(read('otel-contrib/azure-appgw/access-log_expected.yaml'), parseYaml);
  const { db, results, events } = await ingest([fixture('otel-contrib/azure-appgw/access-log.json')]);
  afterAll(() => db.close());

  it('is detected as azure-appgw: the 6 records of {"records": [...]}', () => {
    expect(results[0]).toMatchObject({ logType: 'azure-appgw', lines: 6, events: 6, rejected: 0 });
  });

  it.each(records.map((r, i) => [i + 1, r] as const))('record %i equals upstream', (line, want) => {
    const got = events.find((e) => e.line_no === line)!;
    const a = want.attrs;
    const pairs: Array<[string, unknown, unknown]> = [
      ['timeUnixNano', got.ts, want.time],
      ['client.address', got.client_ip, a['client.address']],
      ['client.port', got.client_port, Number(a['client.port'])],
      ['http.request.method', got.method, a['http.request.method'] ?? null],
      ['url.path', got.path, a['url.path'] ?? null],
      ['url.query', got.query, a['url.query'] ?? null],
      ['http.response.status_code', got.status, Number(a['http.response.status_code'])],
      ['http.response.size', got.bytes, Number(a['http.response.size'])],
      ['network.protocol.version', got.http_version, a['network.protocol.version'] ?? null],
      ['user_agent.original', got.user_agent, a['user_agent.original'] ?? null],
      ['tls.enabled (scheme)', got.scheme, a['tls.enabled'] === 'on' ? 'https' : a['tls.enabled'] === 'off' ? 'http' : null],
      ['host.name', got.host, a['host.name'] ?? null],
      ['tls.protocol.original', got.tls_version, a['tls.protocol.original'] ?? null],
    ];
    if (a['error.type'] && a['error.type'] !== 'ERRORINFO_NO_ERROR') pairs.push(['error.type', got.status_detail, a['error.type']]);
    expectFields('otel-contrib/azure-appgw', line, pairs);
  });

  it('reads the same records from JSON lines and from a gzipped {"records": [...]} document', async () => {
    const doc = JSON.parse(read('otel-contrib/azure-appgw/access-log.json')) as { records: unknown[] };
    const lines = await ingestText('PT1H.json', doc.records.map((r) => JSON.stringify(r)));
    const gz = await ingest([tempFile('records.json.gz', gzipSync(JSON.stringify(doc)))]);
    lines.db.close();
    gz.db.close();
    const strip = (e: Record<string, unknown>) => ({ ...e, file_id: 0 });
    expect(lines.events.map(strip)).toEqual(events.map(strip));
    expect(gz.events.map(strip)).toEqual(events.map(strip));
    expect(gz.results[0]!.logType).toBe('azure-appgw');
  });
});

describe('Azure API Management gateway logs (schema reference)', () => {
  const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJoZWlkaSIsImV4cCI6MTcwMDAwMDAwMH0.c2ln';
  const record = (props: Record<string, unknown>, top: Record<string, unknown> = {}) => JSON.stringify({
    time: '2024-06-01T08:00:00.1234567Z', resourceId: '/SUBSCRIPTIONS/X/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.APIMANAGEMENT/SERVICE/APIM1',
    operationName: 'Microsoft.ApiManagement/GatewayLogs', category: 'GatewayLogs', durationMs: 42, callerIpAddress: '203.0.113.50',
    correlationId: 'c1', location: 'West Europe', isRequestSuccess: true, ...top,
    properties: { method: 'GET', url: 'https://api.contoso.com/orders/7', clientProtocol: 'HTTP/1.1', responseCode: 200, responseSize: 512,
      apiId: 'orders', operationId: 'get-order', apimSubscriptionId: 'sub-42', userId: 'heidi@contoso.com', clientTlsVersion: '1.2', ...props },
  });

  it('reads resource-log records: subscription id as the credential, validate-jwt errors as auth_error', async () => {
    const { db, results, events } = await ingestText('gateway.json', [
      record({}),
      record({ responseCode: 401, apimSubscriptionId: '', userId: '', lastError: { source: 'validate-jwt', reason: 'TokenExpired', message: 'JWT Validation Failed: Lifetime validation failed. The token is expired.' },
        requestHeaders: { Authorization: `Bearer ${jwt}` } }, { isRequestSuccess: false }),
      record({ url: 'http://api.contoso.com/orders/8', requestHeaders: { 'Ocp-Apim-Subscription-Key': 'f00dfeedf00dfeed' } }),
    ]);
    db.close();
    expect(results[0]).toMatchObject({ logType: 'azure-apim', events: 3, rejected: 0 });
    expect(events[0]).toMatchObject({ ts: '2024-06-01T08:00:00.123Z', client_ip: '203.0.113.50', scheme: 'https', host: 'api.contoso.com', path: '/orders/7',
      credential_kind: 'api-key', credential_source: 'gateway', principal: 'heidi@contoso.com', subject_kind: 'credential', tls_version: 'TLSv1.2', duration_ms: 42 });
    expect(events[1]).toMatchObject({ status: 401, auth_error: 'validate-jwt: TokenExpired: JWT Validation Failed: Lifetime validation failed. The token is expired.',
      credential_kind: 'bearer', credential_source: 'header', jwt_sub: 'heidi' });
    expect(events[2]).toMatchObject({ scheme: 'http', credential_kind: 'api-key', credential_source: 'header' });
    expect(JSON.stringify(events)).not.toMatch(/f00dfeed|eyJhbGci/);
  });

  it('reads ApiManagementGatewayLogs exported from Log Analytics (flat columns)', async () => {
    const { db, results, events } = await ingestText('export.json', [JSON.stringify({
      TimeGenerated: '2024-06-01T08:00:05Z', CallerIpAddress: '198.51.100.9', Method: 'POST', Url: 'https://api.contoso.com/login', ResponseCode: 403,
      ResponseSize: 0, TotalTime: 5, ApimSubscriptionId: 'sub-7', LastErrorSource: 'ip-filter', LastErrorReason: 'CallerIpNotAllowed', LastErrorMessage: 'Caller IP address 198.51.100.9 is not allowed.', Category: 'GatewayLogs',
    })]);
    db.close();
    expect(results[0]).toMatchObject({ logType: 'azure-apim', events: 1 });
    expect(events[0]).toMatchObject({ method: 'POST', status: 403, duration_ms: 5, auth_error: 'ip-filter: CallerIpNotAllowed: Caller IP address 198.51.100.9 is not allowed.', credential_source: 'gateway' });
  });
});
