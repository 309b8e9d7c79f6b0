// files → DuckDB `events`. Each file is ingested in one transaction: a failure leaves the
// database as it was; a file whose content was ingested before is skipped, never double-counted.
import { listValue } from '@duckdb/node-api';
import { statSync } from 'node:fs';
import { UserError, errorMessage } from '../errors.js';
import { SILENT, type RunObserver } from '../observer.js';
import type { Database } from '../store/index.js';
import { Detectors, LOOK_AHEAD_FILES, contextFor, type FormatChoice } from './detect.js';
import { findFormat } from './formats/index.js';
import type { ParsePlan, RawField } from './formats/format.js';
import { earlierSizes, findGrowth, recordContent, recordGrowth, sameContentAs } from './growth.js';
import { fileFacts, isJsonDocument, sampleLines, type InputFile } from './input-files.js';
import { documentLines, documentObjectLimit, documentRecordSource, dropBadLines, isMalformedJson, fileLineSource, prepareBadLines, sampleLineSource, type LineMode } from './line-source.js';
import { EVENT_COLUMNS, normalizeSql } from './normalize.js';
import { installMacros } from './sql-macros.js';

export { expandInputs, displayPath, type InputFile } from './input-files.js';
export { FORMATS, findFormat } from './formats/index.js';
export { installMacros } from './sql-macros.js';
export { detectFormat, detectFormats, type FormatChoice } from './detect.js';

export interface RejectedLine {
  line: number;
  reason: string;
}

export interface Coverage {
  scheme: boolean;
  credential: boolean;
  principal: boolean;
  notes: string[];
}

export interface IngestResult {
  path: string;
  status: 'ingested' | 'duplicate' | 'error';
  sha256?: string;
  size?: number;
  logType?: string;
  lines: number;
  events: number;
  rejected: number;
  skipped: number;
  firstTs?: string | null;
  lastTs?: string | null;
  /** The first rejected lines (all are counted in `rejected` and stored in the database). */
  rejectedLines: RejectedLine[];
  coverage?: Coverage;
  duplicateOf?: string;
  /** The earlier ingest of this file's first lines, when only the lines it gained since were read. */
  continues?: string;
  /** The first line read (1 unless the file grew since an earlier ingest). */
  firstLine?: number;
  error?: string;
}

export interface IngestOptions {
  /** Per-file format choice (CLI flags and config already merged by the caller). */
  formatFor: (file: InputFile) => FormatChoice;
  maxRejectedShown?: number;
  /** Told each file's timing, and progress in bytes when it listens. */
  observer?: RunObserver;
}

/** Progress through the input, in bytes: files done, plus DuckDB's progress on the current one. */
type FileProgress = (percent: number) => void;

export async function ingestFiles(db: Database, files: InputFile[], options: IngestOptions): Promise<IngestResult[]> {
  await installMacros(db);
  const detectors = new Detectors(db);
  try {
    return await ingestEach(db, files, options, detectors);
  } finally {
    await detectors.close();
  }
}

async function ingestEach(db: Database, files: InputFile[], options: IngestOptions, detectors: Detectors): Promise<IngestResult[]> {
  const observer = options.observer ?? SILENT;
  // the total is known before the first file is read only for a progress display
  const sizes = observer.wantsProgress ? files.map((f) => sizeOf(f.absolutePath)) : files.map(() => 0);
  const total = sizes.reduce((a, b) => a + b, 0);
  let before = 0;
  const results: IngestResult[] = [];
  for (const [index, file] of files.entries()) {
    if (index % LOOK_AHEAD_FILES === 0) await lookAhead(files.slice(index, index + LOOK_AHEAD_FILES), options, detectors, observer);
    const size = sizes[index]!;
    const progress: FileProgress | undefined = observer.wantsProgress
      ? (percent) => observer.progress({ phase: 'ingest', label: file.displayPath, done: before + (size * percent) / 100, total, unit: 'bytes' })
      : undefined;
    progress?.(0);
    try {
      const started = performance.now();
      const result = await ingestFile(db, file, options.formatFor(file), options.maxRejectedShown ?? 20, detectors, progress);
      observer.stage(`ingest ${file.displayPath}`, performance.now() - started, ingestDetail(result));
      results.push(result);
    } catch (error) {
      if (error instanceof UserError && error.kind === 'usage') throw error; // a bad flag fails the whole run
      results.push({
        path: file.displayPath, status: 'error', lines: 0, events: 0, rejected: 0, skipped: 0, rejectedLines: [],
        error: error instanceof UserError ? error.message : `cannot ingest ${file.displayPath}: ${errorMessage(error).split('\n')[0]}`,
      });
    }
    before += size;
  }
  return results;
}

