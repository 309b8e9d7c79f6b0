// Generic exports: CSV with a header row (RFC 4180, https://www.rfc-editor.org/rfc/rfc4180) and JSON
// lines, with the usual column names recognised and the config's `fields` mapping for the rest.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { ingestText } from '../support/ingest.js';

const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJrYXRlIiwiZXhwIjoxNzE3MjM2MDAwfQ.c2ln';

describe('csv', () => {
  it('recognises usual column names, quoted values with commas and "" escapes, full URLs, and skips repeated headers', async () => {
    const header = '"TimeGenerated","ClientIP","Method","URL","Status","User Agent","User","Authorization"';
    const { db, results, events } = await ingestText('siem-export.csv', [
      header,
      `2024-06-01T10:00:00Z,203.0.113.5,GET,https://api.example.com/v1/orders?id=1,200,"Mozilla/5.0 (X11, Linux)",alice,Bearer ${jwt}`,
      '2024-06-01 12:00:01,2001:db8::5,POST,http://api.example.com/login?password=pw1,401,"say ""hi""",-,',
      header,
      '2024-06-01T10:00:02+02:00,203.0.113.6,GET,/health,200,curl,,',
      '2024-06-01T10:00:03Z,203.0.113.6,GET',
    ], { timezone: 'Europe/Berlin' });
    db.close();
    expect(results[0]).toMatchObject({ logType: 'csv', lines: 6, events: 3, skipped: 2, rejected: 1 });
    expect(results[0]!.rejectedLines).toEqual([{ line: 6, reason: 'number of values does not match the 8 columns of the header' }]);
    expect(events[0]).toMatchObject({ ts: '2024-06-01T10:00:00.000Z', client_ip: '203.0.113.5', method: 'GET', scheme: 'https', host: 'api.example.com',
      path: '/v1/orders', query: 'id=1', status: 200, user_agent: 'Mozilla/5.0 (X11, Linux)', principal: 'alice', credential_kind: 'bearer', jwt_sub: 'kate' });
    // no offset: read in the input's zone (Europe/Berlin, UTC+2 in June)
    expect(events[1]).toMatchObject({ ts: '2024-06-01T10:00:01.000Z', client_ip: '2001:db8::5', scheme: 'http', query: 'password=REDACTED', status: 401, user_agent: 'say "hi"', principal: null });
    expect(events[2]).toMatchObject({ ts: '2024-06-01T08:00:02.000Z', path: '/health', scheme: null });
    expect(results[0]!.coverage).toMatchObject({ scheme: true, credential: true, principal: true });
    expect(results[0]!.coverage!.notes).toContain('times without an offset have no time zone: read as Europe/Berlin');
    expect(JSON.stringify(events)).not.toMatch(/pw1|eyJhbGci/);
  });

  it('reads semicolon- and tab-separated exports and epoch times', async () => {
    const semi = await ingestText('a.csv', ['time;src_ip;verb;uri;status_code', '1717236000;192.0.2.1;GET;/a;200']);
    const tab = await ingestText('b.tsv', ['ts\tclient_ip\tmethod\tpath\tstatus', '1717236000123\t192.0.2.2\tGET\t/b\t404']);
    semi.db.close();
    tab.db.close();
    expect(semi.events[0]).toMatchObject({ ts: '2024-06-01T10:00:00.000Z', client_ip: '192.0.2.1', method: 'GET', path: '/a', status: 200 });
    expect(tab.events[0]).toMatchObject({ ts: '2024-06-01T10:00:00.123Z', client_ip: '192.0.2.2', path: '/b', status: 404 });
    expect(tab.results[0]!.logType).toBe('csv');
  });

  it('uses the config mapping for columns it does not know', async () => {
    const lines = ['EventTime,SourceAddress,Req,Code,Caller', '2024-06-01T10:00:00Z,192.0.2.9,GET /x?token=abc HTTP/1.1,403,svc-7'];
    const { db, events } = await ingestText('custom.csv', lines, {
      logType: 'csv', fieldMap: { ts: 'EventTime', client_ip: 'SourceAddress', request: 'Req', status: 'Code', principal: 'caller' },
    });
    db.close();
    expect(events[0]).toMatchObject({ client_ip: '192.0.2.9', method: 'GET', path: '/x', query: 'token=REDACTED', http_version: '1.1', status: 403, principal: 'svc-7',
      credential_kind: 'api-key', credential_source: 'query' });
    const unmapped = await ingestText('custom.csv', lines, { logType: 'csv' });
    unmapped.db.close();
    // EventTime is a usual name; the request columns are not
    expect(unmapped.results[0]!.error).toMatch(/csv: no request column \(method, url, path or status\); name them with fields\.\* in the config/);
    const noTime = await ingestText('custom.csv', ['When,Path,Code', '2024-06-01T10:00:00Z,/x,200'], { logType: 'csv' });
    noTime.db.close();
    expect(noTime.results[0]!.error).toMatch(/csv: no timestamp column among When, Path, Code; name it with fields\.ts in the config/);
    const wrong = await ingestText('custom.csv', lines, { logType: 'csv', fieldMap: { ts: 'When' } });
    wrong.db.close();
    expect(wrong.results[0]!.error).toMatch(/fields\.ts names "When", which is not among its columns/);
  });
});

