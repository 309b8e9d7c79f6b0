// Generic exports from a SIEM or a log platform: CSV with a header row (RFC 4180) and JSON lines.
// Columns / keys are recognised by their usual names (timestamp, @timestamp, client_ip, src_ip,
// method, url, status, user_agent, user, authorization, ECS and OTel names, …), compared without
// case and punctuation; the config's `fields` mapping names the others. The header row (CSV) or the
// keys of the first records (JSON) decide the mapping when the plan is built; every value is then
// read inside DuckDB. A key that first appears after the first 50 records is not seen.
import { UserError } from '../../errors.js';
import { linePlan, mergeCoalesced, type Mapped } from './compose.js';
import { sqlConstant, sqlUserText, type LogFormat, type ParseContext, type ParsePlan, type RawField } from './format.js';
import { JsonDoc, keyPaths, type JsonPath } from './json.js';
import { requestLineFields } from './request-line.js';
import { localToUtc, zoneNote } from './time.js';

/** A recognised column: what it feeds, from the SQL of its value. */
type Reader = (v: string, timezone?: string) => Partial<Record<RawField, string>>;

const asIs = (field: RawField): Reader => (v) => ({ [field]: v });
const number = (field: RawField): Reader => (v) => ({ [field]: `TRY_CAST(TRY_CAST(${v} AS DOUBLE) AS BIGINT)` });
const millis = (factor: number): Reader => (v) => ({ duration_ms: `TRY_CAST(${v} AS DOUBLE) * ${factor}` });

/** Any of the timestamp shapes exports use; a time without a zone is read in the input's zone. */
export function anyTimeSql(v: string, timezone?: string): string {
  const t = `trim(${v}, ' []"')`;
  return `CASE WHEN regexp_full_match(${t}, '[0-9]{9,10}(\\.[0-9]+)?') THEN aa_epoch_ts(${t}::DOUBLE)
               WHEN regexp_full_match(${t}, '[0-9]{12,13}(\\.[0-9]+)?') THEN aa_epoch_ts(${t}::DOUBLE / 1000)
               WHEN regexp_full_match(${t}, '[0-9]{16}') THEN aa_epoch_ts(${t}::DOUBLE / 1000000)
               WHEN regexp_matches(${t}, '^[0-9]{1,2}/[A-Za-z]{3}/[0-9]{4}:') THEN aa_clf_ts(${t})
               WHEN regexp_matches(${t}, '(Z|[+-][0-9]{2}:?[0-9]{2}|UTC|GMT)$') THEN aa_iso_ts(${t})
               ELSE ${localToUtc(`try_cast(${t} AS TIMESTAMP)`, timezone)} END`;
}

const URL_COLUMNS = ['url', 'uri', 'url.original', 'url.full', 'request_uri', 'request_url', 'requesturl', 'full_url', 'target', 'clientrequesturi'];