/** The types of the next files, detected together (see Detectors.lookAhead). */
async function lookAhead(files: InputFile[], options: IngestOptions, detectors: Detectors, observer: RunObserver): Promise<void> {
  const started = performance.now();
  const choices = files.flatMap((file) => {
    try {
      return [{ file, choice: options.formatFor(file) }];
    } catch {
      return []; // the file's own turn reports it
    }
  });
  const detected = await detectors.lookAhead(choices);
  if (detected > 0) observer.stage(`detect the types of ${detected} files`, performance.now() - started);
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0; // unreadable: ingestFile reports it
  }
}

function ingestDetail(result: IngestResult): string {
  if (result.status === 'duplicate') return `skipped, same content as ${result.duplicateOf}`;
  return `${result.logType}, ${((result.size ?? 0) / 1e6).toFixed(1)} MB, ${result.lines} lines, ${result.events} events, ${result.rejected} rejected`;
}

async function ingestFile(db: Database, file: InputFile, choice: FormatChoice, maxShown: number, detectors: Detectors, progress?: FileProgress): Promise<IngestResult> {
  const facts = await fileFacts(file.absolutePath, file.displayPath, await earlierSizes(db));
  const previous = await sameContentAs(db, facts);
  const base = { path: file.displayPath, sha256: facts.sha256, size: facts.size, rejectedLines: [] };
  if (previous !== undefined) {
    return { ...base, status: 'duplicate', duplicateOf: previous, lines: 0, events: 0, rejected: 0, skipped: 0 };
  }
  const growth = await findGrowth(db, facts);
  const firstLine = growth?.firstLine ?? 1;

  const firstLines = await sampleLines(file.absolutePath, facts.compression);
  // A file that looks like one JSON document but does not parse as one (truncated, broken) is read
  // line by line instead, so its bad lines are rejected one by one rather than the file lost.
  const opensLikeDocument = isJsonDocument(firstLines);
  const maxObject = documentObjectLimit(facts.size, facts.compression);
  const documentHead = opensLikeDocument ? await documentSample(db, file, facts.compression, maxObject) : undefined;
  let document = documentHead !== undefined;
  const head = documentHead ?? (opensLikeDocument ? await documentLinesSample(db, firstLines) : firstLines);
  const format = choice.logType ? findFormat(choice.logType) : await detectors.detect(file, choice, head);
  if (choice.logPattern && !format.acceptsPattern) {
    throw new UserError('usage', `--log-pattern does not apply to log type ${format.id}`);
  }
  const logType = format.id;
  const survey = format.surveySql && !opensLikeDocument ? await surveyFile(db, format.surveySql, file, facts.compression) : undefined;
  const context = { ...contextFor(format, choice), head, survey };
  const parallelSafe = typeof format.parallelSafe === 'function' ? format.parallelSafe({ ...context, lines: '' }) : format.parallelSafe === true;

  const load = async (mode: LineMode) => {
    // A grown file is read from its first new line: lines are numbered before the parse. A JSON
    // document is read by DuckDB's JSON reader, record by record (records are numbered).
    const fileLines = fileLineSource(mode, !parallelSafe || growth !== undefined);
    const lines = document ? documentRecordSource(maxObject) : opensLikeDocument ? documentLines(fileLines) : fileLines;
    const plan = format.plan({ ...context, lines });
    const params = { path: file.absolutePath, compression: facts.compression };
    if (mode === 'skip-bad-lines') await prepareBadLines(db, params);
    const parsed = normalizeSql(plan);
    // Parse into a temporary table first, outside the transaction (nothing persistent changes yet).
    // Only normalized, already redacted values are staged. With preserve_insertion_order the rows
    // keep the file's order, so rowid + 1 is the line number of plans parsed in parallel.
    const stage = () =>
      db.run(
        `CREATE OR REPLACE TEMP TABLE ingest_stage AS ${growth ? `SELECT * FROM (${parsed}) WHERE line_no >= $first` : parsed}`,
        growth ? { ...params, first: firstLine } : params,
      );
    await (progress ? db.withQueryProgress(progress, stage) : stage());
    if (mode === 'skip-bad-lines') {
      await db.run(`INSERT INTO ingest_stage (line_no, reject_reason) SELECT line_no, reason FROM ingest_bad_lines WHERE line_no >= $first`, {
        first: firstLine,
      });
      // DuckDB's reject counter counts the empty line between a lone CR and a CRLF (`\r\r\n`), which
      // its reader folds into the next line, so that number has no row (found by the fuzz test:
      // `\r\r\n\x80` gave lines 1 and 3 only). That line is empty: it is counted as a skipped line.
      await db.run(
        `INSERT INTO ingest_stage (line_no, reject_reason)
         SELECT n, 'skip' FROM range($first, (SELECT max(line_no) FROM ingest_stage) + 1) r(n)
         WHERE n NOT IN (SELECT line_no FROM ingest_stage WHERE line_no IS NOT NULL)`,
        { first: firstLine },
      );
    }
    const staged = `(SELECT * REPLACE (coalesce(line_no, rowid + 1) AS line_no) FROM ingest_stage)`;
    try {
      return await db.transaction(async () => {
        const fileId = Number((await db.one<{ id: number }>(`SELECT nextval('file_id_seq')::INTEGER AS id`))!.id);
        if (growth) await recordGrowth(db, fileId, growth);
        await recordContent(db, fileId, facts);
        await db.run(
          `INSERT INTO events (file_id, ${EVENT_COLUMNS.join(', ')})
           SELECT $fid, ${EVENT_COLUMNS.join(', ')} FROM ${staged} WHERE reject_reason IS NULL`,
          { fid: fileId },
        );
        await db.run(
          `INSERT INTO rejects SELECT $fid, line_no, reject_reason FROM ${staged}
           WHERE reject_reason IS NOT NULL AND reject_reason <> 'skip'`,
          { fid: fileId },
        );
        const counts = (await db.one<{ lines: number; events: number; rejected: number; skipped: number; first_ts: string | null; last_ts: string | null }>(
          `SELECT coalesce(max(line_no) - $first + 1, 0)::BIGINT::DOUBLE AS lines,
                  count(*) FILTER (WHERE reject_reason IS NULL)::DOUBLE AS events,
                  count(*) FILTER (WHERE reject_reason IS NOT NULL AND reject_reason <> 'skip')::DOUBLE AS rejected,
                  count(*) FILTER (WHERE reject_reason = 'skip')::DOUBLE AS skipped,
                  strftime(min(ts) FILTER (WHERE reject_reason IS NULL), '%Y-%m-%dT%H:%M:%S.%gZ') AS first_ts,
                  strftime(max(ts) FILTER (WHERE reject_reason IS NULL), '%Y-%m-%dT%H:%M:%S.%gZ') AS last_ts
           FROM ${staged}`,
          { first: firstLine },
        ))!;
        await db.run(
          `INSERT INTO files VALUES ($fid, $path, $sha, $size, $compression, $type, $pattern, $lines, $events, $rejected, $skipped,
                                     $first::TIMESTAMP, $last::TIMESTAMP, now()::TIMESTAMP)`,
          {
            fid: fileId, path: file.displayPath, sha: facts.sha256, size: facts.size, compression: facts.compression,
            type: logType, pattern: choice.logPattern ?? null, lines: counts.lines, events: counts.events,
            rejected: counts.rejected, skipped: counts.skipped, first: counts.first_ts, last: counts.last_ts,
          },
        );
        const rejectedLines = await db.all<RejectedLine>(
          `SELECT line_no::INTEGER AS line, reject_reason AS reason FROM ${staged}
           WHERE reject_reason IS NOT NULL AND reject_reason <> 'skip' ORDER BY line_no LIMIT $n`,
          { n: maxShown },
        );
        return { counts, rejectedLines, coverage: coverageOf(plan, document) };
      });
    } finally {
      await db.run(`DROP TABLE IF EXISTS ingest_stage`);
      await dropBadLines(db);
    }
  };

  // UTF-8 first; a file that is not UTF-8 is read as latin-1 (every byte kept, shown as \xHH);
  // bytes even latin-1 cannot take, or over-long lines, are rejected one by one as a last resort.
  let loaded;
  let mode: LineMode = 'utf-8';
  for (;;) {
    try {
      loaded = await load(mode);
      break;
    } catch (error) {
      const text = String(error);
      if (document && isMalformedJson(error)) {
        document = false; // broken past the sampled records: read it as lines
        continue;
      }
      const next: LineMode | undefined = mode === 'utf-8' && /invalid unicode/i.test(text) ? 'latin-1'
        : mode !== 'skip-bad-lines' && /not latin-1 encoded|invalid unicode|maximum line size/i.test(text) ? 'skip-bad-lines'
        : undefined;
      if (!next) throw readError(file, error);
      mode = next;
    }
  }
  const { counts, rejectedLines, coverage } = loaded;
  return {
    ...base, status: 'ingested', logType, lines: counts.lines, events: counts.events, rejected: counts.rejected,
    skipped: counts.skipped, firstTs: counts.first_ts, lastTs: counts.last_ts, rejectedLines, coverage,
    ...(growth ? { continues: growth.continuesPath, firstLine } : {}),
  };
}

