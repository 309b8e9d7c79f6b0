// W3C extended log files (IIS, CloudFront): `#Directive:` lines, and data lines whose columns are
// named by the latest `#Fields:` directive — which can change in the middle of a file. All inside
// DuckDB: a window function carries the latest `#Fields:` list (and `#Date:`) down to each data line,
// and each raw field is the value at the position of its column name in that list. A file with one
// layout and one date for all its data lines (found by a survey of its directives) skips the window.
// Reference: https://www.w3.org/TR/WD-logfile.html
import { mayBeBlank } from './compose.js';
import { sqlConstant, sqlUserText, type ParseContext, type ParsePlan, type RawField } from './format.js';

export interface W3cOptions {
  separator: 'space' | 'tab';
  /** Columns assumed until a `#Fields:` line is seen (files whose header was stripped). */
  defaultFields: string[];
  /** With the default columns, whether a line may have fewer values (columns appended over the years). */
  prefixOfDefaults: boolean;
  what: string;
  fields: (col: (...names: string[]) => string) => Partial<Record<RawField, string>>;
  notes?: string[];
}

/**
 * Column names are compared in lower case, and a request header column `cs(Name)` is named by its
 * header alone (`user-agent`, `cookie`, `authorization`, …), as IIS custom fields are.
 */
const normalizeName = (x: string) => `regexp_replace(lower(${x}), '^cs\\((.*)\\)$', '\\1')`;

/** A #Fields line's column names, as the parse compares them. */
const DECLARED = `list_transform(list_filter(regexp_split_to_array(trim(substr(line, 9)), '\\s+'), lambda x: x <> ''), lambda x: ${normalizeName('x')})`;
const DIRECTIVE_DATE = `nullif(regexp_extract(line, '([0-9]{4}-[0-9]{2}-[0-9]{2})', 1), '')`;

/** The distinct #Fields layouts and #Date dates of a whole file, sorted (one parallel read); per `by`, of each file. */
export function w3cSurveySql(lines: string, by?: string): string {
  return `SELECT ${by ? `${by} AS survey_of,` : ''}
                 coalesce(list_sort(list(DISTINCT ${DECLARED}) FILTER (WHERE starts_with(line, '#Fields:'))), []) AS layouts,
                 coalesce(list_sort(list(DISTINCT ${DIRECTIVE_DATE}) FILTER (WHERE starts_with(line, '#Date:') AND ${DIRECTIVE_DATE} IS NOT NULL)), []) AS dates
          FROM (${lines}) WHERE starts_with(line, '#') ${by ? `GROUP BY ${by}` : ''}`;
}

/** Whether a W3C file's directives name CloudFront's own `x-edge-` columns (see LogFormat.ownsHeaders). */
export function namesEdgeFields(lines: string[]): boolean {
  return lines.some((line) => line.startsWith('#Fields:') && /\sx-edge-/.test(line));
}

/** One layout and one directive date for every data line of a file, known before the parse. */
export interface ConstantLayout {
  /** The column names of the file's one #Fields layout; null: no #Fields line (default layout). */
  declared: string[] | null;
  /** The date of its #Date lines (all the same), or null when there is none. */
  dirDate: string | null;
}

/**
 * Most W3C files repeat one #Fields layout (IIS writes the header again at each restart): when the
 * survey found at most one layout and one date, and the first lines show them declared before the
 * first data line, every data line has that layout and date. The parse then needs no window over
 * numbered lines and runs in parallel (measured on 1M IIS lines: see README, Performance).
 */
export function w3cConstantLayout(context: ParseContext): ConstantLayout | undefined {
  const layouts = context.survey?.layouts;
  const dates = context.survey?.dates;
  if (!Array.isArray(layouts) || !Array.isArray(dates) || layouts.length > 1 || dates.length > 1 || !context.head) return undefined;
  const firstData = context.head.findIndex((line) => !line.startsWith('#') && line.trim() !== '');
  if (firstData < 0) return undefined;
  const directives = context.head.slice(0, firstData);
  if (layouts.length === 1 && !directives.some((line) => line.startsWith('#Fields:'))) return undefined;
  if (dates.length === 1 && !directives.some((line) => line.startsWith('#Date:') && /[0-9]{4}-[0-9]{2}-[0-9]{2}/.test(line))) return undefined;
  const declared = layouts.length === 1 ? (layouts[0] as unknown[]).map(String) : null;
  const dirDate = dates.length === 1 ? String(dates[0]) : null;
  return { declared, dirDate };
}

/**
 * Cheap checks of which lines the plan may read or take as an event (ParsePlan.mayRead,
 * mayAccept). An event must have, as a data line with a time needs,
 * - tab-separated values (date and time at least), when the separator is a tab (CloudFront), so
 *   CloudFront is not queried for an IIS log;
 * - a `digits-digits-digits` date, when no line holds a `#` (no directive: the default columns,
 *   whose date column is the only date; a #Date or date-local comes with directives), so W3C
 *   formats are not queried for an nginx or Apache log.
 * Any line with a `#` (a directive, or after one) and any blank line may be read (skipped).
 * Checked on the raw line: inside a container runtime's JSON (Docker's) a tab is `\t`. Detection
 * builds the plan on the lines it checks (head).
 */
