// The contract between one log format and the shared ingest. A format only says how to read its
// files into raw fields (SQL expressions, evaluated inside DuckDB); credential fingerprinting,
// redaction, typing and rejection accounting are shared (see ../normalize.ts).

/** Raw fields a format can provide. Strings unless noted; '-' and '' mean absent. */
export const RAW_FIELDS = [
  'ts', // TIMESTAMP (UTC) expression: use the aa_*_ts macros
  'client_ip',
  'client_port',
  'forwarded_for',
  'method',
  'target', // request target as logged: origin-form path?query or an absolute URL
  'path', // when the format logs path and query separately (then leave target out)
  'query',
  'http_version',
  'scheme', // http | https (a format maps its own signal, e.g. HAProxy '~' or IIS port, never guesses)
  'host',
  'status',
  'status_detail',
  'bytes',
  'duration_ms', // DOUBLE expression, milliseconds
  'user_agent',
  'referrer',
  'principal', // user as logged by the server or gateway (basic-auth user, consumer, authorizer principal)
  'auth_header', // the raw Authorization header value: fingerprinted, never stored
  'api_key', // a raw API key header value: fingerprinted, never stored
  'tls_version',
  'auth_error',
  'cookie', // the raw Cookie header: a JWT or session cookie in it is fingerprinted, the header never stored
  'credential_id', // a gateway's id of the credential it authenticated (API key id, Kong credential, APIM subscription)
  // JWT claims a gateway logged after validating the token (the token itself is not in the log)
  'claim_sub',
  'claim_iss',
  'claim_jti',
  'claim_exp', // TIMESTAMP expression: use aa_claim_ts
  'claim_iat', // TIMESTAMP expression: use aa_claim_ts
] as const;
export type RawField = (typeof RAW_FIELDS)[number];

export type Availability = 'always' | 'if-configured' | 'never';

/** What a format can tell the audit: shown by `apiaudit formats` and in coverage notes. */
export interface FormatCapabilities {
  scheme: Availability;
  credential: Availability;
  principal: Availability;
  clientIp: Availability;
}

export interface ParseContext {
  /** SQL relation of the input's lines: (line_no BIGINT, line VARCHAR). See lineSource(). */
  lines: string;
  /** The user's --log-pattern, for formats that take one. */
  logPattern?: string;
  /** IANA zone or ±HH:MM for formats that log local time without an offset. */
  timezone?: string;
  /** Raw field → column name or JSON key, for the generic CSV / JSON-lines exports (config `fields`). */
  fieldMap?: Partial<Record<RawField | 'request', string>>;
  /**
   * The input's first non-blank lines (records, for a JSON document): the generic formats read the
   * CSV header or the JSON keys from them. Never used to parse events.
   */
  head?: string[];
}

/**
 * How to read one input. `source` is a SQL relation built on ParseContext.lines that keeps
 * `line_no`; every other string in the plan is an SQL expression over that relation. The same
 * plan runs over a file and, for auto-detection, over its first lines.
 */
export interface ParsePlan {
  source: string;
  /** Lines that carry no event and no error (blank lines, comments, directives, header rows). */
  skip?: string;
  /** Checked in order; the first that holds rejects the line with its reason (a code constant). */
  reject?: Array<{ when: string; reason: string }>;
  fields: Partial<Record<RawField, string>>;
  /** Coverage notes this plan adds (what it inferred, what it cannot see), shown per input. */
  notes?: string[];
}

export interface LogFormat {
  id: string;
  title: string;
  description: string;
  capabilities: FormatCapabilities;
  /** Whether --log-pattern applies. */
  acceptsPattern: boolean;
  /** Whether the config's `fields` mapping applies (generic exports). */
  acceptsFieldMap?: boolean;
  plan(context: ParseContext): ParsePlan;
}

/**
 * Every line of a text file, numbered, in file order (a container runtime's wrapper is taken off:
 * see aa_unwrap_container). CR, LF and CRLF all end a line (as editors count them: DuckDB's own
 * line-end handling; forcing new_line = '\r\n' ate the first byte after a lone CR); quoting is
 * disabled so no line can swallow the next. The column delimiter is the
 * two-byte sequence US NUL, which text logs never contain (a lone NUL byte stays in the line). A
 * line may be up to 32 MB long.
 */
export function fileLineSource(encoding: 'utf-8' | 'latin-1'): string {
  const line = encoding === 'latin-1' ? 'aa_unwrap_container(aa_latin1_escape(line))' : 'aa_unwrap_container(line)';
  return `SELECT row_number() OVER () AS line_no, ${line} AS line
    FROM read_csv($path, columns = {'line': 'VARCHAR'}, header = false, auto_detect = false,
                  delim = chr(31) || chr(0), quote = '', escape = '', strict_mode = false,
                  compression = $compression, encoding = '${encoding}', max_line_size = 33554432)`;
}

/**
 * A file that is one JSON document (a top-level array, `{"records": [...]}` as Azure and Event Hub
 * write, or pretty-printed objects): one "line" per record, as compact JSON, numbered by record.
 * DuckDB parses the document; the JSON formats then read each record like a JSON line.
 */
export function documentRecordSource(): string {
  return `SELECT row_number() OVER () AS line_no, r::VARCHAR AS line FROM (
      SELECT unnest(CASE WHEN json_type(json) = 'ARRAY' THEN json_extract(json, '$[*]')
                         WHEN json_type(json, '$.records') = 'ARRAY' THEN json_extract(json, '$.records[*]')
                         ELSE [json] END) AS r
      FROM read_json($path, format = 'unstructured', records = false, columns = {'json': 'JSON'},
                     maximum_object_size = 1073741824, compression = replace($compression, 'none', 'uncompressed')))`;
}

/** The same relation over lines already in memory (the sample used for auto-detection). */
export function sampleLineSource(): string {
  return `SELECT line_no, aa_unwrap_container(line) AS line
          FROM (SELECT generate_subscripts($sample, 1) AS line_no, unnest($sample) AS line)`;
}

/** SQL string literal for a code constant (never for values that come from a log or a user). */
export function sqlConstant(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * SQL expression for text that comes from a user (a config key, a log-format string): hex digits
 * only reach the SQL text, so no quote can. Constant-folded by DuckDB.
 */
export function sqlUserText(text: string): string {
  return `decode(from_hex('${Buffer.from(text, 'utf8').toString('hex')}'))`;
}