/**
 * The format's survey of the whole file (one parallel read). A file the survey cannot read (not
 * UTF-8, corrupt) gets none: the parse then takes its general path, and reports what is wrong.
 */
async function surveyFile(db: Database, surveySql: (lines: string) => string, file: InputFile, compression: 'none' | 'gzip'): Promise<Record<string, unknown> | undefined> {
  try {
    return await db.one<Record<string, unknown>>(surveySql(fileLineSource('utf-8', false)), { path: file.absolutePath, compression });
  } catch {
    return undefined;
  }
}

function readError(file: InputFile, error: unknown): UserError {
  if (error instanceof UserError) return error;
  const text = String(error);
  if (/gzip|zlib|inflate|compressed|crc/i.test(text)) {
    return new UserError('input', `cannot read ${file.displayPath}: corrupt or truncated gzip data`, { cause: error });
  }
  return new UserError('input', `cannot ingest ${file.displayPath}: ${errorMessage(error).split('\n')[0]}`, { cause: error });
}

/** What the plan's raw fields let the audit see, and the notes that say what it cannot. */
export function coverageOf(plan: ParsePlan, document = false): Coverage {
  const has = (...fields: RawField[]) => fields.some((f) => f in plan.fields);
  const coverage: Coverage = {
    scheme: has('scheme'),
    credential: has('auth_header', 'api_key', 'cookie', 'credential_id', 'claim_sub', 'claim_jti'),
    principal: has('principal', 'claim_sub'),
    notes: [...(plan.notes ?? [])],
  };
  if (document) coverage.notes.push('one JSON document: line numbers are record numbers');
  if (!coverage.scheme) coverage.notes.push('no scheme: plain-http cannot be judged');
  if (!coverage.credential) {
    coverage.notes.push(
      coverage.principal
        ? 'no credential: findings keyed by principal, else client IP (tokens in URLs are still seen)'
        : 'no credential: findings keyed by client IP (tokens in URLs are still seen)',
    );
  }
  return coverage;
}

