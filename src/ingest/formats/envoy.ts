// Envoy and Istio access logs: Envoy's default text format, Istio's default text format (old and
// current), JSON lines (Istio's snake_case keys, Envoy Gateway's header-named keys), or any format
// string / json_format given with --log-pattern. Text and JSON lines may be mixed in one file.
// %RESPONSE_CODE_DETAILS% says why Envoy answered: jwt_authn / ext_authz / RBAC denials become
// auth_error ("jwt_authn_access_denied{Jwt is expired}" is direct evidence of an expired token).
// References: https://www.envoyproxy.io/docs/envoy/latest/configuration/observability/access_log/usage
//             https://istio.io/latest/docs/tasks/observability/logs/access-log/
import { UserError } from '../../errors.js';
import { headerFields } from './apache.js';
import { JSON_LINE, linePlan, mergeRanked, regexParser, type LineParser, type Mapped } from './compose.js';
import { sqlUserText, type LogFormat, type ParseContext, type ParsePlan, type RawField } from './format.js';
import { JsonDoc, templateParser, type JsonPath } from './json.js';
import { compilePattern, escapeLiteral, tokenizeWith, type PatternToken } from './pattern-regex.js';

/** Default Envoy text, then the Istio additions (both optional, so one regex reads all three). */
const DEFAULT_TEXT = {
  regex:
    '^(\\[([^\\]]+)\\] "([^ "]*) ([^ "]*) ([^"]*)" ([0-9]{3}|0|-) ([^ ]+) ' + // [START_TIME] "METHOD PATH PROTOCOL" CODE FLAGS
    '(?:([^ "{]+(?:\\{[^}]*\\})?) ([^ "]+) "([^"]*)" )?' + // Istio ≥ 1.10: RESPONSE_CODE_DETAILS CONNECTION_TERMINATION_DETAILS "UPSTREAM_TRANSPORT_FAILURE_REASON"
    '(?:"[^"]*" )?' + // old Istio: "%DYNAMIC_METADATA(istio.mixer:status)%"
    '([0-9]+|-) ([0-9]+|-) ([0-9]+|-) ([0-9]+|-) ' + // BYTES_RECEIVED BYTES_SENT DURATION X-ENVOY-UPSTREAM-SERVICE-TIME
    '"([^"]*)" "([^"]*)" "([^"]*)" "([^"]*)" "([^"]*)"' + // "XFF" "UA" "X-REQUEST-ID" ":AUTHORITY" "UPSTREAM_HOST"
    '(?: ([^ ]+) ([^ ]+) ([^ ]+) ([^ ]+) ([^ ]+)(?: ([^ ]+))?)?' + // Istio: cluster, upstream local, downstream local, downstream remote, SNI, route
    '(.*))$',
  names: [
    'matched', 'start', 'method', 'path', 'protocol', 'code', 'flags', 'details', 'termination', 'transport_failure',
    'bytes_received', 'bytes_sent', 'duration', 'upstream_time', 'xff', 'user_agent', 'request_id', 'authority', 'upstream_host',
    'cluster', 'upstream_local', 'downstream_local', 'downstream_remote', 'sni', 'route', 'rest',
  ],
};

/** rc details that are authentication or authorization decisions. */
const authError = (details: string) =>
  `CASE WHEN regexp_matches(${details}, '^(jwt_authn|ext_authz|rbac_access_denied|oauth|basic_auth|api_key_auth)') THEN ${details} END`;

/** "ip:port", "[v6]:port" or an address without a port → the address. */
const addressOnly = (v: string) => `regexp_replace(${v}, '^\\[?([^\\]]*?)\\]?(?::[0-9]+)?$', '\\1')`;

function textParser(): LineParser {
  return regexParser(DEFAULT_TEXT, 'Envoy/Istio default text', {
    ts: `aa_iso_ts(m.start)`,
    method: `nullif(m.method, '-')`,
    target: `nullif(m.path, '-')`,
    http_version: `regexp_replace(m.protocol, '^HTTP/', '')`,
    status: `nullif(m.code, '0')`,
    status_detail: `nullif(m.details, '')`,
    auth_error: authError('m.details'),
    bytes: `m.bytes_sent`,
    duration_ms: `TRY_CAST(nullif(m.duration, '-') AS DOUBLE)`,
    forwarded_for: `m.xff`,
    client_ip: `CASE WHEN m.downstream_remote NOT IN ('', '-') THEN ${addressOnly('m.downstream_remote')} END`,
    user_agent: `m.user_agent`,
    host: `regexp_replace(m.authority, ':[0-9]+$', '')`,
  }, { when: `NOT ${JSON_LINE}` });
}

// ---- operators (format strings and json_format values) -------------------------------------------

