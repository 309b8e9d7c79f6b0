// Traefik access logs: the default CLF-like text format and the JSON format, line by line (a file
// may hold both). JSON gives the scheme (RequestScheme), the Basic/Digest user (ClientUsername),
// TLS and the request headers Traefik was told to keep (request_Authorization, request_Cookie, …).
// Reference: https://doc.traefik.io/traefik/observability/access-logs/
import { JSON_LINE, linePlan, mayBeBlank, regexParser } from './compose.js';
import type { LogFormat, ParseContext, ParsePlan, RawField } from './format.js';
import { JsonDoc } from './json.js';
import { requestLineFields } from './request-line.js';

/** <ip> - <user> [<time>] "<request>" <status> <size> "<referer>" "<UA>" <count> "<router>" "<server URL>" <duration>ms */
const CLF = {
  regex:
    '^(([^ ]+) [^ ]+ ([^ ]+) \\[([^\\]]+)\\] "([^"]*)" ([0-9]{3}|-) ([0-9]+|-)' +
    '(?: (?:"([^"]*)"|-) (?:"([^"]*)"|-) ([0-9]+) "([^"]*)" "([^"]*)" ([0-9]+)ms)?' +
    ')[ \\t]*$',
  names: ['matched', 'client', 'user', 'time', 'request', 'status', 'bytes', 'referer', 'user_agent', 'count', 'router', 'server', 'duration'],
};

function jsonParser() {
  const j = new JsonDoc('j');
  const header = (name: string) => j.get([`request_${name}`]);
  const fields: Partial<Record<RawField, string>> = {
    ts: `coalesce(aa_iso_ts(${j.get(['StartUTC'])}), aa_iso_ts(${j.get(['StartLocal'])}), aa_iso_ts(${j.get(['time'])}))`,
    // ClientAddr is the connection's peer; ClientHost is replaced by X-Forwarded-For when Traefik trusts it
    client_ip: `regexp_replace(${j.get(['ClientAddr'])}, '^\\[?([^\\]]*?)\\]?:[0-9]+$', '\\1')`,
    client_port: j.get(['ClientPort']),
    forwarded_for: `coalesce(${header('X-Forwarded-For')},
                             CASE WHEN ${j.get(['ClientHost'])} <> regexp_replace(${j.get(['ClientAddr'])}, '^\\[?([^\\]]*?)\\]?:[0-9]+$', '\\1')
                                  THEN ${j.get(['ClientHost'])} END)`,
    principal: j.get(['ClientUsername']),
    method: j.get(['RequestMethod']),
    target: j.get(['RequestPath']),
    http_version: `regexp_replace(${j.get(['RequestProtocol'])}, '^HTTP/', '')`,
    scheme: `lower(${j.get(['RequestScheme'])})`,
    host: `regexp_replace(${j.get(['RequestHost'])}, ':[0-9]+$', '')`,
    status: `coalesce(nullif(${j.get(['DownstreamStatus'])}, '0'), ${j.get(['OriginStatus'])})`,
    bytes: j.get(['DownstreamContentSize']),
    duration_ms: `TRY_CAST(${j.get(['Duration'])} AS DOUBLE) / 1000000`,
    user_agent: header('User-Agent'),
    referrer: header('Referer'),
    auth_header: header('Authorization'),
    api_key: `coalesce(${header('X-Api-Key')}, ${header('Api-Key')})`,
    cookie: header('Cookie'),
    tls_version: `CASE WHEN regexp_matches(${j.get(['TLSVersion'])}, '^[0-9.]+$') THEN 'TLSv' || ${j.get(['TLSVersion'])} ELSE ${j.get(['TLSVersion'])} END`,
  };
  return j.parser('a Traefik access log entry', fields, {
    when: JSON_LINE,
    accept: `${j.get(['RequestMethod'])} IS NOT NULL AND coalesce(${j.get(['DownstreamStatus'])}, ${j.get(['OriginStatus'])}) IS NOT NULL`,
  });
}

export const traefik: LogFormat = {
  id: 'traefik',
  title: 'Traefik access log (CLF or JSON)',
  description:
    'Traefik access logs, CLF (with request count, router, server URL and duration) or JSON (RequestScheme, ClientUsername, TLSVersion, request_<Header> fields such as request_Authorization). Both may be mixed in one file.',
  capabilities: { scheme: 'if-configured', credential: 'if-configured', principal: 'always', clientIp: 'always' },
  acceptsPattern: false,
  parallelSafe: false, // a window over the whole file decides plain CLF lines
  plan(context: ParseContext): ParsePlan {
    const clf = regexParser(CLF, 'Traefik CLF', {
      ts: `aa_clf_ts(m.time)`,
      client_ip: `m.client`,
      principal: `m.user`,
      ...requestLineFields('m.request'),
      status: `m.status`,
      bytes: `m.bytes`,
      referrer: `nullif(m.referer, '')`,
      user_agent: `nullif(m.user_agent, '')`,
      duration_ms: `TRY_CAST(nullif(m.duration, '') AS DOUBLE)`,
    }, { when: `NOT ${JSON_LINE}` });
    // A plain CLF line (no request count, router and duration) is Traefik's only in a file that also
    // has Traefik lines: otherwise nginx/Apache logs would read as Traefik.
    clf.reject!.push({ when: `m.count = '' AND NOT bool_or(m.count <> '' OR ${JSON_LINE}) OVER ()`, reason: 'common log line without the Traefik fields' });
    const plan = linePlan(context.lines, [jsonParser(), clf]);
    // Without a line that may be Traefik's own among them (JSON, or CLF ending in its duration),
    // that window rejects every line that is not blank: detection need not query Traefik for an
    // nginx log (the plan is built on the lines it is asked about: head).
    const mayBeTraefik = (line: string) => line.includes('{') || /[0-9]ms/.test(line);
    return context.head && !context.head.some(mayBeTraefik) ? { ...plan, mayRead: mayBeBlank } : plan;
  },
};
