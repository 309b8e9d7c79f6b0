// nginx access logs: the predefined `combined` format (and its common distro variants), or any
// `log_format` string given verbatim with --log-pattern. Both compile to one regex applied by
// DuckDB. JSON lines (`log_format … escape=json '{…}'`) are read with their template when it is
// given, else by the usual key names (the nginx variable names and common aliases).
// Reference: https://nginx.org/en/docs/http/ngx_http_log_module.html#log_format
import { UserError } from '../../errors.js';
import { JSON_LINE, linePlan, type LineParser, type Mapped } from './compose.js';
import { compilePattern, structExtract, tokenizeWith, type PatternToken } from './pattern-regex.js';
import type { LogFormat, ParseContext, ParsePlan, RawField } from './format.js';
import { isJsonObject } from '../input-files.js';
import { templateParser } from './json.js';
import { requestLineFields } from './request-line.js';

/**
 * `combined`, tolerant of what real servers write around it (all seen in the test fixtures):
 * a `$host` or `$host:$server_port` prefix, an X-Forwarded-For list in front (quoted or not), an
 * address list in the $remote_addr position, a missing ident field, and extra fields after the
 * user agent (Debian's `main` adds "$http_x_forwarded_for").
 */
const COMBINED = {
  regex:
    '^(' +
    '(?:"([^"]*)" |([^ "]+(?:, ?[^ ,]+)*) )??' + // quoted XFF | vhost[:port] or unquoted XFF list
    '([^ ,]+(?:, ?[^ ,]+)*) ' + // $remote_addr (sometimes a list)
    '(?:([^ \\[]+) )?' + // ident (usually "-"; some servers omit it)
    '([^ \\[]+) ' + // $remote_user
    '\\[([^\\]]*)\\] ' + // [$time_local]
    '"([^"]*)" ' + // "$request"
    '([^ ]+) ([^ ]+)' + // $status $body_bytes_sent
    '(?: "([^"]*)" "([^"]*)"(.*))?' + // "$http_referer" "$http_user_agent" [more]
    ')[ \\t]*$',
  names: ['matched', 'quoted_prefix', 'prefix', 'remote_addr', 'ident', 'remote_user', 'time_local', 'request', 'status', 'bytes', 'referer', 'user_agent', 'rest'],
};

// A prefix that is a list or an IP address is an X-Forwarded-For value; anything else is a vhost.
const IP_LIST_RE = `'^[0-9A-Fa-f:.]+(, ?[0-9A-Fa-f:.]+)*$'`;

/**
 * The common case read without the regex: `combined` exactly as nginx writes it, no prefix and
 * nothing after the user agent. Splitting at the six quotes and matching only the short head
 * (`addr ident user [time] "`) gives the fields the regex would give for such a line (RE2's
 * submatch extraction over a whole line is the costly part: measured 1.9 → 0.9 s per million
 * lines); any other line goes to the regex. test/nginx-combined-fast-path.test.ts checks both
 * agree on fixtures and mutated lines.
 */
const FAST_HEAD = { regex: '^([^ ,\\["]+) ([^ \\["]+) ([^ \\["]+) \\[([^\\]"]*)\\] "', names: ['addr', 'ident', 'user', 'time'] };

export function combinedExpressions(): { prepare: Record<string, string>; fastPath: string; regex: string; expr: string } {
  const quoted = 'm_quoted';
  const head = 'm_head';
  const regex = structExtract('line', COMBINED);
  const fastPath = `len(${quoted}) = 7 AND ${quoted}[5] = ' ' AND ${quoted}[7] = '' AND ${head}.addr <> ''
    AND regexp_full_match(${quoted}[3], ' [^ ]+ [^ ]+ ')`;
  const fields = {
    matched: 'line', quoted_prefix: `''`, prefix: `''`, remote_addr: `${head}.addr`, ident: `${head}.ident`, remote_user: `${head}.user`,
    time_local: `${head}.time`, request: `${quoted}[2]`, status: `split_part(${quoted}[3], ' ', 2)`, bytes: `split_part(${quoted}[3], ' ', 3)`,
    referer: `${quoted}[4]`, user_agent: `${quoted}[6]`, rest: `''`,
  };
  if (Object.keys(fields).join() !== COMBINED.names.join()) throw new Error('internal: fast path fields differ from the combined regex');
  return {
    prepare: { [quoted]: `string_split(line, '"')`, [head]: structExtract('line', FAST_HEAD) },
    fastPath,
    regex,
    expr: `CASE WHEN ${fastPath} THEN {${Object.entries(fields).map(([k, v]) => `'${k}': ${v}`).join(', ')}} ELSE ${regex} END`,
  };
}

