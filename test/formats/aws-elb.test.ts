// AWS ALB and Classic ELB ingest against real fixtures: crowdsecurity/hub aws-alb parser test,
// opentelemetry-collector-contrib awslogsencodingextension (ALB, CLB), logstash-patterns-core
// aws_spec (Classic ELB).
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ecsPairs, expectFields, otelRecords } from '../support/golden.js';
import { fixture, ingest, ingestText, type EventRow } from '../support/ingest.js';

const read = (p: string) => readFileSync(fixture(p), 'utf8');
const dash = (v: string | undefined) => (v === undefined || v === '-' ? null : v);

/** OTel `url.full` split the way our events keep it. */
function urlPairs(got: EventRow, full: string): Array<[string, unknown, unknown]> {
  const url = new URL(full);
  return [
    ['url.full (scheme)', got.scheme, url.protocol.replace(':', '')],
    ['url.full (host)', got.host, url.hostname],
    ['url.full (path)', got.path, url.pathname],
    ['url.full (query)', got.query, url.search ? url.search.slice(1) : null],
  ];
}

function otelPairs(got: EventRow, a: Record<string, unknown>): Array<[string, unknown, unknown]> {
  const pairs: Array<[string, unknown, unknown]> = [
    ['client.address', got.client_ip, a['client.address']],
    ['client.port', got.client_port, Number(a['client.port'])],
    ['http.request.method', got.method, a['http.request.method']],
    ['network.protocol.version', got.http_version, a['network.protocol.version']],
    ['http.response.size', got.bytes, Number(a['http.response.size'])],
    ['aws.elb.status.code', got.status, Number(a['aws.elb.status.code'])],
    ['tls.protocol.version', (got.tls_version as string | null)?.toLowerCase(), a['tls.protocol.version']],
    ['user_agent.original', got.user_agent, a['user_agent.original']],
    ...urlPairs(got, a['url.full'] as string),
  ];
  if ('url.domain' in a) pairs.push(['url.domain', got.host, a['url.domain']]);
  return pairs;
}

describe('crowdsec aws-alb parser fixture', async () => {
  const assertions = JSON.parse(read('crowdsec-hub/aws-alb/parser.assert.expected.json'));
  const parsed = assertions['s01-parse']['crowdsecurity/aws-alb'] as Array<{ parsed: Record<string, string>; meta: Record<string, string> }>;
  const enriched = assertions['s02-enrich']['crowdsecurity/dateparse-enrich'] as Array<{ meta: Record<string, string> }>;
  const { db, results, events } = await ingest([fixture('crowdsec-hub/aws-alb/aws-alb-logs.log')]);
  afterAll(() => db.close());

  it('is detected as aws-alb and accepts all 14 lines (old and new trailing fields)', () => {
    expect(results[0]).toMatchObject({ logType: 'aws-alb', lines: 14, events: 14, rejected: 0 });
    expect(results[0]!.coverage).toMatchObject({ scheme: true, credential: false, principal: false });
  });

  it.each(parsed.map((p, i) => [i + 1, p.parsed] as const))('line %i equals upstream', (line, p) => {
    const got = events.find((e) => e.line_no === line)!;
    expectFields('crowdsec-hub/aws-alb', line, [
      ['remote_addr', got.client_ip, p.remote_addr],
      ['remote_port', got.client_port, Number(p.remote_port)],
      ['http_method', got.method, p.http_method],
      ['request', got.query === null ? got.path : `${got.path}?${got.query}`, p.request],
      ['http_version', got.http_version, p.http_version],
      ['elb_status_code', got.status, Number(p.elb_status_code)],
      ['sent_bytes', got.bytes, Number(p.sent_bytes)],
      ['http_user_agent', got.user_agent, p.http_user_agent],
      ['host', got.host, p.host],
      ['protocol (type → scheme)', got.scheme, p.protocol === 'http' ? 'http' : 'https'],
      ['ssl_protocol', got.tls_version, dash(p.ssl_protocol)],
      ['timestamp (request_creation_time)', got.ts, enriched[line - 1]!.meta.timestamp],
    ]);
  });
});

