// nginx JSON access logs (log_format … escape=json), written from the nginx documentation
// (https://nginx.org/en/docs/http/ngx_http_log_module.html#log_format): no permissively licensed
// fixture exists. With the template (--log-pattern) keys map to their variables; without it the
// variable names and common aliases are read.
import { describe, expect, it } from 'vitest';
import { ingestText } from '../support/ingest.js';

describe('nginx escape=json lines', () => {
  it('reads the usual key names without a template, numbers or strings, "" as absent', async () => {
    const { db, results, events } = await ingestText('access.json', [
      JSON.stringify({ time_iso8601: '2024-07-01T10:00:00+02:00', remote_addr: '198.51.100.3', remote_user: '', request: 'GET /api/items?page=2&access_token=s3cr3t HTTP/1.1',
        status: 200, body_bytes_sent: 1234, request_time: '0.012', http_referrer: '', http_user_agent: 'curl/8.5.0 "quoted"', http_x_forwarded_for: '', scheme: 'https' }),
      JSON.stringify({ '@timestamp': '01/Jul/2024:08:00:01 +0000', client_ip: '2001:db8::3', method: 'POST', uri: '/login', status: '401', bytes: '0', user_agent: '-' }),
      JSON.stringify({ msec: '1719820802.250', remote_addr: '198.51.100.3', request_method: 'GET', request_uri: '/x', status: 200, http_cookie: 'sessionid=abc; theme=dark' }),
      'not json',
    ]);
    db.close();
    expect(results[0]).toMatchObject({ logType: 'nginx', events: 3, rejected: 1 });
    expect(results[0]!.rejectedLines).toEqual([{ line: 4, reason: 'line does not match the nginx combined format' }]);
    expect(events[0]).toMatchObject({ ts: '2024-07-01T08:00:00.000Z', client_ip: '198.51.100.3', principal: null, method: 'GET', path: '/api/items',
      query: 'page=2&access_token=REDACTED', scheme: 'https', status: 200, bytes: 1234, duration_ms: 12, referrer: null, user_agent: 'curl/8.5.0 "quoted"',
      credential_kind: 'api-key', credential_source: 'query' });
    expect(events[1]).toMatchObject({ ts: '2024-07-01T08:00:01.000Z', client_ip: '2001:db8::3', method: 'POST', path: '/login', status: 401, user_agent: null });
    expect(events[2]).toMatchObject({ ts: '2024-07-01T08:00:02.250Z', credential_kind: 'session', credential_source: 'cookie', subject_kind: 'credential' });
    expect(JSON.stringify(events)).not.toMatch(/s3cr3t|abc/);
  });

  it('reads any keys through the log_format template given with --log-pattern', async () => {
    const template = `{"ts":"$time_local","client":"$remote_addr","req":"$request_method $request_uri","code":$status,"proto":"$scheme","auth":"$http_authorization","rt":$request_time}`;
    const { db, events } = await ingestText('custom.json', [
      JSON.stringify({ ts: '01/Jul/2024:10:00:00 +0000', client: '192.0.2.77', req: 'GET /api/Customers/me', code: 200, proto: 'http', auth: 'Basic Y2Fyb2w6aHVudGVyMg==', rt: 0.5 }),
    ], { logType: 'nginx', logPattern: template });
    db.close();
    expect(events[0]).toMatchObject({ ts: '2024-07-01T10:00:00.000Z', client_ip: '192.0.2.77', method: 'GET', path: '/api/Customers/me', status: 200, scheme: 'http',
      duration_ms: 500, credential_kind: 'basic', principal: 'carol', subject: 'carol' });
    expect(JSON.stringify(events)).not.toMatch(/hunter2|Y2Fyb2w6aHVudGVyMg/);
  });

  it('rejects each record without a time when the first records have no time key (found by the fuzz test)', async () => {
    // a key the fuzzer cut (`%00msec`): the file was lost to "no time key" when none of the first
    // 50 records (what the key mapping looks at) had one; now every alias is read, the records
    // without a time are rejected by number, and a later record with a time is kept
    const noTime = (i: number) => JSON.stringify({ '%00msec': '1719820802.250', remote_addr: '198.51.100.3', request_method: 'GET', request_uri: `/x/${i}`, status: 200 });
    const { db, results, events } = await ingestText('access.json', [
      ...Array.from({ length: 60 }, (_, i) => noTime(i)),
      JSON.stringify({ time_iso8601: '2024-07-01T10:00:00Z', remote_addr: '198.51.100.5', request_method: 'GET', request_uri: '/z', status: 200 }),
    ], { logType: 'nginx' });
    db.close();
    expect(results[0]).toMatchObject({ status: 'ingested', lines: 61, events: 1, rejected: 60 });
    expect(results[0]!.rejectedLines[0]).toEqual({ line: 1, reason: 'missing or invalid timestamp' });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ ts: '2024-07-01T10:00:00.000Z', client_ip: '198.51.100.5', path: '/z' });
  });

  it('refuses a template without a time variable', async () => {
    await expect(ingestText('x.json', ['{}'], { logType: 'nginx', logPattern: '{"a":"$remote_addr"}' })).rejects.toThrow(/no time variable/);
  });
});
