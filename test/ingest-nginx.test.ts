// nginx ingest against real third-party fixtures, field by field against the upstream expected
// values (elastic/beats filebeat nginx module; crowdsecurity/hub nginx parser test).
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture, ingest } from './support/ingest.js';

type BeatsEvent = Record<string, unknown>;

describe('beats nginx access fixture', async () => {
  const expected = JSON.parse(readFileSync(fixture('beats/nginx-access/test.log-expected.json'), 'utf8')) as BeatsEvent[];
  const { db, results, events } = await ingest([fixture('beats/nginx-access/test.log')]);
  afterAll(() => db.close());

  it('accepts every line', () => {
    expect(results[0]).toMatchObject({ status: 'ingested', logType: 'nginx', lines: 10, events: 10, rejected: 0 });
    expect(events).toHaveLength(expected.length);
  });

  it.each(expected.map((e, i) => [i + 1, e] as const))('line %i equals upstream', (line, want) => {
    const got = events.find((e) => e.line_no === line)!;
    expect(got.ts).toBe(want['@timestamp']);
    expect(got.method).toBe(want['http.request.method'] ?? null);
    expect(got.path).toBe(want['url.path'] ?? null);
    expect(got.query).toBe(want['url.query'] ?? null);
    expect(got.http_version).toBe(want['http.version'] ?? null);
    expect(got.status).toBe(want['http.response.status_code']);
    expect(got.bytes).toBe(want['http.response.body.bytes']);
    expect(got.user_agent).toBe(want['user_agent.original'] ?? null);
    // Client address: beats takes the first public address of the chain; we take the right-most
    // public one (what our edge saw; entries to its left are client-claimed X-Forwarded-For
    // values an attacker can forge). They agree on every line but line 5, where the chain ends
    // in a CDN edge (204.246.1.1, "Amazon CloudFront") and beats trusts the forwarded claim.
    const upstream = (want['source.ip'] ?? want['source.address']) as string;
    expect(got.client_ip).toBe(line === 5 ? '204.246.1.1' : upstream);
  });

  it('keeps the whole forwarded chain when a client address was chosen from it', () => {
    expect(events.find((e) => e.line_no === 5)!.forwarded_for).toBe('10.5.102.222, 175.16.199.1, 204.246.1.1');
  });
});

describe('crowdsec nginx parser fixture', async () => {
  const assertions = JSON.parse(readFileSync(fixture('crowdsec-hub/nginx-combined/parser.assert.expected.json'), 'utf8'));
  const parsed = assertions['s01-parse']['crowdsecurity/nginx-logs'] as Array<{ parsed: Record<string, string>; meta: Record<string, string> }>;
  const { db, results, events } = await ingest([fixture('crowdsec-hub/nginx-combined/nginx_http-logs.log')]);
  afterAll(() => db.close());

  it('accepts the 8 access-log lines and rejects the error-log line 9 with its line number', () => {
    expect(results[0]).toMatchObject({ lines: 9, events: 8, rejected: 1 });
    expect(results[0]!.rejectedLines).toEqual([{ line: 9, reason: 'line does not match the nginx combined format' }]);
  });

  it.each(parsed.slice(0, 8).map((p, i) => [i + 1, p] as const))('line %i equals upstream', (line, want) => {
    const got = events.find((e) => e.line_no === line)!;
    const [path, query] = want.parsed.request!.split('?');
    expect(got.client_ip).toBe(want.meta.source_ip);
    expect(got.method).toBe(want.parsed.verb);
    expect(got.path).toBe(path);
    expect(got.query).toBe(query ?? null);
    expect(got.status).toBe(Number(want.parsed.status));
    expect(got.bytes).toBe(Number(want.parsed.body_bytes_sent));
    expect(got.user_agent).toBe(want.parsed.http_user_agent);
    expect(got.http_version).toBe(want.parsed.http_version);
    expect(got.host).toBe(want.parsed.target_fqdn ?? null);
    expect(got.principal).toBe(want.parsed.remote_user && want.parsed.remote_user !== '-' ? want.parsed.remote_user : null);
    const ts = assertions['s02-enrich']['crowdsecurity/dateparse-enrich'][line - 1].meta.timestamp as string;
    expect(got.ts).toBe(ts.replace('Z', '.000Z'));
  });
});
