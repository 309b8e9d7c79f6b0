// Caddy JSON access logs: crowdsecurity/hub caddy parser test and basic-auth brute-force scenario
// test, and an entry over TLS written from the documentation
// (https://caddyserver.com/docs/caddyfile/directives/log#structured).
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { expectFields } from '../support/golden.js';
import { fixture, ingest, ingestText } from '../support/ingest.js';

describe('crowdsec caddy parser fixture', async () => {
  const assertions = JSON.parse(readFileSync(fixture('crowdsec-hub/caddy-json/parser.assert.expected.json'), 'utf8'));
  const parsed = assertions['s01-parse']['crowdsecurity/caddy-logs'] as Array<{ success: boolean; parsed: Record<string, string>; meta: Record<string, string> }>;
  const enriched = assertions['s02-enrich']['crowdsecurity/dateparse-enrich'] as Array<{ meta: Record<string, string> }>;
  const { db, results, events } = await ingest([fixture('crowdsec-hub/caddy-json/caddy-logs.log')]);
  afterAll(() => db.close());

  it('is detected as caddy; the reverse-proxy debug entry (line 11) is rejected, the trailing blank line skipped', () => {
    expect(results[0]).toMatchObject({ logType: 'caddy', lines: 12, events: 10, rejected: 1, skipped: 1 });
    expect(results[0]!.rejectedLines).toEqual([{ line: 11, reason: 'JSON object is not a Caddy access log entry' }]);
    expect(parsed[10]!.success).toBe(false);
  });

  it.each(parsed.slice(0, 10).map((p, i) => [i + 1, p] as const))('line %i equals upstream', (line, { parsed: p, meta }) => {
    const got = events.find((e) => e.line_no === line)!;
    expectFields('crowdsec-hub/caddy-json', line, [
      ['remote_ip', got.client_ip, p.remote_ip],
      ['verb', got.method, p.verb],
      ['request', got.path, p.request],
      ['http_version', got.http_version, p.http_version],
      ['http_user_agent', got.user_agent, p.http_user_agent],
      ['target_fqdn (without port)', got.host, meta.target_fqdn!.replace(/:\d+$/, '')],
      // Caddy logs status 0 when no handler wrote a response: kept as unknown, not as a status
      ['http_status', got.status, meta.http_status === '0' ? null : Number(meta.http_status)],
      ['timestamp', got.ts.slice(0, 19), enriched[line - 1]!.meta.timestamp!.slice(0, 19)],
    ]);
  });

  it('reads user_id as the principal and the redacted Authorization header ([]) as no credential', () => {
    expect(events[9]).toMatchObject({ principal: 'Bob', subject_kind: 'principal', credential_kind: 'none', scheme: 'http' });
    expect(events[7]).toMatchObject({ status: 401, credential_kind: 'none', subject: '127.0.0.1' });
  });
});

describe('crowdsec caddy basic-auth brute-force scenario fixture', async () => {
  const { db, results, events } = await ingest([fixture('crowdsec-hub/caddy-json-basic-auth/caddy-logs.log')]);
  afterAll(() => db.close());

  it('gives the 6 failed requests of the scenario, keyed on the one source address', () => {
    expect(results[0]).toMatchObject({ logType: 'caddy', events: 6, rejected: 0 });
    // scenario.assert: 6 events, source 127.0.0.1, status 401, GET /, timestamp 2024-03-29T19:50:27Z
    expectFields('crowdsec-hub/caddy-json-basic-auth', 1, events.flatMap((e) => [
      ['source_ip', e.subject, '127.0.0.1'],
      ['http_status', e.status, 401],
      ['http_verb', e.method, 'GET'],
      ['http_path', e.path, '/'],
      ['http_user_agent', e.user_agent, 'curl/7.88.1'],
      ['timestamp', e.ts.slice(0, 19), '2024-03-29T19:50:27'],
    ] as Array<[string, unknown, unknown]>));
  });
});

describe('Caddy over TLS (documentation layout)', () => {
  it('reads tls.version 772 as TLSv1.3 and https, and a JWT in a cookie', async () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJncmFjZSJ9.c2ln';
    const { db, events } = await ingestText('caddy.log', [JSON.stringify({
      level: 'info', ts: 1714557600.25, logger: 'http.log.access', msg: 'handled request',
      request: { remote_ip: '2001:db8::2', remote_port: '51000', client_ip: '2001:db8::2', proto: 'HTTP/2.0', method: 'GET', host: 'api.example.com',
        uri: '/v1/me', headers: { 'User-Agent': ['app/2'], Cookie: [`theme=dark; id_token=${jwt}`] }, tls: { resumed: false, version: 772, cipher_suite: 4865, proto: 'h2', server_name: 'api.example.com' } },
      bytes_read: 0, user_id: '', duration: 0.0123, size: 42, status: 200, resp_headers: {},
    })]);
    db.close();
    expect(events[0]).toMatchObject({ ts: '2024-05-01T10:00:00.250Z', scheme: 'https', tls_version: 'TLSv1.3', http_version: '2.0', status: 200,
      credential_kind: 'bearer', credential_source: 'cookie', jwt_sub: 'grace', client_ip: '2001:db8::2' });
    expect(JSON.stringify(events)).not.toContain(jwt);
  });
});