function w3cChecks(context: ParseContext, separator: W3cOptions['separator']): Pick<ParsePlan, 'mayRead' | 'mayAccept'> {
  const needs: RegExp[] = [];
  if (separator === 'tab') needs.push(/\t|\\t/);
  if (context.head && !context.head.some((line) => line.includes('#'))) needs.push(/[0-9]-[0-9]+-[0-9]/);
  if (needs.length === 0) return {};
  const mayAccept = (line: string) => needs.every((need) => need.test(line));
  return { mayAccept, mayRead: (line) => mayBeBlank(line) || line.includes('#') || mayAccept(line) };
}

export function w3cPlan(context: ParseContext, o: W3cOptions): ParsePlan {
  const lines = context.lines;
  const layout = w3cConstantLayout(context);
  const defaults = o.defaultFields.map((f) => f.toLowerCase().replace(/^cs\((.*)\)$/, '$1'));
  const window = 'OVER (ORDER BY line_no ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)';
  // Values: split on the separator; a line with quotes (IIS Advanced Logging, Incapsula) is
  // tokenized quote-aware, with "" inside quotes standing for one quote.
  const values =
    o.separator === 'tab'
      ? `string_split(line, chr(9))`
      : `CASE WHEN contains(line, '"') THEN list_transform(regexp_extract_all(line, '"(?:[^"]|"")*"|[^ "]+'),
                                                        lambda x: CASE WHEN starts_with(x, '"') THEN replace(x[2:-2], '""', '"') ELSE x END)
              WHEN contains(trim(line), '  ') THEN regexp_split_to_array(trim(line), ' +')
              ELSE string_split(line, ' ') END`;
  // Each raw field is read at its column's position in the line's layout. Positions are computed
  // once per #Fields line (a small table joined by the layout's line number), not per data line.
  // The layout is the latest #Fields line: a running max of their line numbers (last_value IGNORE
  // NULLS measured 10× slower on 1M lines); the date of a #Date line, the latest (dates only go on).
  // Each column's value is one column of the source (_cN), null when '-': written out in every
  // field that reads it, the nested CASEs made DuckDB's optimizer take 60 ms per query on IIS's
  // fields (common subexpressions), the most of a small file's ingest.
  const names: string[] = [];
  const col = (...wanted: string[]) => {
    const picks = wanted.map((n) => {
      let index = names.indexOf(n);
      if (index < 0) index = names.push(n) - 1;
      return `_c${index}`;
    });
    return picks.length === 1 ? picks[0]! : `coalesce(${picks.join(', ')})`;
  };
  const fields = o.fields(col);
  const columnValues = names.map((n, i) => `aa_null_dash(v[CASE WHEN _default_layout THEN ${defaults.indexOf(n) + 1 || 'NULL'} ELSE _pos${i} END]) AS _c${i}`);
  const count = o.prefixOfDefaults
    ? `CASE WHEN _declared_n IS NULL THEN len(v) > ${defaults.length} OR len(v) < 9 ELSE len(v) <> _declared_n AND NOT _default_layout END`
    : `len(v) <> coalesce(_declared_n, ${defaults.length}) AND NOT (_default_layout AND len(v) = ${defaults.length})`;
  const plan = (source: string): ParsePlan => ({
    source: columnValues.length ? `SELECT *, ${columnValues.join(', ')} FROM (${source})` : source,
    skip: `line IS NULL OR trim(line) = '' OR starts_with(line, '#')`,
    reject: [{ when: count, reason: `number of values does not match the ${o.what} #Fields columns` }],
    fields,
    notes: o.notes,
    ...w3cChecks(context, o.separator),
  });
  if (layout) {
    // the same columns as below, as constants: positions are computed here from the surveyed
    // column names (integers only reach the SQL text; the date goes through sqlUserText)
    const n = layout.declared?.length ?? null;
    const constants = names.map((name, i) => `${layout.declared ? layout.declared.indexOf(name) + 1 || 'NULL' : 'NULL'}::INTEGER AS _pos${i}`);
    return plan(`
      SELECT line_no, line, v, ${layout.dirDate ? sqlUserText(layout.dirDate) : 'NULL::VARCHAR'} AS dir_date,
        ${n ?? 'NULL'}::BIGINT AS _declared_n${constants.length ? `, ${constants.join(', ')}` : ''},
        ${n === null ? 'true' : `(len(v) <> ${n} AND len(v) = ${defaults.length})`} AS _default_layout
      FROM (SELECT line_no, line, CASE WHEN NOT starts_with(line, '#') THEN ${values} END AS v FROM (${lines}))`);
  }
  const positions = names.map((n, i) => `list_position(decl, ${sqlConstant(n)}) AS _pos${i}`);
  // A line whose number of values does not fit its #Fields but fits the default layout is read
  // with the default layout (files concatenated from servers with different settings).
  const source = `
    WITH l AS (${lines}),
    layouts AS (
      SELECT layout, len(decl) AS _declared_n${positions.length ? `, ${positions.join(', ')}` : ''}
      FROM (SELECT line_no AS layout, ${DECLARED} AS decl FROM l WHERE starts_with(line, '#Fields:')))
    SELECT x.*, ly.* EXCLUDE (layout),
           (ly._declared_n IS NULL OR (len(x.v) <> ly._declared_n AND len(x.v) = ${defaults.length})) AS _default_layout
    FROM (
      SELECT line_no, line, CASE WHEN NOT starts_with(line, '#') THEN ${values} END AS v,
        max(CASE WHEN starts_with(line, '#Fields:') THEN line_no END) ${window} AS layout,
        max(CASE WHEN starts_with(line, '#Date:') THEN ${DIRECTIVE_DATE} END) ${window} AS dir_date
      FROM l) x
    LEFT JOIN layouts ly USING (layout)`;
  return plan(source);
}
