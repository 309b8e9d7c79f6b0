// Apache httpd access logs: `common`, `combined`, `vhost_combined` (a `%v` or `%v:%p` prefix) and
// mod_ssl's `ssl_request_log`, or any LogFormat string given with --log-pattern. Apache escapes `"`
// and `\` with a backslash inside quoted fields and other bytes as \xhh.
// Reference: https://httpd.apache.org/docs/2.4/mod/mod_log_config.html#formats
import { UserError } from '../../errors.js';
import { linePlan, mergeRanked, regexParser, type LineParser, type Mapped } from './compose.js';
import { sqlUserText, type LogFormat, type ParseContext, type ParsePlan } from './format.js';
import { compilePattern, escapeLiteral, structExtract, type PatternToken } from './pattern-regex.js';
import { requestLineFields } from './request-line.js';
import { localToUtc } from './time.js';

/** A quoted field in which \" and \\ are escapes. */
const QUOTED = String.raw`"((?:[^"\\]|\\.)*)"`;

/** common / combined / vhost_combined, with extra fields tolerated after the user agent. */
const COMBINED = {
  regex:
    '^(' +
    '(?:([^ \\[]+) )??' + // %v or %v:%p (vhost_combined)
    '([^ ]+) ([^ ]+) ([^ ]+) ' + // %h %l %u
    '\\[([^\\]]+)\\] ' + // %t
    `${QUOTED} ` + // "%r"
    '([0-9]{3}|-) ([0-9]+|-)' + // %>s %b (or %O)
    `(?: ${QUOTED} ${QUOTED}(.*))?` + // "%{Referer}i" "%{User-Agent}i" [more]
    ')[ \\t]*$',
  names: ['matched', 'vhost', 'remote_host', 'ident', 'remote_user', 'time', 'request', 'status', 'bytes', 'referer', 'user_agent', 'rest'],
};

/** mod_ssl ssl_request_log: "%t %h %{SSL_PROTOCOL}x %{SSL_CIPHER}x \"%r\" %b" */
const SSL_REQUEST = {
  regex: `^(\\[([^\\]]+)\\] ([^ ]+) ([^ ]+) ([^ ]+) ${QUOTED} ([0-9]+|-))[ \\t]*$`,
  names: ['matched', 'time', 'remote_host', 'ssl_protocol', 'ssl_cipher', 'request', 'bytes'],
};

const unescape = (v: string) => `aa_unescape_apache(${v})`;

function defaultParsers(): LineParser[] {
  return [
    regexParser(SSL_REQUEST, 'Apache ssl_request_log', {
      ts: `aa_clf_ts(s.time)`,
      client_ip: `s.remote_host`,
      tls_version: `s.ssl_protocol`,
      scheme: `CASE WHEN s.ssl_protocol = '-' THEN 'http' ELSE 'https' END`,
      ...requestLineFields(unescape('s.request')),
      bytes: `s.bytes`,
    }, { column: 's', when: `starts_with(line, '[')` }),
    regexParser(COMBINED, 'Apache common/combined', {
      ts: `aa_clf_ts(m.time)`,
      client_ip: `m.remote_host`,
      host: `nullif(regexp_replace(m.vhost, ':[0-9]+$', ''), '')`,
      principal: unescape('m.remote_user'),
      ...requestLineFields(unescape('m.request')),
      status: `m.status`,
      bytes: `m.bytes`,
      referrer: unescape(`nullif(m.referer, '')`),
      user_agent: unescape(`nullif(m.user_agent, '')`),
    }, { when: `NOT starts_with(line, '[')` }),
  ];
}

// ---- LogFormat strings -------------------------------------------------------------------------

interface Directive {
  letter: string; // h, a, t, r, >s, i, x, …
  arg?: string; // the {…} argument
}

