// IIS W3C extended logs: the elastic/beats IIS fixture (three #Fields layouts in one file) field by
// field, tstack/lnav's odd W3C variants (input only: values checked against the lines themselves),
// and lines written from the IIS documentation
// (https://learn.microsoft.com/en-us/windows/win32/http/w3c-logging,
//  https://learn.microsoft.com/en-us/iis/get-started/whats-new-in-iis-85/enhanced-logging-for-iis85).
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { beatsPairs, expectFields } from '../support/golden.js';
import { fixture, ingest, ingestText } from '../support/ingest.js';

describe('beats IIS fixture', async () => {
  const expected = JSON.parse(readFileSync(fixture('beats/iis-w3c/test.log-expected.json'), 'utf8')) as Array<Record<string, unknown>>;
  const { db, results, events } = await ingest([fixture('beats/iis-w3c/test.log')]);
  afterAll(() => db.close());
  // beats numbers events by byte offset; ours by line
  const text = readFileSync(fixture('beats/iis-w3c/test.log'), 'utf8');
  const lineOf = (offset: number) => text.slice(0, offset).split('\n').length;

  it('is detected as iis: 5 events, 12 directive lines skipped, nothing rejected', () => {
    expect(results[0]).toMatchObject({ logType: 'iis', lines: 17, events: 5, skipped: 12, rejected: 0 });
  });

  it.each(expected.map((e) => [lineOf(e['log.offset'] as number), e] as const))('line %i equals upstream', (line, want) => {
    const got = events.find((e) => e.line_no === line)!;
    const pairs = beatsPairs(got, { ...want, 'url.query': undefined, 'url.original': undefined });
    pairs.push(
      ['url.path', got.path, want['url.path']],
      // beats keeps url.query percent-decoded; we keep it as logged
      ['url.query', got.query === null ? undefined : decodeURIComponent(got.query), want['url.query']],
      ['event.duration (ns)', got.duration_ms === null ? null : got.duration_ms * 1e6, want['event.duration']],
      ['iis.access.sub_status + win32_status', got.status_detail, `${want['http.response.status_code']}.${want['iis.access.sub_status']} win32=${want['iis.access.win32_status']}`],
    );
    if ('url.domain' in want) pairs.push(['url.domain', got.host, want['url.domain']]);
    expectFields('beats/iis-w3c', line, pairs.filter(([, , w]) => w !== undefined));
  });

  it('takes a scheme hint from s-port and says so in the coverage notes', () => {
    expect(events.map((e) => e.scheme)).toEqual(['http', 'http', 'http', 'https', 'https']);
    expect(results[0]!.coverage!.notes.join(' ')).toMatch(/s-port/);
  });
});

describe('lnav W3C variants (input only)', () => {
  it('reads an HTTP Server API log with text after the directives', async () => {
    const { db, results, events } = await ingest([fixture('lnav/iis-w3c/logfile_w3c.0')], { logType: 'iis' });
    db.close();
    expect(results[0]).toMatchObject({ events: 1, rejected: 0, skipped: 4 });
    expect(events[0]).toMatchObject({ ts: '2002-05-02T17:42:15.000Z', client_ip: '172.22.255.255', path: '/images/picture.jpg', status: 200,
      user_agent: 'Mozilla/4.0 (compatible;MSIE 5.5; Windows 2000 Server)', scheme: 'http' });
  });

  it('reads Oracle Web Cache lines (several spaces between values, c-auth-id user, cs-uri)', async () => {
    const { db, results, events } = await ingest([fixture('lnav/iis-w3c/logfile_w3c.1')], { logType: 'iis' });
    db.close();
    expect(results[0]).toMatchObject({ events: 1, rejected: 0 });
    expect(events[0]).toMatchObject({ ts: '2001-10-31T00:00:18.000Z', client_ip: '64.103.37.2', principal: 'DMS.user', method: 'GET',
      path: '/admin/images/oc_bottomleft.gif', status: 200, bytes: 350 });
  });

  it('reads IIS Advanced Logging quoted values and date-local/time-local in the given zone', async () => {
    const { db, results, events } = await ingest([fixture('lnav/iis-w3c/logfile_w3c.3')], { logType: 'iis', timezone: '-07:00' });
    db.close();
    expect(results[0]).toMatchObject({ events: 3, rejected: 0 });
    expect(events[0]).toMatchObject({ ts: '2012-08-16T00:00:00.363Z', client_ip: '70.95.0.0', host: 'xzy.example.com', status: 200, duration_ms: 109,
      user_agent: 'Mozilla/5.0 (Linux; Android 4.4.4; SM-G900V Build/KTU84P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/39.0.2171.59 Mobile Safari/537.36' });
    expect(events[2]!.status_detail).toBe('404. "garbage" w/ spaces  win32=0');
    expect(results[0]!.coverage!.notes.join(' ')).toMatch(/read as -07:00/);
  });

  it('reads Incapsula lines where every value is quoted', async () => {
    const { db, results, events } = await ingest([fixture('lnav/iis-w3c/logfile_w3c.4')], { logType: 'iis' });
    db.close();
    expect(results[0]).toMatchObject({ events: 2, rejected: 0 });
    expect(events.map((e) => [e.ts, e.client_ip])).toEqual([
      ['2017-06-28T07:26:35.000Z', '123.123.123.123'],
      ['2017-06-26T18:21:17.000Z', '125.125.125.125'],
    ]);
  });

  it('reads a user agent that is not valid UTF-8 without losing the line', async () => {
    const { db, results, events } = await ingest([fixture('lnav/iis-w3c/logfile_w3c.6')], { logType: 'iis' });
    db.close();
    expect(results[0]).toMatchObject({ events: 1, rejected: 0 });
    expect(events[0]).toMatchObject({ status: 404, status_detail: '404.0 win32=2', bytes: 1405, duration_ms: 283 });
  });
});

