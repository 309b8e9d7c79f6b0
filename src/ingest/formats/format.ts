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
  /** What the format's surveySql() found in the whole file (absent for detection samples, or when it failed). */
  survey?: Record<string, unknown>;
}

/**
 * How to read one input. `source` is a SQL relation built on ParseContext.lines that keeps
 * `line_no`; every other string in the plan is an SQL expression over that relation. The same
 * plan runs over a file and, for auto-detection, over its first lines.
 */
export interface ParsePlan {
  source: string;
  /**
   * The source computing only what the given fields read, when that is less (auto-detection reads
   * only ts and status: DuckDB's cost there is binding every column of the source).
   */
  sourceFor?: (fields: readonly RawField[]) => string;
  /** Lines that carry no event and no error (blank lines, comments, directives, header rows). */
  skip?: string;
  /** Checked in order; the first that holds rejects the line with its reason (a code constant). */
  reject?: Array<{ when: string; reason: string }>;
  fields: Partial<Record<RawField, string>>;
  /** Coverage notes this plan adds (what it inferred, what it cannot see), shown per input. */
  notes?: string[];
  /**
   * A cheap check in JavaScript, false only for a line the plan rejects (neither an event nor
   * skipped): auto-detection does not query a format that may read none of a file's first lines
   * (a JSON format on a text log). Absent: any line may be read. It may rely on context.head
   * being the lines the plan reads, as in detection (a W3C or Traefik plan looks at them all).
   */
  mayRead?: (line: string) => boolean;
  /**
   * Like mayRead, false only for a line the plan does not take as an event (rejects or skips):
   * detection does not query a format that may take none of the first lines as an event while it
   * surely rejects one of them (its score, 0 of them, decides nothing: see detect.ts).
   */
  mayAccept?: (line: string) => boolean;
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
  /**
   * True when the plan never uses line_no itself (no window over lines, no directive that applies
   * to the lines after it). Its files are then parsed in parallel and numbered afterwards from
   * DuckDB's preserved insertion order; otherwise lines are numbered first, one thread. A function
   * decides per file, from the survey and the first lines (context.lines is not set yet).
   */
  parallelSafe?: boolean | ((context: ParseContext) => boolean);
  /**
   * One query over the file's lines (a relation of (line_no, line)) run before the parse; its one
   * row is given to plan() as context.survey (W3C: whether one #Fields layout holds for the file).
   * With `by` (a column of lines), one row per value of it, which the row holds as `survey_of`
   * (several files surveyed by one query: see ingest/survey.ts).
   */
  surveySql?: (lines: string, by?: string) => string;
  /**
   * For a file of headers only (every first line skipped, none an event): whether they are surely
   * this type's headers, so the file is named this type rather than the first type that skips
   * them all (an IIS file just rotated is not a CloudFront log).
   */
  ownsHeaders?: (lines: string[]) => boolean;
  plan(context: ParseContext): ParsePlan;
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
