// nginx log_format strings, compiled to one DuckDB regex: every variable apiaudit maps, the
// ${var} syntax, literals that are regex or SQL metacharacters.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compilePattern, escapeLiteral, toRegexLiteral } from '../src/ingest/formats/pattern-regex.js';
import { tokenizeLogFormat } from '../src/ingest/formats/nginx.js';
import { ingest } from './support/ingest.js';

const dir = mkdtempSync(path.join(tmpdir(), 'apiaudit-logformat-'));
async function parse(pattern: string, lines: string[]) {
  const file = path.join(dir, `f${Math.random().toString(36).slice(2)}.log`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  const result = await ingest([file], { logType: 'nginx', logPattern: pattern });
  result.db.close();
  return result;
}

describe('tokenizing', () => {
  it('splits variables ($var and ${var}) from literals', () => {
    expect(tokenizeLogFormat('[${time_local}] $status"x"')).toEqual([
      { kind: 'literal', text: '[' },
      { kind: 'capture', name: 'time_local' },
      { kind: 'literal', text: '] ' },
      { kind: 'capture', name: 'status' },
      { kind: 'literal', text: '"x"' },
    ]);
  });

  it('writes every literal character but letters and digits as \\x{HH}, so no quote can reach SQL', () => {
    expect(escapeLiteral(`a'b"; --`)).toBe('a\\x{27}b\\x{22}\\x{3B}\\x{20}\\x{2D}\\x{2D}');
    const { regex } = compilePattern(tokenizeLogFormat(`$status '); DROP TABLE events; -- $time_local`));
    expect(regex).not.toMatch(/'/);
    expect(() => toRegexLiteral("x'y")).toThrow();
  });
});

describe('parsing with a custom log_format', () => {
  it('maps every audit-relevant variable', async () => {
    const pattern =
      '$remote_addr:$remote_port $remote_user [$time_iso8601] $request_method $scheme://$http_host$request_uri $server_protocol ' +
      '$status $body_bytes_sent $request_time "$http_referer" "$http_user_agent" "$http_x_forwarded_for" $ssl_protocol "$http_authorization"';
    const { results, events } = await parse(pattern, [
      '10.0.0.7:51234 - [2026-01-05T10:00:00+01:00] GET https://api.example:8443/api/Items?x=1 HTTP/2.0 200 99 0.250 "-" "curl/8 (x)" "198.51.100.1, 10.0.0.7" TLSv1.3 "Bearer abc.def"',
    ]);
    expect(results[0]).toMatchObject({ events: 1, rejected: 0 });
    expect(events[0]).toMatchObject({
      ts: '2026-01-05T09:00:00.000Z', client_ip: '198.51.100.1', client_port: 51234, forwarded_for: '198.51.100.1, 10.0.0.7',
      method: 'GET', scheme: 'https', host: 'api.example', path: '/api/Items', query: 'x=1', http_version: '2.0',
      status: 200, bytes: 99, duration_ms: 250, user_agent: 'curl/8 (x)', tls_version: 'TLSv1.3', credential_kind: 'bearer',
    });
  });

  it('takes the scheme from $https and from $ssl_protocol when $scheme is not logged', async () => {
    const { events } = await parse('$msec $remote_addr "$request" $status $https', [
      '1767603600.123 192.0.2.1 "GET / HTTP/1.1" 200 on',
      '1767603601.000 192.0.2.1 "GET / HTTP/1.1" 200 -',
    ]);
    expect(events.map((e) => [e.ts, e.scheme])).toEqual([
      ['2026-01-05T09:00:00.123Z', 'https'],
      ['2026-01-05T09:00:01.000Z', 'http'],
    ]);
    const tls = await parse('$time_local $remote_addr "$request" $status $ssl_protocol', [
      '05/Jan/2026:09:00:00 +0000 192.0.2.1 "GET / HTTP/1.1" 200 TLSv1.2',
      '05/Jan/2026:09:00:00 +0000 192.0.2.1 "GET / HTTP/1.1" 200 -',
    ]);
    expect(tls.events.map((e) => e.scheme)).toEqual(['https', 'http']);
  });

  it('never guesses a scheme the format does not log', async () => {
    const { events, results } = await parse('$time_local $remote_addr "$request" $status', ['05/Jan/2026:09:00:00 +0000 192.0.2.1 "GET / HTTP/1.1" 200']);
    expect(events[0]!.scheme).toBeNull();
    expect(results[0]!.coverage!.notes).toContain('no scheme: plain-http cannot be judged');
  });

  it('rejects lines that do not follow the pattern, with the line number', async () => {
    const { results } = await parse('$time_local $remote_addr "$request" $status', [
      '05/Jan/2026:09:00:00 +0000 192.0.2.1 "GET / HTTP/1.1" 200',
      '192.0.2.1 - - [05/Jan/2026:09:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "-"',
    ]);
    expect(results[0]!.rejectedLines).toEqual([{ line: 2, reason: 'line does not match the nginx log_format' }]);
  });

  it('refuses a pattern without any time variable', async () => {
    await expect(parse('$remote_addr "$request" $status', ['192.0.2.1 "GET / HTTP/1.1" 200'])).rejects.toThrow(/must log a time/);
  });
});
