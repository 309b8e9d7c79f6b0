// HAProxy `option httplog` (and `option httpslog`) lines, bare or behind a syslog prefix. The accept
// date has no time zone: it is read in --timezone (else UTC, with a coverage note). A `~` after the
// frontend name means the client connection used TLS, so the scheme is known for every line.
// Reference: https://docs.haproxy.org/2.8/configuration.html#8.2.3
import { linePlan, regexParser } from './compose.js';
import type { LogFormat, ParseContext, ParsePlan } from './format.js';
import { requestLineFields } from './request-line.js';
import { localToUtc, zoneNote } from './time.js';

const HTTPLOG = {
  regex:
    '^(' +
    // optional syslog prefix: <PRI>, "Mon dd HH:MM:SS" or an ISO time, host, program[pid]:
    '(?:<[0-9]+>)?(?:(?:[A-Z][a-z]{2} +[0-9]{1,2} [0-9:]{8}|[0-9]{4}-[0-9]{2}-[0-9]{2}T[^ ]+) [^ ]+ [^ :\\[]+(?:\\[[0-9]+\\])?: )?' +
    '(-|[^ ]+?):([0-9]+|-) ' + // %ci:%cp (IPv6 without brackets: the port is after the last colon)
    '\\[([0-9]{2}/[A-Za-z]{3}/[0-9]{4}:[0-9:]{8}(?:\\.[0-9]+)?)\\] ' + // [%tr]
    '([^ ]*?)(~?) ' + // %ft (~ = TLS)
    '([^ /]+)/([^ ]+) ' + // %b/%s
    '(?:([^ ]+) )?' + // a custom field some configs log here (e.g. the host)
    '([+]?-?[0-9]+)/([+]?-?[0-9]+)/([+]?-?[0-9]+)/([+]?-?[0-9]+)/([+]?-?[0-9]+) ' + // %TR/%Tw/%Tc/%Tr/%Ta
    '([0-9]{3}|-1) ([+]?[0-9]+) ' + // %ST %B
    '([^ ]+) ([^ ]+) ([^ ]{2,4}) ' + // %CC %CS %tsc
    '[0-9]+/[0-9]+/[0-9]+/[0-9]+/[+]?[0-9]+ [0-9]+/[0-9]+ ' + // %ac/%fc/%bc/%sc/%rc %sq/%bq
    '(?:\\{([^}]*)\\} )?(?:\\{([^}]*)\\} )?' + // {captured request headers} {captured response headers}
    '"([^"]*)"?' + // %{+Q}r (may be truncated: no closing quote)
    '(.*))$',
  names: [
    'matched', 'client', 'client_port', 'accept_date', 'frontend', 'tls', 'backend', 'server', 'extra',
    'tr', 'tw', 'tc', 'tresp', 'ta', 'status', 'bytes', 'req_cookie', 'resp_cookie', 'termination',
    'req_headers', 'resp_headers', 'request', 'rest',
  ],
};

export const haproxy: LogFormat = {
  id: 'haproxy',
  title: 'HAProxy HTTP log',
  description:
    'HAProxy `option httplog` / `option httpslog` lines, with or without a syslog prefix; `~` after the frontend name = TLS. The accept date has no zone: it is read in --timezone (default UTC).',
  capabilities: { scheme: 'always', credential: 'never', principal: 'never', clientIp: 'always' },
  acceptsPattern: false,
  parallelSafe: true,
  plan(context: ParseContext): ParsePlan {
    const zone = context.timezone;
    return linePlan(context.lines, [
      regexParser(HTTPLOG, 'HAProxy HTTP log', {
        ts: localToUtc(`try_strptime(m.accept_date, ['%d/%b/%Y:%H:%M:%S.%g', '%d/%b/%Y:%H:%M:%S'])`, zone),
        client_ip: `nullif(m.client, '-')`,
        client_port: `nullif(m.client_port, '-')`,
        scheme: `CASE WHEN m.tls = '~' THEN 'https' ELSE 'http' END`,
        ...requestLineFields(`CASE WHEN m.request <> '<BADREQ>' THEN m.request END`),
        host: `CASE WHEN regexp_matches(m.extra, '^[A-Za-z0-9.-]+\\.[A-Za-z]{2,}$') THEN m.extra END`,
        status: `nullif(m.status, '-1')`,
        bytes: `ltrim(m.bytes, '+')`,
        duration_ms: `CASE WHEN NOT starts_with(m.ta, '-') THEN TRY_CAST(ltrim(m.ta, '+') AS DOUBLE) END`,
        tls_version: `nullif(regexp_extract(m.rest, '/((?:TLS|SSL)v[0-9.]+)/', 1), '')`,
      }, { notes: [zoneNote('HAProxy accept dates', zone)] }),
    ]);
  },
};