describe.each([
  ['otel-contrib/aws-alb/alb_al_valid_logs.log', 'otel-contrib/aws-alb/alb_al_valid_logs_expected.yaml', 'aws-alb'],
  ['otel-contrib/aws-clb/clb_al_valid_logs.log', 'otel-contrib/aws-clb/clb_al_valid_logs_expected.yaml', 'aws-elb'],
])('otel %s', async (log, expected, type) => {
  const records = otelRecords(read(expected), parseYaml);
  const { db, results, events } = await ingest([fixture(log)]);
  afterAll(() => db.close());

  it(`is detected as ${type}, one event per line`, () => {
    expect(results[0]).toMatchObject({ logType: type, events: records.length, rejected: 0 });
  });

  it.each(records.map((r, i) => [i + 1, r] as const))('line %i equals upstream', (line, want) => {
    const got = events.find((e) => e.line_no === line)!;
    const pairs = otelPairs(got, want.attrs);
    // The ALB receiver stamps records with `time` (response sent); we keep the request creation
    // time, as crowdsec does: the moment the credential was presented. Classic ELB logs one time.
    if (type === 'aws-elb') pairs.push(['timeUnixNano', got.ts, want.time]);
    else expect(got.ts).toBe('2018-07-02T22:22:48.364Z');
    expectFields(log, line, pairs);
  });
});

describe('logstash-patterns-core Classic ELB cases', async () => {
  const cases = (JSON.parse(read('logstash-patterns-core/grok-spec-cases.json')).cases as Array<{ pattern: string; message: string; expected_ecs_subset: Record<string, unknown> }>)
    .filter((c) => c.pattern.startsWith('ELB_ACCESS_LOG'));
  const { db, results, events } = await ingestText('elb.log', cases.map((c) => c.message));
  afterAll(() => db.close());

  it('detects aws-elb and accepts the 4 cases (old layout without user agent, "-" backend, "-" TLS)', () => {
    expect(results[0]).toMatchObject({ logType: 'aws-elb', events: 4, rejected: 0 });
  });

  it.each(cases.map((c, i) => [i + 1, c.expected_ecs_subset] as const))('case %i equals upstream', (line, want) => {
    const got = events.find((e) => e.line_no === line)!;
    const pairs = ecsPairs(got, want);
    if (want['aws.elb.ssl_protocol']) pairs.push(['aws.elb.ssl_protocol', got.tls_version, want['aws.elb.ssl_protocol']]);
    if (line === 2) pairs.push(['request_processing_time -1 → no duration', got.duration_ms, null]);
    if (line === 4) pairs.push(['ssl_protocol "-" absent', got.tls_version, null], ['user_agent "-" absent', got.user_agent, null]);
    expectFields('logstash-patterns-core/elb', line, pairs);
  });
});

describe('ALB lines written from the documented layout', () => {
  it('maps ws/wss listener types, IPv6 clients, Auth* error reasons and a token in the URL', async () => {
    // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html
    const tail = 'arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/t/1 "Root=1-1" "api.example.com" "-" 1 2024-05-01T10:00:00.000000Z';
    const { db, events } = await ingestText('alb.log', [
      `wss 2024-05-01T10:00:00.500000Z app/lb/1 [2001:db8::5]:51000 10.0.0.1:80 0.001 0.002 0.000 101 101 100 200 "GET https://api.example.com:443/socket?access_token=abc123 HTTP/1.1" "ws-client" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 ${tail} "forward" "-" "-" "10.0.0.1:80" "101" "-" "-"`,
      `https 2024-05-01T10:00:01.000000Z app/lb/1 192.0.2.4:40000 - -1 -1 -1 401 - 80 100 "GET https://api.example.com:443/oauth2/idpresponse?code=xyz HTTP/1.1" "Mozilla" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 - "Root=1-2" "api.example.com" "-" 1 2024-05-01T10:00:01.000000Z "authenticate" "-" "AuthInvalidIdToken" "-" "-" "-" "-"`,
      `ws 2024-05-01T10:00:02.000000Z app/lb/1 192.0.2.5:40001 10.0.0.1:80 0.001 0.002 0.000 101 101 100 200 "GET http://api.example.com:80/socket HTTP/1.1" "ws-client" - - ${tail}`,
    ]);
    db.close();
    expect(events.map((e) => [e.scheme, e.client_ip, e.status])).toEqual([
      ['https', '2001:db8::5', 101],
      ['https', '192.0.2.4', 401],
      ['http', '192.0.2.5', 101],
    ]);
    expect(events[0]).toMatchObject({ query: 'access_token=REDACTED', credential_kind: 'api-key', credential_source: 'query', subject_kind: 'credential' });
    expect(events[1]).toMatchObject({ auth_error: 'AuthInvalidIdToken', query: 'code=REDACTED', duration_ms: null });
    expect(JSON.stringify(events)).not.toContain('abc123');
  });
});