/** Recognised names per reader, most specific first. Names are compared lower-case without punctuation. */
const COLUMNS: Array<[Reader, string[]]> = [
  [(v, tz) => ({ ts: anyTimeSql(v, tz) }), ['@timestamp', 'timestamp', 'time', 'datetime', 'date_time', 'event_time', 'eventtime', 'timegenerated',
    '_time', 'ts', 'starttime', 'start_time', 'time_local', 'time_iso8601', 'received_at', 'log_time', 'request_time_utc', 'date', 'edgestarttimestamp']],
  [asIs('client_ip'), ['client_ip', 'clientip', 'client.ip', 'client.address', 'source.ip', 'source.address', 'src_ip', 'srcip', 'src', 'source_ip',
    'sourceip', 'source_address', 'c_ip', 'remote_addr', 'remote_ip', 'remoteip', 'ip', 'ip_address', 'caller_ip', 'calleripaddress', 'client_address', 'srcaddr', 'clientipaddress']],
  [asIs('client_port'), ['client_port', 'client.port', 'source.port', 'src_port', 'source_port', 'remote_port', 'clientsrcport']],
  [asIs('forwarded_for'), ['x_forwarded_for', 'xff', 'forwarded_for', 'http_x_forwarded_for', 'http.request.header.x-forwarded-for']],
  [asIs('method'), ['method', 'http_method', 'http.request.method', 'request_method', 'verb', 'cs_method', 'httpmethod', 'clientrequestmethod']],
  [asIs('target'), URL_COLUMNS],
  [asIs('path'), ['path', 'url.path', 'uri_path', 'request_path', 'cs_uri_stem', 'uri_stem', 'clientrequestpath']],
  [asIs('query'), ['query', 'url.query', 'query_string', 'querystring', 'uri_query', 'cs_uri_query']],
  [(v) => requestLineFields(v), ['request', 'request_line', 'requestline']],
  [(v) => ({ scheme: `lower(${v})` }), ['scheme', 'url.scheme', 'request_scheme', 'x_forwarded_proto', 'clientrequestscheme']],
  [(v) => ({ scheme: `CASE WHEN lower(${v}) IN ('http', 'https') THEN lower(${v}) END`,
             http_version: `CASE WHEN upper(${v}) LIKE 'HTTP/%' THEN regexp_replace(${v}, '(?i)^HTTP/', '') END` }), ['protocol', 'proto']],
  // a full URL says how the request was made (after an explicit scheme column)
  [(v) => ({ scheme: `lower(nullif(regexp_extract(${v}, '^([A-Za-z]+)://', 1), ''))` }), URL_COLUMNS],
  [asIs('host'), ['host', 'hostname', 'http_host', 'url.domain', 'domain', 'server_name', 'cs_host', 'vhost', 'clientrequesthost']],
  [(v) => ({ http_version: `regexp_replace(${v}, '(?i)^HTTP/', '')` }), ['http_version', 'http.version', 'protocol_version', 'network.protocol.version', 'clientrequestprotocol']],
  [number('status'), ['status', 'status_code', 'statuscode', 'http_status', 'http.response.status_code', 'response_code', 'responsecode', 'sc_status', 'edgeresponsestatus']],
  [asIs('status_detail'), ['status_detail', 'substatus', 'sc_substatus']],
  [number('bytes'), ['bytes', 'bytes_sent', 'body_bytes_sent', 'http.response.body.bytes', 'http.response.bytes', 'response_size', 'responsesize', 'size', 'sc_bytes', 'edgeresponsebytes']],
  [millis(1), ['duration_ms', 'latency_ms', 'response_time_ms', 'time_taken_ms', 'elapsed_ms', 'time_taken', 'durationms', 'totaltime']],
  [millis(1000), ['request_time', 'response_time', 'duration_s', 'latency_s']],
  [millis(1e-6), ['event.duration']],
  [asIs('user_agent'), ['user_agent', 'useragent', 'http_user_agent', 'user_agent.original', 'agent', 'ua', 'cs_user_agent', 'clientrequestuseragent']],
  [asIs('referrer'), ['referrer', 'referer', 'http_referer', 'http_referrer', 'http.request.referrer', 'clientrequestreferer']],
  [asIs('principal'), ['user', 'username', 'user_name', 'user.name', 'principal', 'user_id', 'userid', 'user.id', 'remote_user', 'cs_username', 'consumer', 'account', 'subject']],
  [asIs('auth_header'), ['authorization', 'http_authorization', 'auth_header', 'authorization_header', 'http.request.header.authorization']],
  [asIs('api_key'), ['api_key', 'apikey', 'x_api_key']],
  [asIs('cookie'), ['cookie', 'cookies', 'http_cookie']],
  [asIs('credential_id'), ['credential_id', 'api_key_id', 'apikeyid', 'key_id', 'subscription_id', 'apimsubscriptionid', 'token_id']],
  [asIs('tls_version'), ['tls_version', 'tls.version', 'ssl_protocol', 'tls_protocol', 'clientsslprotocol']],
  [asIs('auth_error'), ['auth_error', 'error_reason', 'auth_failure_reason']],
];

const norm = (name: string) => name.toLowerCase().replace(/[^a-z0-9@]/g, '');

/** For a list of available names (header columns or key paths), the SQL of each recognised raw field. */
function mapNames(
  what: string,
  available: Array<{ name: string; sql: string }>,
  context: ParseContext,
): Partial<Record<RawField, string>> {
  // names that differ only in case or punctuation (a nested `source.ip` and a dotted "source.ip" key)
  // are the same column: the first with a value wins
  const lists = new Map<string, string[]>();
  for (const a of available) lists.set(norm(a.name), [...(lists.get(norm(a.name)) ?? []), `aa_null_dash(${a.sql})`]);
  const byNorm = new Map([...lists].map(([name, sqls]) => [name, sqls.length === 1 ? sqls[0]! : `coalesce(${sqls.join(', ')})`]));
  const mapped: Mapped[] = [];
  // the config's mapping first: it names columns the aliases do not know, or overrides them
  for (const [field, name] of Object.entries(context.fieldMap ?? {}) as Array<[RawField | 'request', string]>) {
    const sql = byNorm.get(norm(name));
    if (!sql) {
      const known = available.map((a) => a.name).slice(0, 30).join(', ');
      throw new UserError('input', `${what}: fields.${field} names "${name}", which is not among its columns (${known})`);
    }
    const reader = field === 'request' ? (v: string) => requestLineFields(v) : field === 'ts' ? COLUMNS[0]![0] : asIs(field);
    mapped.push({ fields: reader(sql, context.timezone), rank: 1000 });
  }
  COLUMNS.forEach(([reader, names]) => {
    names.forEach((name, i) => {
      const sql = byNorm.get(norm(name));
      if (sql) mapped.push({ fields: reader(sql, context.timezone), rank: 100 - i });
    });
  });
  const fields = mergeCoalesced(mapped);
  if (!fields.ts) {
    throw new UserError('input', `${what}: no timestamp column among ${available.map((a) => a.name).slice(0, 30).join(', ') || '(none)'}; name it with fields.ts in the config`);
  }
  if (!fields.method && !fields.target && !fields.path && !fields.status) {
    throw new UserError('input', `${what}: no request column (method, url, path or status); name them with fields.* in the config`);
  }
  return fields;
}