/**
 * The first records of a JSON document, as lines (what detection and the generic formats look at);
 * undefined when its text is not a JSON document. Any other failure (memory, a corrupt gzip) is
 * an error for the file, never a silent fallback.
 */
async function documentSample(db: Database, file: InputFile, compression: 'none' | 'gzip', maxObject: number): Promise<string[] | undefined> {
  try {
    const row = await db.one<{ lines: string[] | null }>(
      `SELECT list(line) AS lines FROM (SELECT line FROM (${documentRecordSource(maxObject)}) LIMIT 50)`,
      { path: file.absolutePath, compression },
    );
    return row?.lines ?? [];
  } catch (error) {
    if (isMalformedJson(error)) return undefined;
    const hint = /out of memory/i.test(String(error)) ? ' (raise --memory-limit)' : '';
    throw new UserError('input', `cannot read ${file.displayPath} as a JSON document${hint}: ${errorMessage(error).split('\n')[0]}`, { cause: error });
  }
}

/** The first lines of a JSON document read line by line, as documentLines() gives them to the parse. */
async function documentLinesSample(db: Database, firstLines: string[]): Promise<string[]> {
  if (firstLines.length === 0) return firstLines;
  const row = await db.one<{ lines: string[] }>(`SELECT list(line ORDER BY line_no) AS lines FROM (${documentLines(sampleLineSource())})`, { sample: listValue(firstLines) });
  return row?.lines ?? firstLines;
}