function combinedParser(): LineParser {
  const m = 'm';
  const { prepare, expr } = combinedExpressions();
  return {
    column: 'm',
    expr,
    prepare,
    when: `NOT ${JSON_LINE}`,
    reject: [
      { when: `${m}.matched = ''`, reason: 'line does not match the nginx combined format' },
      // nginx writes a quote inside a field as \x22 and a backslash as \x5C: a \" is Apache's escaping,
      // which this regex would split in the wrong place
      { when: `contains(line, '\\"')`, reason: 'backslash-escaped quote: Apache escaping, not nginx (use --log-type apache)' },
    ],
    fields: {
      ts: `aa_clf_ts(${m}.time_local)`,
      client_ip: `${m}.remote_addr`,
      forwarded_for: `coalesce(nullif(${m}.quoted_prefix, ''),
                        CASE WHEN regexp_matches(${m}.prefix, ${IP_LIST_RE}) OR contains(${m}.prefix, ',') THEN ${m}.prefix END)`,
      host: `CASE WHEN ${m}.prefix <> '' AND NOT (regexp_matches(${m}.prefix, ${IP_LIST_RE}) OR contains(${m}.prefix, ','))
                  THEN regexp_replace(${m}.prefix, ':[0-9]+$', '') END`,
      principal: `aa_unescape_hex(${m}.remote_user)`,
      ...requestLineFields(`aa_unescape_hex(${m}.request)`),
      status: `${m}.status`,
      bytes: `${m}.bytes`,
      referrer: `aa_unescape_hex(nullif(${m}.referer, ''))`,
      user_agent: `aa_unescape_hex(nullif(${m}.user_agent, ''))`,
    },
  };
}

/** What each nginx variable feeds. `v` is the SQL expression of the captured text. */
const VARIABLES: Record<string, (v: string) => Partial<Record<RawField, string>>> = {
  remote_addr: (v) => ({ client_ip: v }),
  realip_remote_addr: (v) => ({ client_ip: v }),
  remote_port: (v) => ({ client_port: v }),
  remote_user: (v) => ({ principal: `aa_unescape_hex(${v})` }),
  time_local: (v) => ({ ts: `aa_clf_ts(${v})` }),
  time_iso8601: (v) => ({ ts: `aa_iso_ts(${v})` }),
  msec: (v) => ({ ts: `aa_epoch_ts(TRY_CAST(${v} AS DOUBLE))` }),
  request: (v) => requestLineFields(`aa_unescape_hex(${v})`),
  request_method: (v) => ({ method: v }),
  request_uri: (v) => ({ target: `aa_unescape_hex(${v})` }),
  uri: (v) => ({ path: `aa_unescape_hex(${v})` }),
  document_uri: (v) => ({ path: `aa_unescape_hex(${v})` }),
  args: (v) => ({ query: `aa_unescape_hex(${v})` }),
  query_string: (v) => ({ query: `aa_unescape_hex(${v})` }),
  server_protocol: (v) => ({ http_version: `regexp_replace(${v}, '^HTTP/', '')` }),
  status: (v) => ({ status: v }),
  body_bytes_sent: (v) => ({ bytes: v }),
  bytes_sent: (v) => ({ bytes: v }),
  http_referer: (v) => ({ referrer: `aa_unescape_hex(${v})` }),
  http_user_agent: (v) => ({ user_agent: `aa_unescape_hex(${v})` }),
  http_x_forwarded_for: (v) => ({ forwarded_for: v }),
  proxy_add_x_forwarded_for: (v) => ({ forwarded_for: v }),
  scheme: (v) => ({ scheme: `lower(${v})` }),
  // $https is "on" for TLS connections and empty (logged as "-") otherwise: both are evidence.
  https: (v) => ({ scheme: `CASE WHEN ${v} = 'on' THEN 'https' ELSE 'http' END` }),
  host: (v) => ({ host: v }),
  http_host: (v) => ({ host: `regexp_replace(${v}, ':[0-9]+$', '')` }),
  server_name: (v) => ({ host: v }),
  request_time: (v) => ({ duration_ms: `TRY_CAST(${v} AS DOUBLE) * 1000` }),
  http_authorization: (v) => ({ auth_header: `aa_unescape_hex(${v})` }),
  http_cookie: (v) => ({ cookie: `aa_unescape_hex(${v})` }),
  http_x_forwarded_proto: (v) => ({ scheme: `lower(split_part(${v}, ',', 1))` }),
  http_x_api_key: (v) => ({ api_key: v }),
  http_api_key: (v) => ({ api_key: v }),
  http_apikey: (v) => ({ api_key: v }),
  ssl_protocol: (v) => ({ tls_version: v }),
};