describe('IIS lines written from the documentation', () => {
  const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjYXJvbCIsImV4cCI6MTcwMDAwMDAwMH0.c2ln';
  const header = '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Cookie) sc-status sc-substatus sc-win32-status time-taken Authorization X-Forwarded-For';

  it('keeps 401.2 challenges apart, reads a custom Authorization field and a session cookie, handles CRLF', async () => {
    const lines = [
      '#Software: Microsoft Internet Information Services 10.0',
      header,
      '2024-02-01 10:00:00 10.0.0.5 GET /api/orders - 443 - 203.0.113.9 Mozilla/5.0+(Windows) - 401 2 5 3 - -',
      `2024-02-01 10:00:01 10.0.0.5 GET /api/orders id=7 443 CORP\\carol 203.0.113.9 Mozilla/5.0+(Windows) ASP.NET_SessionId=abc123;+theme=dark 200 0 0 12 Bearer+${jwt} 198.51.100.1`,
      '2024-02-01 10:00:02 10.0.0.5 GET /api/orders - 8080 bad 203.0.113.9 - - 401 1 1326 3 - -',
    ];
    const { db, results, events } = await ingestText('u_ex240201.log', `${lines.join('\r\n')}\r\n`);
    db.close();
    expect(results[0]).toMatchObject({ logType: 'iis', events: 3, rejected: 0, skipped: 2 });
    expect(events.map((e) => e.status_detail)).toEqual(['401.2 win32=5', '200.0 win32=0', '401.1 win32=1326']);
    expect(events[0]).toMatchObject({ scheme: 'https', principal: null, credential_kind: 'none', subject_kind: 'client_ip' });
    expect(events[1]).toMatchObject({ credential_kind: 'bearer', credential_source: 'header', jwt_sub: 'carol', principal: 'CORP\\carol',
      forwarded_for: '198.51.100.1', client_ip: '203.0.113.9', query: 'id=7', user_agent: 'Mozilla/5.0 (Windows)' });
    expect(events[2]).toMatchObject({ scheme: null, principal: 'bad', subject: 'bad' });
    expect(JSON.stringify(events)).not.toMatch(/abc123|eyJhbGci/);
  });

  it('follows a #Fields change in the middle of a file', async () => {
    const { db, events } = await ingestText('changing.log', [
      '#Fields: date time c-ip cs-method cs-uri-stem sc-status',
      '2024-02-01 10:00:00 192.0.2.1 GET /a 200',
      '#Fields: date time cs-method cs-uri-stem sc-status c-ip cs-host',
      '2024-02-01 10:00:01 POST /b 201 192.0.2.2 api.example.com',
    ], { logType: 'iis' });
    db.close();
    expect(events.map((e) => [e.line_no, e.method, e.path, e.status, e.client_ip, e.host])).toEqual([
      [2, 'GET', '/a', 200, '192.0.2.1', null],
      [4, 'POST', '/b', 201, '192.0.2.2', 'api.example.com'],
    ]);
  });

  it('rejects a line whose values do not fit the columns, by line number', async () => {
    const { db, results } = await ingestText('short.log', ['#Fields: date time c-ip cs-method cs-uri-stem sc-status', '2024-02-01 10:00:00 192.0.2.1 GET'], { logType: 'iis' });
    db.close();
    expect(results[0]!.rejectedLines).toEqual([{ line: 2, reason: 'number of values does not match the IIS #Fields columns' }]);
  });
});
