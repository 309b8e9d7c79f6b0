// Shared by the JSON formats: each line (or each record of a JSON document) is parsed once by
// DuckDB's json_transform into a STRUCT of the keys a format reads, and fields are taken from it by
// position. Keys may come from a user (a log-format template, the config's field mapping), so the
// structure reaches SQL hex-encoded (sqlUserText) and no key name is ever spliced into SQL text.
//
// Measured (2 cores, 1M lines of 300 bytes, 10 keys): json_transform 1.1 s; one
// json_extract_string with a list of paths 1.8 s; one json_extract_string per key 14 s.
import { UserError } from '../../errors.js';
import { JSON_LINE, mayBeJsonObject, mergeCoalesced, mergeRanked, type LineParser, type Mapped } from './compose.js';
import { sqlUserText, type RawField } from './format.js';
import { compilePattern, structExtract, type PatternToken } from './pattern-regex.js';

export type JsonShape = { [key: string]: 'VARCHAR' | JsonShape };

/** A key path into a JSON object, outermost key first. */
export type JsonPath = readonly string[];

export class JsonDoc {
  private readonly shape: JsonShape = {};
  /** The column of each value read (by its struct_extract_at expression): LineParser.derived. */
  private readonly values = new Map<string, string>();
  private sealed = false;

  constructor(private readonly column = 'j') {}

  /** SQL naming the value at `path` (VARCHAR; objects and arrays as JSON text; absent → NULL). */
  get(path: JsonPath): string {
    if (this.sealed) throw new Error('internal: JsonDoc.get() after expr()');
    let node = this.shape;
    let expr = this.column;
    path.forEach((key, depth) => {
      const last = depth === path.length - 1;
      if (!(key in node)) node[key] = last ? 'VARCHAR' : {};
      const child = node[key]!;
      if (!last && typeof child !== 'object') throw new Error(`internal: JSON key ${path.slice(0, depth + 1).join('.')} is used as a value and an object`);
      const index = Object.keys(node).indexOf(key) + 1;
      expr = `struct_extract_at(${expr}, ${index})`;
      if (typeof child === 'object') node = child;
    });
    const name = this.values.get(expr) ?? `_${this.column}${this.values.size + 1}`;
    this.values.set(expr, name);
    return name;
  }

  /** The first of several paths that has a value (aliases: `timestamp`, `time`, `@timestamp`, …). */
  first(paths: readonly JsonPath[]): string {
    const exprs = paths.map((p) => `aa_null_dash(${this.get(p)})`);
    return exprs.length === 1 ? exprs[0]! : `coalesce(${exprs.join(', ')})`;
  }

  /**
   * SQL over `line`: the STRUCT of every key read through get()/first() (call it last), or NULL
   * when the line is not a JSON object.
   */
  expr(): string {
    this.sealed = true;
    const structure = sqlUserText(JSON.stringify(this.shape));
    return `CASE WHEN ${JSON_LINE} AND json_valid(line) THEN json_transform(line, ${structure}) END`;
  }

  /** A LineParser reading this document; `accept` is SQL saying the object is this format. */
  parser(what: string, fields: Partial<Record<RawField, string>>, options: { accept?: string; when?: string; notes?: string[] } = {}): LineParser {
    const reject = [{ when: `${this.column} IS NULL`, reason: 'line is not a JSON object' }];
    if (options.accept) reject.push({ when: `NOT coalesce(${options.accept}, false)`, reason: `JSON object is not ${what}` });
    // expr() is NULL for a line that is not JSON_LINE, and such a line is rejected
    const expr = this.expr();
    const derived = Object.fromEntries([...this.values].map(([value, name]) => [name, value]));
    return { column: this.column, expr, derived, when: options.when, fields, reject, notes: options.notes, mayRead: mayBeJsonObject };
  }
}

/**
 * A JSON log-format template (nginx `escape=json`, Envoy `json_format`, an API Gateway access-log
 * format): `{"key": "<variables>", …}` as configured on the server. Each key is read from the JSON
 * line; a value that is one variable maps directly, a value that mixes variables and text is split
 * with the same regex compiler as the text formats.
 */