describe('jsonl', () => {
  it('recognises ECS names, nested or dotted, and OTel names', async () => {
    const { db, results, events } = await ingestText('export.ndjson', [
      JSON.stringify({ '@timestamp': '2024-06-01T10:00:00.500Z', source: { ip: '198.51.100.1' }, http: { request: { method: 'GET' }, response: { status_code: 200, body: { bytes: 12 } } },
        url: { original: '/a?b=c' }, user_agent: { original: 'ua' }, user: { name: 'lee' } }),
      JSON.stringify({ '@timestamp': '2024-06-01T10:00:01Z', 'source.ip': '198.51.100.2', 'http.request.method': 'DELETE', 'url.original': '/d', 'http.response.status_code': '403',
        'event.duration': 2500000 }),
      JSON.stringify({ timestamp: '2024-06-01T10:00:02Z', 'client.address': '198.51.100.3', 'http.request.method': 'GET', 'url.full': 'https://x.example/p', 'http.response.status_code': 200 }),
    ]);
    db.close();
    expect(results[0]).toMatchObject({ logType: 'jsonl', events: 3, rejected: 0 });
    expect(events.map((e) => [e.ts, e.client_ip, e.method, e.path, e.status])).toEqual([
      ['2024-06-01T10:00:00.500Z', '198.51.100.1', 'GET', '/a', 200],
      ['2024-06-01T10:00:01.000Z', '198.51.100.2', 'DELETE', '/d', 403],
      ['2024-06-01T10:00:02.000Z', '198.51.100.3', 'GET', '/p', 200],
    ]);
    expect(events[0]).toMatchObject({ query: 'b=c', bytes: 12, user_agent: 'ua', principal: 'lee' });
    expect(events[1]!.duration_ms).toBe(2.5);
    expect(events[2]).toMatchObject({ scheme: 'https', host: 'x.example' });
  });

  it('uses the config mapping, including nested keys', async () => {
    const { db, events } = await ingestText('x.jsonl', [JSON.stringify({ when: '2024-06-01T10:00:00Z', peer: { addr: '192.0.2.40' }, op: 'GET', res: '/r', rc: 200, tok: `Bearer ${jwt}` })], {
      logType: 'jsonl', fieldMap: { ts: 'when', client_ip: 'peer.addr', method: 'op', target: 'res', status: 'rc', auth_header: 'tok' },
    });
    db.close();
    expect(events[0]).toMatchObject({ client_ip: '192.0.2.40', method: 'GET', path: '/r', status: 200, credential_kind: 'bearer', jwt_sub: 'kate' });
  });
});

describe('config `fields`', () => {
  it('accepts raw field names and request, refuses others by key', () => {
    expect(parseConfig({ fields: { ts: 'EventTime', request: 'Req' } }, 'c.yml').fields).toEqual({ ts: 'EventTime', request: 'Req' });
    expect(() => parseConfig({ inputs: [{ match: '*.csv', fields: { tsx: 'a' } }] }, 'c.yml')).toThrow(/^c\.yml: inputs\.0\.fields/);
    expect(() => parseConfig({ timezone: 'Mars/Olympus' }, 'c.yml')).toThrow(/c\.yml: timezone: not a time zone/);
  });
});
