// W3C extended log files (IIS, CloudFront): `#Directive:` lines, and data lines whose columns are
// named by the latest `#Fields:` directive — which can change in the middle of a file. All inside
// DuckDB: a window function carries the latest `#Fields:` list (and `#Date:`) down to each data line,
// and each raw field is the value at the position of its column name in that list.
// Reference: https://www.w3.org/TR/WD-logfile.html
import { sqlConstant, type ParsePlan, type RawField } from './format.js';

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

export function w3cPlan(lines: string, o: W3cOptions): ParsePlan {
  const declared = `list_transform(list_filter(regexp_split_to_array(trim(substr(line, 9)), '\\s+'), lambda x: x <> ''), lambda x: ${normalizeName('x')})`;
  const defaults = `[${o.defaultFields.map((f) => sqlConstant(f.toLowerCase().replace(/^cs\((.*)\)$/, '$1'))).join(', ')}]`;
  const window = 'OVER (ORDER BY line_no ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)';
  // Values: split on the separator; a line with quotes (IIS Advanced Logging, Incapsula) is
  // tokenized quote-aware, with "" inside quotes standing for one quote.
  const values =
    o.separator === 'tab'
      ? `string_split(line, chr(9))`
      : `CASE WHEN contains(line, '"') THEN list_transform(regexp_extract_all(line, '"(?:[^"]|"")*"|[^ "]+'),
                                                        lambda x: CASE WHEN starts_with(x, '"') THEN replace(x[2:-2], '""', '"') ELSE x END)
              ELSE list_filter(string_split(line, ' '), lambda x: x <> '') END`;
  // A line whose number of values does not fit the latest #Fields but fits the default layout is
  // read with the default layout (files concatenated from servers with different settings).
  const source = `
    SELECT line_no, line, dir_date, v, declared_fields,
           CASE WHEN declared_fields IS NULL OR (len(v) <> len(declared_fields) AND len(v) = len(${defaults})) THEN ${defaults}
                ELSE declared_fields END AS f
    FROM (
    SELECT line_no, line, declared_fields, dir_date, CASE WHEN NOT starts_with(line, '#') THEN ${values} END AS v
    FROM (
      SELECT line_no, line,
        last_value(CASE WHEN starts_with(line, '#Fields:') THEN ${declared} END IGNORE NULLS) ${window} AS declared_fields,
        last_value(CASE WHEN starts_with(line, '#Date:') THEN nullif(regexp_extract(line, '([0-9]{4}-[0-9]{2}-[0-9]{2})', 1), '') END IGNORE NULLS) ${window} AS dir_date
      FROM (${lines})))`;
  const col = (...names: string[]) => {
    const picks = names.map((n) => `v[list_position(f, ${sqlConstant(n)})]`);
    return `aa_null_dash(${picks.length === 1 ? picks[0] : `coalesce(${picks.map((p) => `aa_null_dash(${p})`).join(', ')})`})`;
  };
  const count = o.prefixOfDefaults
    ? `CASE WHEN declared_fields IS NULL THEN len(v) > len(f) OR len(v) < 9 ELSE len(v) <> len(f) END`
    : `len(v) <> len(f)`;
  return {
    source,
    skip: `line IS NULL OR trim(line) = '' OR starts_with(line, '#')`,
    reject: [{ when: count, reason: `number of values does not match the ${o.what} #Fields columns` }],
    fields: o.fields(col),
    notes: o.notes,
  };
}