export function templateParser(
  template: string,
  what: string,
  tokenize: (text: string) => PatternToken[],
  map: (variable: string, sql: string) => Mapped | undefined,
  options: { when?: string; accept?: (j: JsonDoc) => string; aliases?: boolean; head?: string[] } = {},
): LineParser {
  let parsed: unknown;
  try {
    // unquoted variables are common in templates ("status": $status): quote them to parse the template
    parsed = JSON.parse(template.replace(/:\s*(\$[A-Za-z_][A-Za-z0-9_.]*|%[A-Z_]+(?:\([^)]*\))?%)\s*(?=[,}])/g, ': "$1"'));
  } catch (error) {
    throw new UserError('usage', `--log-pattern is not a JSON template: ${(error as Error).message.split('\n')[0]}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UserError('usage', '--log-pattern JSON template must be an object');
  const j = new JsonDoc('j');
  const mapTemplate = (present?: Set<string>) => {
    const mapped: Array<Mapped | undefined> = [];
    let captures = 0;
    const walk = (node: Record<string, unknown>, path: string[]) => {
      for (const [key, value] of Object.entries(node)) {
        if (value && typeof value === 'object' && !Array.isArray(value)) walk(value as Record<string, unknown>, [...path, key]);
        if (typeof value !== 'string') continue;
        if (present && !present.has(JSON.stringify([...path, key]))) continue;
        const tokens = tokenize(value);
        const sql = `aa_null_dash(${j.get([...path, key])})`;
        const only = tokens.length === 1 ? tokens[0] : undefined;
        if (only?.kind === 'capture') {
          mapped.push(map(only.name, sql));
          continue;
        }
        const names = new Map<string, string>();
        const compiled = compilePattern(tokens.map((t) => {
          if (t.kind !== 'capture') return t;
          const name = `c${captures++}`;
          names.set(name, t.name);
          return { ...t, name };
        }));
        for (const [name, variable] of names) mapped.push(map(variable, `nullif(${structExtract(sql, compiled)}.${name}, '')`));
      }
    };
    walk(parsed as Record<string, unknown>, []);
    // a table of key aliases (the default when no template is given) reads whichever key a line has
    return options.aliases ? mergeCoalesced(mapped) : mergeRanked(mapped);
  };
  // A table of aliases reads only the keys the input's first records have (fewer keys, faster).
  // When none of those is a time key, every alias is read: each record without a time is then
  // rejected by its line number, rather than the whole file failing on its first records.
  const present = options.aliases && options.head?.length ? new Set(keyPaths(options.head).map((p) => JSON.stringify(p))) : undefined;
  let fields = mapTemplate(present);
  if (!fields.ts && present) fields = mapTemplate();
  if (!fields.ts) {
    throw options.aliases
      ? new UserError('input', `no time key that ${what} has`)
      : new UserError('usage', `--log-pattern JSON template has no time variable that ${what} logs`);
  }
  return j.parser(what, fields, { when: options.when ?? JSON_LINE, accept: options.accept?.(j) });
}

/** Key paths (objects descended, up to 5 levels) of the first records, in first-seen order. */
export function keyPaths(head: string[]): string[][] {
  const seen = new Map<string, string[]>();
  const walk = (value: unknown, path: string[]) => {
    if (value && typeof value === 'object' && !Array.isArray(value) && path.length < 5) {
      for (const [key, child] of Object.entries(value)) walk(child, [...path, key]);
    } else if (path.length > 0) {
      const id = JSON.stringify(path);
      if (!seen.has(id)) seen.set(id, path);
    }
  };
  for (const line of head) {
    try {
      const value: unknown = JSON.parse(line);
      if (value && typeof value === 'object' && !Array.isArray(value)) walk(value, []);
    } catch {
      // not JSON: rejected when the file is read
    }
  }
  const all = [...seen.values()];
  // a key that is an object in some records and a value in others: read its inner keys
  return all.filter((p) => !all.some((q) => q.length > p.length && p.every((k, i) => q[i] === k)));
}

