// CloudFront standard logs: crowdsecurity/hub aws-cloudfront parser test, logstash-patterns-core
// aws_spec CloudFront cases (legacy 23-field and current 33-field), and a file with the #Version /
// #Fields header written from the documentation
// (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logs-reference.html).
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ecsPairs, expectFields } from '../support/golden.js';
import { fixture, ingest, ingestText } from '../support/ingest.js';

const dash = (v: string | undefined) => (v === undefined || v === '-' ? null : v);

describe('crowdsec aws-cloudfront parser fixture', async () => {
  const assertions = JSON.parse(readFileSync(fixture('crowdsec-hub/aws-cloudfront/parser.assert.expected.json'), 'utf8'));
  const enriched = assertions['s02-enrich']['crowdsecurity/dateparse-enrich'] as Array<{ parsed: Record<string, string>; meta: Record<string, string> }>;
  const { db, results, events } = await ingest([fixture('crowdsec-hub/aws-cloudfront/aws-cloudfront-logs.log')]);
  afterAll(() => db.close());

  it('is detected as aws-cloudfront without a #Fields header', () => {
    expect(results[0]).toMatchObject({ logType: 'aws-cloudfront', lines: 2, events: 2, rejected: 0 });
  });

  it.each(enriched.map((e, i) => [i + 1, e] as const))('line %i equals upstream', (line, { parsed: p, meta }) => {
    const got = events.find((e) => e.line_no === line)!;
    expectFields('crowdsec-hub/aws-cloudfront', line, [
      ['timestamp', got.ts, meta.timestamp!.replace('Z', '.000Z')],
      ['c_ip', got.client_ip, p.c_ip],
      ['c_port', got.client_port, Number(p.c_port)],
      ['cs_method', got.method, p.cs_method],
      ['cs_uri_stem', got.path, p.cs_uri_stem],
      ['cs_uri_query', got.query, dash(p.cs_uri_query)],
      ['sc_status', got.status, Number(p.sc_status)],
      ['sc_bytes', got.bytes, Number(p.sc_bytes)],
      ['cs_user_agent', got.user_agent, p.cs_user_agent],
      ['cs_referer', got.referrer, dash(p.cs_referer)],
      ['cs_protocol', got.scheme, p.cs_protocol],
      ['cs_protocol_version', got.http_version, p.cs_protocol_version!.replace('HTTP/', '')],
      ['ssl_protocol', got.tls_version, dash(p.ssl_protocol)],
      ['time_taken', got.duration_ms, Number(p.time_taken) * 1000],
      ['x_forwarded_for', got.forwarded_for, dash(p.x_forwarded_for)],
      // the host the viewer asked for (x-host-header), not the distribution's cs(Host)
      ['x_host_header', got.host, p.x_host_header],
    ]);
  });
});

describe('logstash-patterns-core CloudFront cases', async () => {
  const cases = (JSON.parse(readFileSync(fixture('logstash-patterns-core/grok-spec-cases.json'), 'utf8')).cases as Array<{ pattern: string; message: string; expected_ecs_subset: Record<string, unknown> }>)
    .filter((c) => c.pattern.startsWith('CLOUDFRONT_ACCESS_LOG'));
  const { db, results, events } = await ingestText('cloudfront.log', cases.map((c) => c.message), { logType: 'aws-cloudfront' });
  afterAll(() => db.close());

  it('accepts the legacy 23-field and the current 33-field line', () => {
    expect(results[0]).toMatchObject({ events: 2, rejected: 0 });
  });

  it.each(cases.map((c, i) => [i + 1, c.expected_ecs_subset] as const))('case %i equals upstream', (line, want) => {
    const got = events.find((e) => e.line_no === line)!;
    const ua = want['user_agent.original'] as string;
    const pairs = ecsPairs(got, { ...want, 'user_agent.original': undefined, 'url.domain': undefined }).filter(([k]) => k !== 'user_agent.original' && k !== 'url.domain');
    pairs.push(
      // logstash keeps the user agent URL-encoded (once or, in old files, twice); we decode it once
      ['user_agent.original', got.user_agent, decodeURIComponent(ua)],
      ['network.protocol', got.scheme, want['network.protocol']],
      ['destination.bytes', got.bytes, want['destination.bytes']],
    );
    if ('aws.cloudfront.http.request.host' in want) pairs.push(['aws.cloudfront.http.request.host (x-host-header)', got.host, want['aws.cloudfront.http.request.host']]);
    if ('aws.cloudfront.ssl_protocol' in want) pairs.push(['aws.cloudfront.ssl_protocol', got.tls_version, want['aws.cloudfront.ssl_protocol']]);
    if ('source.port' in want) pairs.push(['source.port', got.client_port, want['source.port']]);
    if ('aws.cloudfront.time_taken' in want) pairs.push(['aws.cloudfront.time_taken', got.duration_ms, (want['aws.cloudfront.time_taken'] as number) * 1000]);
    expectFields('logstash-patterns-core/cloudfront', line, pairs);
  });
});

describe('CloudFront file with its header', () => {
  it('reads the #Fields header, a signed cookie and a token in the query; http requests are http', async () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkYXZlIn0.c2ln';
    const fields = '#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken';
    const row = (...v: string[]) => v.join('\t');
    const { db, results, events } = await ingestText('E2ABC.2024-01-01-10.abcd1234', [
      '#Version: 1.0',
      fields,
      row('2024-01-01', '10:00:00', 'FRA2', '512', '2001:db8::1', 'GET', 'd1.cloudfront.net', '/api/me', '200', '-', 'curl/8.4.0', '-', `session%3D${jwt}`, 'Miss', 'id1', 'api.example.com', 'http', '120', '0.020'),
      row('2024-01-01', '10:00:01', 'FRA2', '90', '192.0.2.7', 'GET', 'd1.cloudfront.net', '/api/me', '401', '-', 'curl/8.4.0', 'token=opaque42', '-', 'Error', 'id2', 'api.example.com', 'https', '80', '0.002'),
    ]);
    db.close();
    expect(results[0]).toMatchObject({ logType: 'aws-cloudfront', events: 2, skipped: 2, rejected: 0 });
    expect(events[0]).toMatchObject({ scheme: 'http', credential_kind: 'bearer', credential_source: 'cookie', jwt_sub: 'dave', client_ip: '2001:db8::1' });
    expect(events[1]).toMatchObject({ scheme: 'https', query: 'token=REDACTED', credential_kind: 'api-key', credential_source: 'query' });
    expect(JSON.stringify(events)).not.toMatch(/opaque42|eyJhbGci/);
  });
});
