// Builds a ParsePlan from one or more line parsers. A parser is one SQL expression over `line`
// (a regexp_extract STRUCT, a json_transform STRUCT) stored in a column, plus the raw fields read
// from that column. Several parsers serve formats whose files mix line shapes (Envoy text and JSON,
// Traefik CLF and JSON): each line goes to the first parser whose `when` holds, and only that
// parser's expression is evaluated for it.
import { RAW_FIELDS, type ParsePlan, type RawField } from './format.js';
import { structExtract } from './pattern-regex.js';

export interface LineParser {
  /** Column name the fields refer to (e.g. `m`, `j`); unique per plan. */
  column: string;
  /** SQL over `line` producing the column. */
  expr: string;
  /** SQL over `line`: the lines this parser reads (default: every line). */
  when?: string;
  /**
   * Columns over `line` computed one projection before `expr`, which may use them (DuckDB does
   * not share a repeated subexpression inside CASE). Names must be unique per plan.
   */
  prepare?: Record<string, string>;
  /**
   * Columns over this parser's column, computed one projection after it; fields and reject
   * conditions refer to them by name. A value written out in every expression that reads it makes
   * those expressions large, and DuckDB's optimizer slow on them (tens of ms per query).
   */
  derived?: Record<string, string>;
  fields: Partial<Record<RawField, string>>;
  reject?: Array<{ when: string; reason: string }>;
  notes?: string[];
  /** False only for a line this parser rejects whatever it holds (see ParsePlan.mayRead). */
  mayRead?: (line: string) => boolean;
}

export const BLANK_LINE = `line IS NULL OR trim(line) = ''`;
export const JSON_LINE = `starts_with(ltrim(line), '{')`;

/** True for every line BLANK_LINE may hold for: one with a printable ASCII character never is, whatever trim() removes. */
export const mayBeBlank = (line: string): boolean => !/[\x21-\x7e]/.test(line);
/** True for every line JSON_LINE holds for. */
export const mayBeJsonObject = (line: string): boolean => line.includes('{');

export function linePlan(
  lines: string,
  parsers: LineParser[],
  options: { skip?: string; unmatched?: string; prelude?: string } = {},
): ParsePlan {
  const skip = options.skip ?? BLANK_LINE;
  // a line none of the parsers may read is rejected, unless it is skipped: known only for the
  // default skip, and when no prelude rewrites the lines first
  const readers = parsers.map((p) => p.mayRead);
  const mayRead = !options.skip && !options.prelude && readers.every((r) => r !== undefined)
    ? (line: string) => mayBeBlank(line) || readers.some((r) => r!(line))
    : undefined;
  const input = options.prelude ? `SELECT line_no, ${options.prelude} AS line FROM (${lines})` : lines;
  // a parser's prepared columns, only for the lines it reads
  const prepared = parsers.flatMap((p) =>
    Object.entries(p.prepare ?? {}).map(([name, sql]) => `, ${p.when ? `CASE WHEN ${p.when} THEN ${sql} END` : sql} AS ${name}`),
  ).join('');
  // the parsers' derived columns that the given SQL reads
  const derivedFor = (sql: string) =>
    parsers.flatMap((p) => Object.entries(p.derived ?? {}).filter(([name]) => new RegExp(`\\b${name}\\b`).test(sql)).map(([name, expr]) => `, ${expr} AS ${name}`)).join('');
  const rejectSql = parsers.flatMap((p) => (p.reject ?? []).map((r) => r.when)).join(' ');
  if (parsers.length === 1 && !parsers[0]!.when) {
    const [only] = parsers as [LineParser];
    const parsed = `SELECT line_no, line, ${only.expr} AS ${only.column} FROM (SELECT *${prepared} FROM (${input}))`;
    const derived = derivedFor(`${Object.values(only.fields).join(' ')} ${rejectSql}`);
    return {
      source: derived ? `SELECT *${derived} FROM (${parsed})` : parsed,
      skip, reject: only.reject, fields: only.fields, notes: only.notes, mayRead,
    };
  }
  // Several parsers: pick one per line (_parser), evaluate only its column, then compute every
  // parser's fields as plain columns and choose among them. A CASE around each field expression
  // would defeat DuckDB's common-subexpression elimination (measured: 2.4× slower).
  const selector = `CASE ${parsers.map((p, i) => `WHEN ${p.when ?? 'true'} THEN ${i + 1}`).join(' ')} END`;
  const columns = parsers.map((p, i) => `CASE WHEN _parser = ${i + 1} THEN ${p.expr} END AS ${p.column}`);
  const sourceFor = (wanted: readonly RawField[] = RAW_FIELDS) => {
    const fieldColumns = parsers.flatMap((p, i) =>
      Object.entries(p.fields).filter(([f]) => wanted.includes(f as RawField)).map(([f, sql]) => `, ${sql} AS _p${i + 1}_${f}`));
    const parsed = `SELECT line_no, line, _parser, ${columns.join(', ')} FROM (SELECT *, ${selector} AS _parser${prepared} FROM (${input}))`;
    const derived = derivedFor(`${fieldColumns.join(' ')} ${rejectSql}`);
    return `SELECT *${fieldColumns.join('')} FROM (${derived ? `SELECT *${derived} FROM (${parsed})` : parsed})`;
  };
  const source = sourceFor();
  const fields: Partial<Record<RawField, string>> = {};
  for (const field of RAW_FIELDS) {
    const branches = parsers.flatMap((p, i) => (p.fields[field] ? [`WHEN ${i + 1} THEN _p${i + 1}_${field}`] : []));
    if (branches.length) fields[field] = `CASE _parser ${branches.join(' ')} END`;
  }
  const reject = parsers.flatMap((p, i) => (p.reject ?? []).map((r) => ({ when: `_parser = ${i + 1} AND (${r.when})`, reason: r.reason })));
  if (options.unmatched) reject.push({ when: `_parser IS NULL`, reason: options.unmatched });
  return { source, sourceFor, skip, reject, fields, notes: [...new Set(parsers.flatMap((p) => p.notes ?? []))], mayRead };
}