// ---- CSV ---------------------------------------------------------------------------------------

const DELIMITERS = [',', ';', '\t', '|'] as const;

/** RFC 4180 fields of one line (used on the header row only; data rows are split in DuckDB). */
export function splitCsvLine(line: string, delimiter: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') field += line[i++]!;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === delimiter) {
      out.push(field);
      field = '';
    } else field += ch;
  }
  out.push(field);
  return out;
}

function csvPlan(context: ParseContext): ParsePlan {
  const header = (context.head?.[0] ?? '').replace(/^\uFEFF/, '');
  const delimiter = DELIMITERS.reduce((best, d) => (splitCsvLine(header, d).length > splitCsvLine(header, best).length ? d : best), ',' as string);
  const columns = splitCsvLine(header, delimiter).map((c) => c.trim());
  if (columns.length < 2) throw new UserError('input', 'csv: the first line is not a header row');
  const fields = mapNames('csv', columns.map((name, i) => ({ name, sql: `v[${i + 1}]` })), context);
  const d = delimiter === '\t' ? '\\t' : delimiter === '|' ? '\\|' : delimiter;
  // A value that opens a quote and does not close it on its line (an unbalanced quote, or a quoted
  // value spanning lines) becomes NULL, and its line is rejected: read as-is it was accepted with
  // a stray quote in the value ("/a as the path), whatever the rest of the line.
  const quoteAware = `list_transform(regexp_extract_all(line, '(?:^|${d})("(?:[^"]|"")*"|[^${d}]*)', 1),
                       lambda f: CASE WHEN NOT starts_with(f, '"') THEN f
                                      WHEN regexp_full_match(f, '"(?:[^"]|"")*"') THEN replace(f[2:-2], '""', '"') END)`;
  const split = `string_split(line, ${delimiter === '\t' ? 'chr(9)' : sqlConstant(delimiter)})`;
  // the header row, and the same row again where exports were concatenated
  const headerLine = `ltrim(line, chr(65279)) = ${sqlUserText(header)}`;
  return linePlan(context.lines, [{
    column: 'v',
    expr: `CASE WHEN contains(line, '"') THEN ${quoteAware} ELSE ${split} END`,
    fields,
    reject: [
      { when: `contains(line, '"') AND len(list_filter(v, lambda f: f IS NULL)) > 0`, reason: 'unbalanced quote: a quoted value does not end on its line' },
      { when: `len(v) <> ${columns.length}`, reason: `number of values does not match the ${columns.length} columns of the header` },
    ],
    notes: notesFor(fields, context),
  }], { skip: `line IS NULL OR trim(line) = '' OR ${headerLine}` });
}

// ---- JSON lines ----------------------------------------------------------------------------------

function jsonlPlan(context: ParseContext): ParsePlan {
  const j = new JsonDoc('j');
  const paths = keyPaths(context.head ?? []);
  const fields = mapNames('jsonl', paths.map((p) => ({ name: p.join('.'), sql: j.get(p as JsonPath) })), context);
  return linePlan(context.lines, [j.parser('a request record', fields, { notes: notesFor(fields, context) })]);
}

function notesFor(fields: Partial<Record<RawField, string>>, context: ParseContext): string[] {
  return fields.ts?.includes('try_cast(') ? [zoneNote('times without an offset', context.timezone)] : [];
}

const GENERIC = {
  capabilities: { scheme: 'if-configured', credential: 'if-configured', principal: 'if-configured', clientIp: 'if-configured' },
  acceptsPattern: false,
  acceptsFieldMap: true,
  parallelSafe: true,
} as const;

export const csv: LogFormat = {
  id: 'csv',
  title: 'CSV export with a header row',
  description:
    'RFC 4180 CSV (comma, semicolon, tab or | separated) with a header row, e.g. a SIEM export. Usual column names are recognised; map others with `fields` in the config. A quoted value spanning lines is not supported (its lines are rejected).',
  ...GENERIC,
  plan: csvPlan,
};

export const jsonl: LogFormat = {
  id: 'jsonl',
  title: 'JSON lines export',
  description:
    'One JSON object per line (or a JSON array), e.g. a SIEM or log-platform export: usual key names, ECS and OTel names (nested or dotted) are recognised; map others with `fields` in the config.',
  ...GENERIC,
  plan: jsonlPlan,
};