/** Variables whose field another, more direct variable overrides when both are logged. */
const WEAKER: Partial<Record<string, string[]>> = {
  realip_remote_addr: ['remote_addr'],
  bytes_sent: ['body_bytes_sent'],
  server_name: ['host', 'http_host'],
  host: ['http_host'],
  https: ['scheme'],
  http_x_forwarded_proto: ['scheme', 'https'],
};

/** Values whose shape is known and may contain the character that usually ends a field. */
const ALWAYS_SHAPED: Record<string, string> = {
  time_local: '[0-9]{2}/[A-Za-z]{3}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}',
  remote_addr: '[^ ,]*(?:, ?[^ ,]+)*',
  http_x_forwarded_for: '[^ ,]*(?:, ?[^ ,]+)*',
};
/** Shapes that separate two variables written without a literal between them ($http_host$request_uri). */
const ADJACENT_SHAPES: Record<string, string> = {
  scheme: '[A-Za-z]+',
  host: '[^ /?"]*',
  http_host: '[^ /?"]*',
  server_name: '[^ /?"]*',
  server_port: '[0-9]*',
  status: '[0-9]{3}|-',
  request_method: '[A-Za-z]+',
  msec: '[0-9.]+',
};

export function tokenizeLogFormat(pattern: string): PatternToken[] {
  return tokenizeWith(pattern, /\$\{([A-Za-z0-9_]+)\}|\$([A-Za-z0-9_]+)/g, (m) => (m[1] ?? m[2] ?? '').toLowerCase());
}

function patternParser(pattern: string): LineParser {
  const tokens = tokenizeLogFormat(pattern);
  const variables = tokens.flatMap((t) => (t.kind === 'capture' ? [t.name] : []));
  if (variables.length === 0) throw new UserError('usage', `--log-pattern has no $variables: ${JSON.stringify(pattern)}`);
  if (!variables.some((v) => ['time_local', 'time_iso8601', 'msec'].includes(v))) {
    throw new UserError('usage', '--log-pattern must log a time: $time_local, $time_iso8601 or $msec');
  }
  // Struct field names must be unique and safe; the nginx variable is kept in a readable suffix.
  const seen = new Map<string, number>();
  const named = tokens.map((t, index): PatternToken => {
    if (t.kind !== 'capture') return t;
    const n = (seen.get(t.name) ?? 0) + 1;
    seen.set(t.name, n);
    const next = tokens[index + 1];
    const regex = ALWAYS_SHAPED[t.name] ?? (next?.kind === 'capture' ? ADJACENT_SHAPES[t.name] : undefined);
    return { kind: 'capture', name: n === 1 ? `v_${t.name}` : `v_${t.name}_${n}`, ...(regex ? { regex } : {}) };
  });
  const compiled = compilePattern(named);
  const fields: Partial<Record<RawField, string>> = {};
  for (const variable of new Set(variables)) {
    const map = VARIABLES[variable];
    if (!map) continue; // logged but irrelevant to the audit (e.g. $upstream_addr)
    if (WEAKER[variable]?.some((strong) => variables.includes(strong))) continue;
    Object.assign(fields, map(`nullif(m.v_${variable}, '')`));
  }
  if (variables.includes('ssl_protocol') && !fields.scheme) {
    // The TLS protocol of the connection is logged: "-" means the request came over plain HTTP.
    fields.scheme = `CASE WHEN coalesce(m.v_ssl_protocol, '-') IN ('-', '') THEN 'http' ELSE 'https' END`;
  }
  return {
    column: 'm',
    expr: structExtract('line', compiled),
    reject: [{ when: `m.matched = ''`, reason: 'line does not match the nginx log_format' }],
    fields,
  };
}

