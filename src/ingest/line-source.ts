// How a text file becomes numbered lines inside DuckDB. Every line of the file is accounted for:
// it becomes a row here, or (in the last-resort mode) a rejected line with its number and reason.
import type { Database } from '../store/index.js';

/** Longer lines are rejected as unreadable; 32 MiB leaves room for odd multi-megabyte lines. */
export const MAX_LINE_BYTES = 32 * 1024 * 1024;

/**
 * - utf-8: the normal case; any invalid byte fails the read (then the next mode is tried).
 * - latin-1: a file that is not UTF-8: every byte is read, non-ASCII shown as \xHH.
 * - skip-bad-lines: last resort (bytes latin-1 cannot take, lines over MAX_LINE_BYTES): such lines
 *   are left out of the relation and recorded in ingest_bad_lines by prepareBadLines().
 */
export type LineMode = 'utf-8' | 'latin-1' | 'skip-bad-lines';

/**
 * A file's path as DuckDB's readers take it ($path): they treat `*`, `?` and `[` as a glob, so a
 * file named `*.log` would read every .log file beside it. Bracketed, each matches only itself.
 */
export function duckdbPath(absolutePath: string): string {
  return absolutePath.replace(/[*?[]/g, (c) => `[${c}]`);
}

function readLines(mode: LineMode, extra = '', paths = '$path'): string {
  // CR, LF and CRLF all end a line (as editors count them: DuckDB's own line-end handling; forcing
  // new_line = '\\r\\n' ate the first byte after a lone CR); quoting is disabled so no line can
  // swallow the next; the column delimiter is the two-byte sequence US NUL, which text logs never
  // contain (a lone NUL byte stays in its line).
  return `read_csv(${paths}, columns = {'line': 'VARCHAR'}, header = false, auto_detect = false,
                  delim = chr(31) || chr(0), quote = '', escape = '', strict_mode = false,
                  max_line_size = ${MAX_LINE_BYTES}, buffer_size = ${2 * MAX_LINE_BYTES},
                  compression = $compression, encoding = '${mode === 'latin-1' ? 'latin-1' : 'utf-8'}'
                  ${mode === 'skip-bad-lines' ? ', ignore_errors = true' : ''}${extra})`;
}

/**
 * The relation (line_no, line) a parse plan is built on. `numbered = false` leaves line_no NULL:
 * row_number() OVER () makes the whole pipeline single-threaded, so plans that do not need line
 * numbers are parsed in parallel and numbered afterwards from insertion order (ingest/index.ts).
 */
export function fileLineSource(mode: LineMode, numbered: boolean): string {
  if (mode === 'skip-bad-lines') {
    // Accepted line r (0-based, in order) is physical line r + 1 + (bad lines before it): the
    // ASOF join finds that count from the bad lines' positions among the accepted ones.
    return `SELECT a.r + 1 + coalesce(s.bad_before, 0) AS line_no, aa_unwrap_container(a.line) AS line
      FROM (SELECT row_number() OVER () - 1 AS r, line FROM ${readLines(mode)}) a
      ASOF LEFT JOIN ingest_bad_line_segments s ON a.r >= s.first_index`;
  }
  // a container runtime's wrapper is taken off every line (see aa_unwrap_container)
  const line = mode === 'latin-1' ? 'aa_unwrap_container(aa_latin1_escape(line))' : 'aa_unwrap_container(line)';
  return `SELECT ${numbered ? 'row_number() OVER ()' : 'NULL::BIGINT'} AS line_no, ${line} AS line FROM ${readLines(mode)}`;
}

/**
 * Files read by one batchLineSource (parsed or surveyed together): at most this many bytes each,
 * and in all. A batch is read whole, and one unreadable file fails it (then each is read alone).
 */
export const BATCH_MAX_FILE_BYTES = 16 << 20;
export const BATCH_MAX_BYTES = 64 << 20;

/**
 * The lines of the files $paths (their duckdbPath; UTF-8, one compression), read by one reader:
 * line_no is not the line's number but the 1-based position of its file in $names (their paths),
 * for plans that never use line_no (see ingest/load.ts, loadTogether).
 */
export function batchLineSource(): string {
  return `SELECT list_position($names, filename)::BIGINT AS line_no, aa_unwrap_container(line) AS line
          FROM ${readLines('utf-8', ', filename = true', '$paths')}`;
}

/**
 * The largest JSON document DuckDB is told to expect. Its reader allocates a buffer of twice this
 * size within the memory limit, so a fixed 1 GiB failed with "Out of Memory" under a 1GB limit:
 * the file's own size (gzip taken as up to 20× smaller), between 16 MiB and 1 GiB.
 */
export function documentObjectLimit(size: number, compression: 'none' | 'gzip'): number {
  const expected = compression === 'gzip' ? size * 20 : size;
  return Math.min(2 ** 30, Math.max(2 ** 24, 2 ** Math.ceil(Math.log2(expected + 1))));
}

/** DuckDB's complaint about the JSON itself (not memory, not the file): the text is not a document. */
export function isMalformedJson(error: unknown): boolean {
  return /malformed json|invalid json|unexpected (end|character|content)/i.test(String(error));
}

/**
 * A file that is one JSON document (a top-level array, `{"records": [...]}` as Azure and Event Hub
 * write, or pretty-printed objects): one "line" per record, as compact JSON, numbered by record.
 * DuckDB parses the document; the JSON formats then read each record like a JSON line.
 */
export function documentRecordSource(maxObjectBytes: number): string {
  return `SELECT row_number() OVER () AS line_no, r::VARCHAR AS line FROM (
      SELECT unnest(CASE WHEN json_type(json) = 'ARRAY' THEN json_extract(json, '$[*]')
                         WHEN json_type(json, '$.records') = 'ARRAY' THEN json_extract(json, '$.records[*]')
                         ELSE [json] END) AS r
      FROM read_json($path, format = 'unstructured', records = false, columns = {'json': 'JSON'},
                     maximum_object_size = ${Math.trunc(maxObjectBytes)}, compression = replace($compression, 'none', 'uncompressed')))`;
}

/**
 * A file that opens like a JSON document but does not parse as one (truncated, broken in the
 * middle) is read line by line. An array written one record per line (`[`, `{…},`, `{…}]`) then
 * loses its array punctuation, so each whole record reads like a JSON line: without this every
 * record line was rejected for its trailing comma (the whole file lost to one cut record). `[` and
 * `]` lines become blank (skipped); a broken record stays as it is and is rejected by its number.
 */
export function documentLines(lines: string): string {
  return `SELECT line_no, CASE WHEN regexp_full_match(line, '\\s*[\\[\\]]?\\s*,?\\s*') THEN ''
                             ELSE regexp_replace(line, '^\\s*\\[?\\s*(\\{.*\\})\\s*\\]?\\s*,?\\s*$', '\\1') END AS line
          FROM (${lines})`;
}

/** The same relation over lines already in memory (the sample used for auto-detection). */
export function sampleLineSource(): string {
  return `SELECT line_no, aa_unwrap_container(line) AS line
          FROM (SELECT generate_subscripts($sample, 1) AS line_no, unnest($sample) AS line)`;
}

/**
 * For skip-bad-lines: one pass that records which lines cannot be read, and why, in
 * ingest_bad_lines (line_no, reason). DuckDB's reject table holds the raw line, so it is copied
 * without that column and dropped at once.
 */
export async function prepareBadLines(db: Database, params: { path: string; compression: string }): Promise<void> {
  await db.run(
    `SELECT count(*) FROM ${readLines('skip-bad-lines', `, store_rejects = true, rejects_table = 'ingest_reject_errors', rejects_scan = 'ingest_reject_scans'`)}`,
    params,
  );
  try {
    await db.run(`
      CREATE OR REPLACE TEMP TABLE ingest_bad_lines AS
      SELECT DISTINCT line::BIGINT AS line_no,
        CASE error_type WHEN 'INVALID ENCODING' THEN 'not valid UTF-8 (bytes no encoding apiaudit knows can read)'
                        WHEN 'LINE SIZE OVER MAXIMUM' THEN 'line longer than ${MAX_LINE_BYTES / 1024 / 1024} MiB'
                        ELSE 'unreadable line' END AS reason
      FROM ingest_reject_errors`);
  } finally {
    await db.run(`DROP TABLE IF EXISTS ingest_reject_errors; DROP TABLE IF EXISTS ingest_reject_scans`);
  }
  await db.run(`
    CREATE OR REPLACE TEMP TABLE ingest_bad_line_segments AS
    SELECT first_index, max(bad_before) AS bad_before
    FROM (SELECT line_no - row_number() OVER (ORDER BY line_no) AS first_index,
                 row_number() OVER (ORDER BY line_no) AS bad_before
          FROM ingest_bad_lines)
    GROUP BY first_index`);
}

export async function dropBadLines(db: Database): Promise<void> {
  await db.run(`DROP TABLE IF EXISTS ingest_bad_lines; DROP TABLE IF EXISTS ingest_bad_line_segments`);
}
