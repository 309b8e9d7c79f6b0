// Odd lines every reader meets: IPv6, escaped quotes, "-" for absent values, an empty request,
// garbage request lines, very long lines, CRLF line ends, NUL bytes; and every fixture read again
// from .gz gives the same events.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { FormatChoice } from '../../src/ingest/index.js';
import { fixture, ingest, ingestText, tempFile } from '../support/ingest.js';

describe('odd lines', () => {
  it('nginx combined: IPv6, \\x22 escapes, "-" values, empty and garbage requests, TLS junk', async () => {
    const { db, results, events } = await ingestText('odd.log', [
      '2001:db8::1 - - [10/Oct/2024:13:55:36 +0000] "GET /a HTTP/1.1" 200 5 "-" "say \\x22hi\\x22"',
      '192.0.2.1 - - [10/Oct/2024:13:55:37 +0000] "-" 400 0 "-" "-"',
      '192.0.2.1 - - [10/Oct/2024:13:55:38 +0000] "" 400 0 "-" "-"',
      '192.0.2.1 - - [10/Oct/2024:13:55:39 +0000] "\\x16\\x03\\x01\\x02\\x00\\x01\\x00" 400 157 "-" "-"',
      '192.0.2.1 - - [10/Oct/2024:13:55:40 +0000] "GET /a HTTP/1.1" - - "-" "-"',
    ]);
    db.close();
    expect(results[0]).toMatchObject({ logType: 'nginx', events: 5, rejected: 0 });
    expect(events.map((e) => [e.client_ip, e.method, e.path, e.status, e.user_agent])).toEqual([
      ['2001:db8::1', 'GET', '/a', 200, 'say "hi"'],
      ['192.0.2.1', null, null, 400, null],
      ['192.0.2.1', null, null, 400, null],
      ['192.0.2.1', null, null, 400, null],
      ['192.0.2.1', 'GET', '/a', null, null],
    ]);
  });

  it('keeps a 3 MB request line and the line numbers after it', async () => {
    const long = `/search?q=${'x'.repeat(3 * 1024 * 1024)}`;
    const { db, results, events } = await ingestText('long.log', [
      `192.0.2.1 - - [10/Oct/2024:13:55:36 +0000] "GET ${long} HTTP/1.1" 414 0 "-" "-"`,
      '192.0.2.1 - - [10/Oct/2024:13:55:37 +0000] "GET /b HTTP/1.1" 200 5 "-" "-"',
    ]);
    db.close();
    expect(results[0]).toMatchObject({ events: 2, rejected: 0 });
    expect((events[0]!.query as string).length).toBe(long.length - '/search?'.length);
    expect(events[1]).toMatchObject({ line_no: 2, path: '/b' });
  });

  it('counts CR, LF and CRLF line ends the same in text and JSON formats', async () => {
    const text = ['192.0.2.1 - - [10/Oct/2024:13:55:36 +0000] "GET /1 HTTP/1.1" 200 5 "-" "-"', '', '192.0.2.1 - - [10/Oct/2024:13:55:37 +0000] "GET /2 HTTP/1.1" 200 5 "-" "-"'];
    const caddy = (n: number) => JSON.stringify({ ts: 1728568536 + n, logger: 'http.log.access', request: { remote_ip: '192.0.2.1', method: 'GET', uri: `/${n}`, proto: 'HTTP/1.1' }, status: 200, size: 1 });
    for (const eol of ['\r\n', '\n', '\r']) {
      const a = await ingestText('crlf.log', text.join(eol) + eol);
      const b = await ingestText('crlf.json', [caddy(1), '', caddy(2)].join(eol) + eol);
      a.db.close();
      b.db.close();
      expect(a.events.map((e) => [e.line_no, e.path, e.client_ip])).toEqual([[1, '/1', '192.0.2.1'], [3, '/2', '192.0.2.1']]);
      expect(b.events.map((e) => [e.line_no, e.path])).toEqual([[1, '/1'], [3, '/2']]);
      expect(b.results[0]!.logType).toBe('caddy');
    }
  });

  it('rejects a broken JSON line by number and keeps the others', async () => {
    const entry = (n: number) => JSON.stringify({ StartUTC: `2024-10-10T13:55:3${n}Z`, ClientAddr: '[2001:db8::7]:5000', RequestMethod: 'GET', RequestPath: `/${n}`, DownstreamStatus: 200 });
    const { db, results, events } = await ingestText('traefik.json', [entry(1), '{"StartUTC": "2024-10-10T13:55:32Z", "RequestMethod": "GET"', entry(3)]);
    db.close();
    expect(results[0]).toMatchObject({ logType: 'traefik', events: 2, rejected: 1 });
    expect(results[0]!.rejectedLines).toEqual([{ line: 2, reason: 'line is not a JSON object' }]);
    expect(events.map((e) => e.client_ip)).toEqual(['2001:db8::7', '2001:db8::7']);
  });

  it('keeps a NUL byte and a non-UTF-8 byte inside a line', async () => {
    const bytes = Buffer.concat([
      Buffer.from('192.0.2.1 - - [10/Oct/2024:13:55:36 +0000] "GET /a HTTP/1.1" 200 5 "-" "ua'),
      Buffer.from([0x00, 0xe9]),
      Buffer.from('"\n'),
    ]);
    const { db, results, events } = await ingest([tempFile('bytes.log', bytes)], { logType: 'nginx' });
    db.close();
    expect(results[0]).toMatchObject({ events: 1, rejected: 0 });
    // not UTF-8: read as latin-1, every non-ASCII byte shown as \xHH the way nginx writes it
    expect(events[0]!.user_agent).toBe(String.raw`ua\x00\xE9`);
  });
});

/** Every golden-test fixture, read plain and from .gz: the same events, lines and rejects. */
const FIXTURES: Array<[string, FormatChoice]> = [
  ['beats/nginx-access/test.log', {}],
  ['beats/apache-access/ssl-request.log', {}],
  ['crowdsec-hub/apache-combined/apache2-logs.log', { logType: 'apache' }],
  ['crowdsec-hub/aws-alb/aws-alb-logs.log', {}],
  ['otel-contrib/aws-clb/clb_al_valid_logs.log', {}],
  ['crowdsec-hub/aws-cloudfront/aws-cloudfront-logs.log', {}],
  ['beats/iis-w3c/test.log', {}],
  ['beats/haproxy/haproxy.log', {}],
  ['beats/traefik-clf/test.log', {}],
  ['crowdsec-hub/traefik-json/traefik_json.log', {}],
  ['crowdsec-hub/envoy/envoy.log', {}],
  ['crowdsec-hub/caddy-json/caddy-logs.log', {}],
  ['otel-contrib/gcp-lb/global_external_application_load_balancer.json', {}],
  ['otel-contrib/azure-appgw/access-log.json', {}],
];

describe.each(FIXTURES)('%s read from .gz', (file, choice) => {
  it('gives the same result as the plain file', async () => {
    const plain = await ingest([fixture(file)], choice);
    const gz = await ingest([tempFile(`${file.split('/').pop()}.gz`, gzipSync(readFileSync(fixture(file))))], choice);
    plain.db.close();
    gz.db.close();
    const keep = (r: (typeof plain.results)[number]) => ({ logType: r.logType, lines: r.lines, events: r.events, rejected: r.rejected, skipped: r.skipped, rejectedLines: r.rejectedLines });
    expect(gz.results[0]!.status).toBe('ingested');
    expect(keep(gz.results[0]!)).toEqual(keep(plain.results[0]!));
    expect(gz.events).toEqual(plain.events);
    expect(plain.events.length).toBeGreaterThan(0);
  });
});