/** One nginx variable as a JSON template value; a variable another one overrides ranks lower. */
function variableMapped(name: string, v: string): Mapped | undefined {
  const map = VARIABLES[name] ?? ALIAS_VARIABLES[name];
  if (!map) return undefined;
  const weaker = WEAKER[name] !== undefined;
  return { fields: map(v), rank: weaker ? 0 : 1 };
}

/** Pseudo-variables for the default key table: a time in any of nginx's three shapes. */
const ALIAS_VARIABLES: Record<string, (v: string) => Partial<Record<RawField, string>>> = {
  time_any: (v) => ({ ts: `coalesce(aa_iso_ts(${v}), aa_clf_ts(${v}), aa_epoch_ts(TRY_CAST(${v} AS DOUBLE)))` }),
};

/** Key names nginx JSON recipes use: the variable names themselves and common aliases. */
function defaultJsonTemplate(): string {
  const template: Record<string, string> = {};
  for (const name of Object.keys(VARIABLES)) if (name !== 'https') template[name] = `$${name}`;
  const aliases: Record<string, string[]> = {
    time_any: ['@timestamp', 'time', 'timestamp', 'ts', 'date'],
    remote_addr: ['remote_ip', 'client_ip', 'clientip', 'client', 'ip'],
    remote_user: ['user'],
    request_method: ['method', 'verb'],
    request_uri: ['uri', 'url'],
    body_bytes_sent: ['bytes', 'size'],
    http_referer: ['referer', 'referrer', 'http_referrer'],
    http_user_agent: ['user_agent', 'agent', 'useragent'],
    http_x_forwarded_for: ['x_forwarded_for', 'xff', 'forwarded_for'],
    server_protocol: ['protocol'],
    http_authorization: ['authorization'],
    http_cookie: ['cookie'],
  };
  for (const [variable, keys] of Object.entries(aliases)) for (const key of keys) template[key] = `$${variable}`;
  return JSON.stringify(template);
}

function jsonParser(pattern?: string, head?: string[]): LineParser {
  const tokenize = (text: string) => tokenizeLogFormat(text);
  if (pattern) return templateParser(pattern, 'nginx escape=json log_format', tokenize, variableMapped);
  return templateParser(defaultJsonTemplate(), 'an nginx JSON access log entry', tokenize, variableMapped, {
    aliases: true,
    head,
    accept: (j) => `coalesce(${j.get(['request'])}, ${j.get(['request_uri'])}, ${j.get(['uri'])}, ${j.get(['request_method'])}, ${j.get(['method'])}) IS NOT NULL AND ${j.get(['status'])} IS NOT NULL`,
  });
}

export const nginx: LogFormat = {
  id: 'nginx',
  title: 'nginx access log',
  description:
    'nginx `combined` (with vhost and X-Forwarded-For variants) and escape=json JSON lines (nginx variable names as keys, or common aliases), or any log_format string passed verbatim with --log-pattern (a JSON template for escape=json).',
  capabilities: { scheme: 'if-configured', credential: 'if-configured', principal: 'always', clientIp: 'always' },
  acceptsPattern: true,
  parallelSafe: true,
  plan(context: ParseContext): ParsePlan {
    const pattern = context.logPattern?.trim();
    const unmatched = { unmatched: 'line is neither nginx combined nor a JSON object' };
    if (!pattern) {
      // JSON lines are read by the keys their first records have; a text file needs no JSON reader.
      // Broken or foreign JSON among text lines is rejected line by line, not the whole file.
      const head = context.head;
      const jsonLines = head?.filter(isJsonObject);
      if (head && jsonLines?.length === 0) return linePlan(context.lines, [combinedParser()], unmatched);
      try {
        return linePlan(context.lines, [jsonParser(undefined, jsonLines), combinedParser()], unmatched);
      } catch (error) {
        if (head && jsonLines!.length < head.length && error instanceof UserError) return linePlan(context.lines, [combinedParser()], unmatched);
        throw error;
      }
    }
    return linePlan(context.lines, [pattern.startsWith('{') ? jsonParser(pattern) : patternParser(pattern)], unmatched);
  },
};