/** What one %OPERATOR(arg)% feeds. `v` is the SQL of its text. */
function operatorFields(name: string, arg: string | undefined, v: string): Mapped | undefined {
  switch (name) {
    case 'START_TIME':
      return { fields: { ts: startTime(arg, v) }, rank: 2 };
    case 'RESPONSE_CODE':
      return { fields: { status: `nullif(${v}, '0')` } };
    case 'RESPONSE_CODE_DETAILS':
      return { fields: { status_detail: v, auth_error: authError(v) } };
    case 'BYTES_SENT':
      return { fields: { bytes: v } };
    case 'DURATION':
      return { fields: { duration_ms: `TRY_CAST(${v} AS DOUBLE)` } };
    case 'PROTOCOL':
      return { fields: { http_version: `regexp_replace(${v}, '^HTTP/', '')` } };
    case 'DOWNSTREAM_DIRECT_REMOTE_ADDRESS':
    case 'DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT':
      return { fields: { client_ip: addressOnly(v) }, rank: 2 };
    case 'DOWNSTREAM_REMOTE_ADDRESS':
    case 'DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT':
      return { fields: { client_ip: addressOnly(v) }, rank: 1 };
    case 'DOWNSTREAM_REMOTE_PORT':
      return { fields: { client_port: v } };
    case 'DOWNSTREAM_TLS_VERSION':
      return { fields: { tls_version: v, scheme: `CASE WHEN coalesce(${v}, '-') IN ('-', '') THEN 'http' ELSE 'https' END` }, rank: 1 };
    case 'REQUESTED_SERVER_NAME':
      return { fields: { host: v }, rank: 0 };
    case 'REQ':
      return requestHeader(arg ?? '', v);
    case 'DYNAMIC_METADATA':
      return jwtMetadata(arg ?? '', v);
    default:
      return undefined;
  }
}

/** %REQ(X?Y)%: the first header name decides what the value is. */
function requestHeader(arg: string, v: string): Mapped | undefined {
  const header = (arg.split('?')[0] ?? '').toLowerCase();
  switch (header) {
    case ':method':
      return { fields: { method: v } };
    case ':path':
    case 'x-envoy-original-path':
      return { fields: { target: v } };
    case ':authority':
      return { fields: { host: `regexp_replace(${v}, ':[0-9]+$', '')` }, rank: 2 };
    case ':scheme':
      return { fields: { scheme: `lower(${v})` }, rank: 3 };
    default:
      return headerFields(header, v, (x) => x);
  }
}

/** %DYNAMIC_METADATA(envoy.filters.http.jwt_authn:<payload key>:<claim>)%: the claims Envoy verified. */
function jwtMetadata(arg: string, v: string): Mapped | undefined {
  const [namespace, ...keys] = arg.split(':');
  if (namespace !== 'envoy.filters.http.jwt_authn') return undefined;
  const claim = keys.length >= 2 ? keys[keys.length - 1] : undefined;
  const claimFields: Partial<Record<string, RawField>> = { sub: 'claim_sub', iss: 'claim_iss', jti: 'claim_jti', exp: 'claim_exp', iat: 'claim_iat' };
  const timed = (f: RawField, x: string) => (f === 'claim_exp' || f === 'claim_iat' ? `aa_claim_ts(${x})` : x);
  if (claim) {
    const field = claimFields[claim];
    return field ? { fields: { [field]: timed(field, v) } } : undefined;
  }
  // the whole payload object (or the namespace's map holding it): read the claims out of its JSON
  const pick = (c: string) => `json_extract_string(CASE WHEN json_valid(${v}) THEN ${v} END, ${keys.length ? `'$.${c}'` : `'$.*.${c}'`})`;
  const pickOne = (c: string) => (keys.length ? pick(c) : `(${pick(c)})[1]`);
  return { fields: Object.fromEntries(Object.entries(claimFields).map(([c, f]) => [f, timed(f!, pickOne(c))])) };
}

/** %START_TIME% is ISO-8601 (UTC); %START_TIME(%s)% epoch seconds; other strftime formats via strptime. */
function startTime(arg: string | undefined, v: string): string {
  if (!arg) return `aa_iso_ts(${v})`;
  if (arg === '%s') return `aa_epoch_ts(TRY_CAST(${v} AS DOUBLE))`;
  const format = arg.replace(/%[0-9]?f/g, '%f').replace(/%E[0-9]?n/g, '%n');
  return `coalesce(aa_iso_ts(${v}), try_strptime(${v}, ${sqlUserText(format)})::TIMESTAMP)`;
}

const OPERATOR_RE = /%([A-Z][A-Z0-9_]*)(?:\(([^)]*)\))?(?::[0-9]+)?%/g;

/** An Envoy format string → literals and operator captures (capture name = the operator text). */
export function tokenizeEnvoyFormat(pattern: string): PatternToken[] {
  return tokenizeWith(pattern, OPERATOR_RE, (m) => m[0]);
}

