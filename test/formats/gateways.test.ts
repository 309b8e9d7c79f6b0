// API gateways without a permissively licensed fixture: entries written from the official
// documentation. Kong file-log: https://developer.konghq.com/plugins/file-log/ (log format) and
// https://developer.konghq.com/support/how-can-the-authorization-headers-be-shown-in-the-kong-log-plugins/.
// API Gateway: https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html
// (console presets), …/api-gateway-mapping-template-reference.html#context-variable-reference and
// …/http-api-logging-variables.html ($context variables), …/api-gateway-gatewayResponse-definition.html
// (response types).
import { describe, expect, it } from 'vitest';
import { ingestText } from '../support/ingest.js';

const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJpdmFuIiwiZXhwIjoxNzAwMDAwMDAwLCJpc3MiOiJodHRwczovL2lkcC5leGFtcGxlIn0.c2ln';

describe('Kong file-log', () => {
  // the documentation's example entry, with the escaped slashes Kong writes
  const entry = (o: { request?: Record<string, unknown>; [k: string]: unknown } = {}) => {
    const { request, ...rest } = o;
    return JSON.stringify({
      service: { host: 'httpbin.org', name: 'example-service', port: 80, protocol: 'http' },
      route: { name: 'example-route', paths: ['/example'], protocols: ['http', 'https'] },
      request: { method: 'GET', uri: '/example/get', url: 'https://kong.example.com:8443/example/get', size: 104, querystring: {},
        headers: { accept: '*/*', host: 'kong.example.com:8443', 'user-agent': 'curl/8.1.2', authorization: 'REDACTED' },
        tls: { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', client_verify: 'NONE' }, ...request },
      upstream_uri: '/get', response: { status: 200, size: 934, headers: {} },
      tries: [], authenticated_entity: { id: '4a7e2d5b-7c5f-4c6c-9a6b-1b5d1f2e3a4b' },
      consumer: { id: 'c1f3', username: 'mobile-app', custom_id: null, created_at: 1700000000 },
      latencies: { proxy: 125, kong: 8, request: 133, receive: 0 }, client_ip: '203.0.113.20', started_at: 1717228800123,
      source: 'upstream', workspace: '0d2f', workspace_name: 'default', ...rest,
    }).replace(/\//g, '\\/');
  };

  it('reads consumer, authenticated_entity, request.url and TLS; REDACTED is not a credential value', async () => {
    const { db, results, events } = await ingestText('kong.log', [
      entry(),
      entry({ request: { url: 'http://kong.example.com:8000/example/get', headers: { host: 'kong.example.com', authorization: `Bearer ${jwt}` }, tls: undefined },
        authenticated_entity: undefined, consumer: undefined, response: { status: 401, size: 26, headers: {} }, source: 'kong' }),
    ]);
    db.close();
    expect(results[0]).toMatchObject({ logType: 'kong', events: 2, rejected: 0 });
    expect(events[0]).toMatchObject({ ts: '2024-06-01T08:00:00.123Z', client_ip: '203.0.113.20', method: 'GET', scheme: 'https', host: 'kong.example.com',
      path: '/example/get', status: 200, bytes: 934, duration_ms: 133, user_agent: 'curl/8.1.2', tls_version: 'TLSv1.3', principal: 'mobile-app',
      credential_kind: 'api-key', credential_source: 'gateway', subject_kind: 'credential' });
    expect(events[1]).toMatchObject({ scheme: 'http', status: 401, credential_kind: 'bearer', credential_source: 'header', jwt_sub: 'ivan',
      jwt_iss: 'https://idp.example', principal: 'ivan' });
    expect(JSON.stringify(events)).not.toContain(jwt);
  });
});

describe('API Gateway access logs', () => {
  it('reads the REST console JSON preset without a pattern, with auth variables under their usual names', async () => {
    const line = (o: Record<string, unknown>) => JSON.stringify({
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef', ip: '192.0.2.30', caller: '-', user: '-', requestTime: '01/Jun/2024:10:00:00 +0000',
      httpMethod: 'GET', resourcePath: '/orders/{id}', status: '200', protocol: 'HTTP/1.1', responseLength: '512', ...o,
    });
    const { db, results, events } = await ingestText('apigw.log', [
      line({ principalId: 'user-123', apiKeyId: 'k7a9z1', sub: '4f1c-77', exp: '1717236000' }),
      line({ requestTime: '01/Jun/2024:10:00:05 +0000', status: '401', principalId: '-', errorResponseType: 'EXPIRED_TOKEN', apiKeyId: '-' }),
      line({ requestTime: '01/Jun/2024:10:00:09 +0000', status: '403', resourcePath: '/admin', errorResponseType: 'MISSING_AUTHENTICATION_TOKEN' }),
      line({ requestTime: '01/Jun/2024:10:00:10 +0000', status: '504', errorResponseType: 'INTEGRATION_TIMEOUT' }),
    ]);
    db.close();
    expect(results[0]).toMatchObject({ logType: 'aws-apigateway', events: 4, rejected: 0 });
    expect(results[0]!.coverage!.notes).toContain('scheme is https: API Gateway endpoints accept HTTPS only');
    expect(events[0]).toMatchObject({ ts: '2024-06-01T10:00:00.000Z', client_ip: '192.0.2.30', scheme: 'https', path: '/orders/{id}', status: 200, bytes: 512,
      principal: 'user-123', jwt_sub: '4f1c-77', jwt_exp: '2024-06-01T10:00:00Z', credential_kind: 'api-key', credential_source: 'gateway', subject_kind: 'credential' });
    expect(events.map((e) => e.auth_error)).toEqual([null, 'EXPIRED_TOKEN', 'MISSING_AUTHENTICATION_TOKEN', null]);
    expect(events[1]).toMatchObject({ credential_kind: 'none', subject: '192.0.2.30' });
  });

  it('reads an HTTP API JSON format given with --log-pattern (JWT authorizer claims, requestTimeEpoch, routeKey)', async () => {
    const pattern = JSON.stringify({
      requestId: '$context.requestId', ip: '$context.identity.sourceIp', t: '$context.requestTimeEpoch', route: '$context.routeKey',
      status: '$context.status', ua: '$context.identity.userAgent', who: "$context.authorizer.claims['cognito:username']",
      sub: '$context.authorizer.claims.sub', exp: '$context.authorizer.claims.exp', err: '$context.authorizer.error', type: '$context.error.responseType',
    });
    const { db, events } = await ingestText('http-api.log', [
      JSON.stringify({ requestId: 'a1', ip: '2001:db8::30', t: '1717236000000', route: 'GET /pets/{id}', status: '200', ua: 'app/3', who: 'judy', sub: 'u-9', exp: 'Sat Jun 01 11:00:00 UTC 2024', err: '-', type: '-' }),
      JSON.stringify({ requestId: 'a2', ip: '2001:db8::30', t: '1717236001000', route: 'GET /pets/{id}', status: '401', ua: 'app/3', who: '-', sub: '-', exp: '-', err: 'The incoming token has expired', type: 'UNAUTHORIZED' }),
    ], { logType: 'aws-apigateway', logPattern: pattern });
    db.close();
    expect(events[0]).toMatchObject({ ts: '2024-06-01T10:00:00.000Z', method: 'GET', path: '/pets/{id}', principal: 'judy', jwt_sub: 'u-9',
      jwt_exp: '2024-06-01T11:00:00Z', credential_kind: 'bearer', credential_source: 'gateway', subject_kind: 'principal', scheme: 'https' });
    expect(events[1]).toMatchObject({ status: 401, auth_error: 'UNAUTHORIZED', credential_kind: 'none' });
  });

  it('reads the REST console CLF preset given with --log-pattern', async () => {
    const pattern = '$context.identity.sourceIp $context.identity.caller $context.identity.user [$context.requestTime] "$context.httpMethod $context.resourcePath $context.protocol" $context.status $context.responseLength $context.requestId';
    const { db, events } = await ingestText('clf.log', ['192.0.2.31 - arn:aws:iam::123456789012:user/kim [01/Jun/2024:10:00:00 +0000] "POST /orders HTTP/1.1" 201 87 c6af9ac6-7b61'], {
      logType: 'aws-apigateway', logPattern: pattern,
    });
    db.close();
    expect(events[0]).toMatchObject({ client_ip: '192.0.2.31', principal: 'arn:aws:iam::123456789012:user/kim', method: 'POST', path: '/orders', status: 201, bytes: 87 });
  });
});