/** A parser that reads each line with one anchored regex (group `matched` is empty when it fails). */
export function regexParser(
  pattern: { regex: string; names: string[] },
  what: string,
  fields: Partial<Record<RawField, string>>,
  options: { column?: string; when?: string; notes?: string[] } = {},
): LineParser {
  const column = options.column ?? 'm';
  return {
    column,
    expr: structExtract('line', pattern),
    when: options.when,
    reject: [{ when: `${column}.matched = ''`, reason: `line does not match the ${what} format` }],
    fields,
    notes: options.notes,
  };
}

/** Raw fields one logged variable feeds; `rank` decides between variables that feed the same field. */
export interface Mapped {
  fields: Partial<Record<RawField, string>>;
  rank?: number;
}

/** Merges mapped variables: for each raw field the highest rank wins (the first on a tie). */
export function mergeRanked(mapped: Array<Mapped | undefined>): Partial<Record<RawField, string>> {
  const chosen: Partial<Record<RawField, { sql: string; rank: number }>> = {};
  for (const m of mapped) {
    if (!m) continue;
    for (const [field, sql] of Object.entries(m.fields) as Array<[RawField, string]>) {
      const rank = m.rank ?? 0;
      if (!chosen[field] || chosen[field]!.rank < rank) chosen[field] = { sql, rank };
    }
  }
  return Object.fromEntries(Object.entries(chosen).map(([f, c]) => [f, c!.sql]));
}

/**
 * Merges mapped variables when several of them are alternative names for the same value (a table
 * of key aliases): each raw field is the first non-NULL of its expressions, strongest rank first.
 */
export function mergeCoalesced(mapped: Array<Mapped | undefined>): Partial<Record<RawField, string>> {
  const byField = new Map<RawField, Array<{ sql: string; rank: number }>>();
  for (const m of mapped) {
    if (!m) continue;
    for (const [field, sql] of Object.entries(m.fields) as Array<[RawField, string]>) {
      byField.set(field, [...(byField.get(field) ?? []), { sql, rank: m.rank ?? 0 }]);
    }
  }
  return Object.fromEntries(
    [...byField].map(([field, list]) => {
      const sorted = [...list].sort((a, b) => b.rank - a.rank).map((x) => x.sql);
      return [field, sorted.length === 1 ? sorted[0]! : `coalesce(${sorted.join(', ')})`];
    }),
  );
}