/** Splits a LogFormat string into literals and directives (`%h`, `%>s`, `%{User-Agent}i`, `%400{Referer}i`). */
export function tokenizeLogFormat(pattern: string): Array<{ kind: 'literal'; text: string } | { kind: 'directive'; d: Directive }> {
  // httpd.conf writes the format inside double quotes: \" and \\ and \t and \n are its escapes
  const text = pattern.replace(/\\(["\\tn])/g, (_, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : c));
  const out: Array<{ kind: 'literal'; text: string } | { kind: 'directive'; d: Directive }> = [];
  const re = /%([<>]?)(?:!?[0-9]{3}(?:,[0-9]{3})*)?(?:\{([^}]*)\})?([<>]?)(\^t[io]|[A-Za-z%])/g;
  let last = 0;
  const literal = (t: string) => {
    if (!t) return;
    const prev = out[out.length - 1];
    if (prev?.kind === 'literal') prev.text += t;
    else out.push({ kind: 'literal', text: t });
  };
  for (let m = re.exec(text); m; m = re.exec(text)) {
    literal(text.slice(last, m.index));
    last = m.index + m[0].length;
    const letter = m[4]!;
    if (letter === '%') {
      literal('%');
      continue;
    }
    const modifier = m[1] || m[3] || ''; // %>s final status, %<s original
    out.push({ kind: 'directive', d: { letter: letter === 's' ? `${modifier}s` : letter, ...(m[2] !== undefined ? { arg: m[2] } : {}) } });
  }
  literal(text.slice(last));
  return out;
}

/** Raw fields one directive feeds; `v` is the SQL of the captured text. `rank` orders competing directives. */
function directiveFields(d: Directive, v: string, timezone?: string): Mapped | undefined {
  const arg = d.arg?.toLowerCase();
  switch (d.letter) {
    case 'a':
      return arg === 'c' ? { fields: { client_ip: v }, rank: 1 } : { fields: { client_ip: v }, rank: 2 };
    case 'h':
      return { fields: { client_ip: v }, rank: 0 };
    case 'u':
      return { fields: { principal: unescape(v) } };
    case 't':
      return { fields: { ts: timeSql(d.arg, v, timezone) }, rank: d.arg?.startsWith('end:') ? 0 : 1 };
    case 'r':
      return { fields: requestLineFields(unescape(v)) };
    case 'm':
      return { fields: { method: v } };
    case 'U':
      return { fields: { path: unescape(v) } };
    case 'q':
      return { fields: { query: `nullif(regexp_replace(${unescape(v)}, '^[?]', ''), '')` } };
    case 'H':
      return { fields: { http_version: `regexp_replace(${v}, '^HTTP/', '')` } };
    case '>s':
      return { fields: { status: v }, rank: 2 };
    case 's':
      return { fields: { status: v }, rank: 1 };
    case '<s':
      return { fields: { status: v }, rank: 0 };
    case 'b':
    case 'B':
      return { fields: { bytes: v }, rank: 1 };
    case 'O':
      return { fields: { bytes: v }, rank: 0 };
    case 'D':
      return { fields: { duration_ms: `TRY_CAST(${v} AS DOUBLE) / 1000` }, rank: 2 };
    case 'T': {
      const unit = arg ?? 's';
      const factor = unit === 'ms' ? 1 : unit === 'us' ? 0.001 : 1000;
      return { fields: { duration_ms: `TRY_CAST(${v} AS DOUBLE) * ${factor}` }, rank: unit === 's' ? 0 : 1 };
    }
    case 'v':
    case 'V':
      return { fields: { host: v }, rank: 0 };
    case 'p':
      if (arg === 'remote') return { fields: { client_port: v } };
      if (arg && arg !== 'canonical' && arg !== 'local') return undefined;
      return { fields: { scheme: `aa_port_scheme(${v})` }, rank: 0 };
    case 'i':
      return headerFields(arg ?? '', v);
    case 'C':
      return arg ? { fields: { cookie: `${sqlUserText(arg)} || '=' || ${v}` } } : undefined;
    case 'x':
    case 'e':
      if (arg === 'ssl_protocol') return { fields: { tls_version: v, scheme: `CASE WHEN coalesce(${v}, '-') IN ('-', '') THEN 'http' ELSE 'https' END` }, rank: 2 };
      if (arg === 'https') return { fields: { scheme: `CASE WHEN lower(${v}) = 'on' THEN 'https' ELSE 'http' END` }, rank: 3 };
      return undefined;
    default:
      return undefined;
  }
}

/** Request headers that matter to the audit, for %{Name}i here and for other formats' header captures. */
export function headerFields(name: string, v: string, unescapeFn = unescape): Mapped | undefined {
  switch (name.toLowerCase()) {
    case 'user-agent':
      return { fields: { user_agent: unescapeFn(v) } };
    case 'referer':
    case 'referrer':
      return { fields: { referrer: unescapeFn(v) } };
    case 'authorization':
      return { fields: { auth_header: unescapeFn(v) } };
    case 'x-api-key':
    case 'api-key':
    case 'apikey':
    case 'ocp-apim-subscription-key':
      return { fields: { api_key: unescapeFn(v) } };
    case 'cookie':
      return { fields: { cookie: unescapeFn(v) } };
    case 'x-forwarded-for':
      return { fields: { forwarded_for: v } };
    case 'x-forwarded-proto':
      return { fields: { scheme: `lower(split_part(${v}, ',', 1))` }, rank: 1 };
    case 'host':
      return { fields: { host: `regexp_replace(${v}, ':[0-9]+$', '')` }, rank: 1 };
    default:
      return undefined;
  }
}

/** %t and %{format}t. strftime formats are given to DuckDB's strptime, which has the same codes. */
function timeSql(arg: string | undefined, v: string, timezone?: string): string {
  if (arg === undefined) return `aa_clf_ts(trim(${v}, '[]'))`;
  const format = arg.replace(/^(begin|end):/, '');
  if (format === 'sec') return `aa_epoch_ts(TRY_CAST(${v} AS DOUBLE))`;
  if (format === 'msec') return `aa_epoch_ts(TRY_CAST(${v} AS DOUBLE) / 1000)`;
  if (format === 'usec') return `aa_epoch_ts(TRY_CAST(${v} AS DOUBLE) / 1000000)`;
  if (/^(msec|usec)_frac$/.test(format)) return 'NULL::TIMESTAMP';
  const parsed = `try_strptime(${v}, ${sqlUserText(format)})`;
  return /%[zZ]/.test(format) ? `${parsed}::TIMESTAMP` : localToUtc(parsed, timezone);
}

/** What a time directive writes (it may hold spaces): %t is "[dd/Mon/yyyy:HH:MM:SS ±zzzz]". */
function timeRegex(arg: string | undefined): string {
  if (arg === undefined) return String.raw`\[[^\]]*\]`;
  const format = arg.replace(/^(begin|end):/, '');
  if (/^(sec|msec|usec|msec_frac|usec_frac)$/.test(format)) return '[0-9.]+';
  const parts: Record<string, string> = {
    Y: '[0-9]{4}', y: '[0-9]{2}', m: '[0-9]{1,2}', d: '[0-9]{1,2}', e: ' ?[0-9]{1,2}', H: '[0-9]{1,2}', I: '[0-9]{1,2}',
    M: '[0-9]{1,2}', S: '[0-9]{1,2}', f: '[0-9]+', b: '[A-Za-z]+', h: '[A-Za-z]+', B: '[A-Za-z]+', a: '[A-Za-z]+',
    A: '[A-Za-z]+', p: '[AaPp][Mm]', z: '(?:[+-][0-9]{2}:?[0-9]{2}|Z)', Z: '[A-Za-z]+', j: '[0-9]{1,3}', T: '[0-9:]+', F: '[0-9-]+',
  };
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const ch = format[i]!;
    if (ch === '%' && i + 1 < format.length) {
      const code = format[++i]!;
      out += code === '%' ? escapeLiteral('%') : parts[code] ?? String.raw`\S+?`;
    } else out += escapeLiteral(ch);
  }
  return out;
}

function patternParser(pattern: string, timezone?: string): LineParser {
  const tokens = tokenizeLogFormat(pattern);
  const directives = tokens.flatMap((t) => (t.kind === 'directive' ? [t.d] : []));
  if (directives.length === 0) throw new UserError('usage', `--log-pattern has no %directives: ${JSON.stringify(pattern)}`);
  if (!directives.some((d) => d.letter === 't' && !/^(begin:|end:)?(msec|usec)_frac$/.test(d.arg ?? ''))) {
    throw new UserError('usage', '--log-pattern must log a time: %t or %{format}t');
  }
  const patternTokens: PatternToken[] = tokens.map((t, i) => {
    if (t.kind === 'literal') return { kind: 'literal', text: t.text };
    const next = tokens[i + 1];
    // inside quotes Apache writes \" for a quote: let the capture run over escapes
    const quoted = next?.kind === 'literal' && next.text.startsWith('"');
    const regex = t.d.letter === 't' ? timeRegex(t.d.arg) : quoted ? String.raw`(?:[^\x{22}\x{5C}]|\x{5C}.)*` : undefined;
    return { kind: 'capture', name: `c${i}`, ...(regex ? { regex } : {}) };
  });
  // The strongest directive for each field wins (%a over %h, %>s over %s, %D over %T, …).
  const fields = mergeRanked(tokens.map((t, i) => (t.kind === 'directive' ? directiveFields(t.d, `nullif(m.c${i}, '')`, timezone) : undefined)));
  const notes = directives.some((d) => d.letter === 'p') && !directives.some((d) => ['x', 'e'].includes(d.letter) || (d.letter === 'i' && /^x-forwarded-proto$/i.test(d.arg ?? '')))
    ? ['scheme inferred from the server port %p (443 → https, 80 → http, other ports unknown)']
    : [];
  return {
    column: 'm',
    expr: structExtract('line', compilePattern(patternTokens)),
    reject: [{ when: `m.matched = ''`, reason: 'line does not match the Apache LogFormat' }],
    fields,
    notes,
  };
}

export const apache: LogFormat = {
  id: 'apache',
  title: 'Apache httpd access log',
  description:
    'Apache `common`, `combined`, `vhost_combined` and mod_ssl `ssl_request_log`, or any LogFormat string passed with --log-pattern (%h %a %u %t %r %>s %b %D %T %v %p %{Header}i %{SSL_PROTOCOL}x …).',
  capabilities: { scheme: 'if-configured', credential: 'if-configured', principal: 'always', clientIp: 'always' },
  acceptsPattern: true,
  parallelSafe: true,
  plan(context: ParseContext): ParsePlan {
    return context.logPattern
      ? linePlan(context.lines, [patternParser(context.logPattern, context.timezone)])
      : linePlan(context.lines, defaultParsers());
  },
};