function operatorOf(text: string, v: string): Mapped | undefined {
  const m = /^%([A-Z][A-Z0-9_]*)(?:\(([^)]*)\))?(?::[0-9]+)?%$/.exec(text);
  return m ? operatorFields(m[1]!, m[2], v) : undefined;
}

function patternParser(pattern: string): LineParser {
  if (pattern.trim().startsWith('{')) {
    return templateParser(pattern, 'Envoy json_format', tokenizeEnvoyFormat, operatorOf);
  }
  const tokens = tokenizeEnvoyFormat(pattern.replace(/\\n$|\n$/, ''));
  const operators = tokens.flatMap((t) => (t.kind === 'capture' ? [t.name] : []));
  if (operators.length === 0) throw new UserError('usage', `--log-pattern has no %OPERATORS%: ${JSON.stringify(pattern)}`);
  if (!operators.some((o) => o.startsWith('%START_TIME'))) throw new UserError('usage', '--log-pattern must log %START_TIME%');
  const named = tokens.map((t, i): PatternToken => {
    if (t.kind !== 'capture') return t;
    // [%START_TIME%] and %RESPONSE_CODE_DETAILS% may hold spaces: give them their own shape
    if (t.name.startsWith('%START_TIME')) return { kind: 'capture', name: `c${i}`, ...(tokens[i + 1]?.kind === 'literal' ? {} : { regex: '[^ ]+' }) };
    if (t.name === '%RESPONSE_CODE_DETAILS%') return { kind: 'capture', name: `c${i}`, regex: `[^ ${escapeLiteral('"')}{]*(?:\\{[^}]*\\})?` };
    return { kind: 'capture', name: `c${i}` };
  });
  const fields = mergeRanked(tokens.map((t, i) => (t.kind === 'capture' ? operatorOf(t.name, `nullif(m.c${i}, '-')`) : undefined)));
  return regexParser(compilePattern(named), 'Envoy format string', fields, { when: `NOT ${JSON_LINE}` });
}

// ---- JSON lines without a template --------------------------------------------------------------

/** Istio's default JSON keys and Envoy Gateway's (header-named) keys, by raw field. */
function defaultJsonParser(): LineParser {
  const j = new JsonDoc('j');
  const first = (...keys: string[]) => j.first(keys.map((k): JsonPath => [k]));
  const details = first('response_code_details');
  const fields: Partial<Record<RawField, string>> = {
    ts: `aa_iso_ts(${first('start_time', 'timestamp', '@timestamp')})`,
    method: first('method', ':method'),
    target: first('x-envoy-origin-path', 'x-envoy-original-path', 'path', ':path'),
    http_version: `regexp_replace(${first('protocol')}, '^HTTP/', '')`,
    status: `nullif(${first('response_code')}, '0')`,
    status_detail: details,
    auth_error: authError(details),
    bytes: first('bytes_sent'),
    duration_ms: `TRY_CAST(${first('duration')} AS DOUBLE)`,
    client_ip: addressOnly(first('downstream_direct_remote_address', 'downstream_remote_address')),
    forwarded_for: first('x_forwarded_for', 'x-forwarded-for'),
    user_agent: first('user_agent', 'user-agent'),
    host: `regexp_replace(${first('authority', ':authority')}, ':[0-9]+$', '')`,
    scheme: `lower(${first(':scheme', 'scheme', 'x-forwarded-proto', 'x_forwarded_proto')})`,
    tls_version: first('downstream_tls_version'),
    auth_header: first('authorization'),
    cookie: first('cookie'),
  };
  return j.parser('an Envoy access log entry', fields, { when: JSON_LINE, accept: `${first('response_code')} IS NOT NULL AND ${first('start_time')} IS NOT NULL` });
}

export const envoy: LogFormat = {
  id: 'envoy',
  title: 'Envoy / Istio access log',
  description:
    'Envoy default text, Istio default text (old and current), Envoy/Istio/Envoy Gateway JSON lines, or any format string or json_format given with --log-pattern (%REQ(X)%, %RESPONSE_CODE_DETAILS%, %DOWNSTREAM_REMOTE_ADDRESS%, %DOWNSTREAM_TLS_VERSION%, %DYNAMIC_METADATA(envoy.filters.http.jwt_authn:…)%). jwt_authn / ext_authz / RBAC denials become auth_error.',
  capabilities: { scheme: 'if-configured', credential: 'if-configured', principal: 'if-configured', clientIp: 'if-configured' },
  acceptsPattern: true,
  parallelSafe: true,
  plan(context: ParseContext): ParsePlan {
    const parsers = context.logPattern
      ? [patternParser(context.logPattern)]
      : [defaultJsonParser(), textParser()];
    const plan = linePlan(context.lines, parsers, { unmatched: 'line is neither Envoy text nor JSON' });
    if (!plan.fields.client_ip) plan.notes = [...(plan.notes ?? []), 'no client address: Envoy\'s default text format logs only X-Forwarded-For'];
    return plan;
  },
};
