// One file, or several small ones together, from the disk into `events`. A file is first prepared
// (hashed, checked against what was ingested before, its type and parse plan decided: nothing is
// written), then loaded: parsed into a staging table outside any transaction, and committed in one
// transaction, so a failure leaves the database as it was.
import { DOUBLE, INTEGER, LIST, VARCHAR, listValue, type DuckDBValue } from '@duckdb/node-api';
import { UserError, errorMessage } from '../errors.js';
import type { Database } from '../store/index.js';
import { contextFor, type Detectors, type FormatChoice } from './detect.js';
import { findFormat } from './formats/index.js';
import type { LogFormat, ParseContext, ParsePlan, RawField } from './formats/format.js';
import { findGrowth, recordContent, recordGrowth, sameContentAs, type EarlierIngests, type Growth } from './growth.js';
import { fileFacts, isJsonDocument, sampleLines, type FileFacts, type InputFile } from './input-files.js';
import {
  batchLineSource, documentLines, duckdbPath, documentObjectLimit, documentRecordSource, dropBadLines, isMalformedJson, fileLineSource, prepareBadLines,
  sampleLineSource, type LineMode,
} from './line-source.js';
import { EVENT_COLUMNS, normalizeSql } from './normalize.js';
import type { FileSurveys } from './survey.js';

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

/** A file ready to be read: what it is, what was ingested of it before, and how to parse it. */
export interface PreparedFile {
  file: InputFile;
  choice: FormatChoice;
  facts: FileFacts;
  growth?: Growth;
  format: LogFormat;
  context: Omit<ParseContext, 'lines'>;
  parallelSafe: boolean;
  /** A JSON document read by DuckDB's JSON reader; opensLikeDocument: it looked like one. */
  document: boolean;
  opensLikeDocument: boolean;
  maxObject: number;
}

/** What the preparations of one run share: detections made ahead, earlier ingests, surveys made ahead. */
export interface IngestRun {
  detectors: Detectors;
  earlier: EarlierIngests;
  surveys: FileSurveys;
}

/** A file's preparation: ready, or already done (a duplicate of an earlier ingest). */
export async function prepareFile(
  db: Database, file: InputFile, choice: FormatChoice, { detectors, earlier, surveys }: IngestRun, alsoSizes: number[] = [],
): Promise<PreparedFile | IngestResult> {
  const facts = await fileFacts(file.absolutePath, file.displayPath, [...earlier.contentSizes(), ...alsoSizes]);
  const previous = earlier.mayRepeat(facts) ? await sameContentAs(db, facts) : undefined;
  if (previous !== undefined) {
    return { ...baseResult(file, facts), status: 'duplicate', duplicateOf: previous, lines: 0, events: 0, rejected: 0, skipped: 0 };
  }
  const growth = earlier.mayContinue(facts) ? await findGrowth(db, facts) : undefined;
  const firstLines = await sampleLines(file.absolutePath, facts.compression);
  // A file that looks like one JSON document but does not parse as one (truncated, broken) is read
  // line by line instead, so its bad lines are rejected one by one rather than the file lost.
  const opensLikeDocument = isJsonDocument(firstLines);
  const maxObject = documentObjectLimit(facts.size, facts.compression);
  const documentHead = opensLikeDocument ? await documentSample(db, file, facts.compression, maxObject) : undefined;
  const head = documentHead ?? (opensLikeDocument ? await documentLinesSample(db, firstLines) : firstLines);
  const format = choice.logType ? findFormat(choice.logType) : await detectors.detect(file, choice, head);
  if (choice.logPattern && !format.acceptsPattern) {
    throw new UserError('usage', `--log-pattern does not apply to log type ${format.id}`);
  }
  const survey = opensLikeDocument ? undefined : await surveys.of(db, format, file, facts.compression);
  const context = { ...contextFor(format, choice), head, survey };
  const parallelSafe = typeof format.parallelSafe === 'function' ? format.parallelSafe({ ...context, lines: '' }) : format.parallelSafe === true;
  return { file, choice, facts, growth, format, context, parallelSafe, document: documentHead !== undefined, opensLikeDocument, maxObject };
}

export function isPrepared(outcome: PreparedFile | IngestResult): outcome is PreparedFile {
  return 'facts' in outcome;
}

/**
 * The parse of a file that can be read together with others (see loadTogether), as SQL: the same
 * text for two files means one query can parse both. Undefined for a file that must be read alone:
 * a plan that numbers lines itself or reads across them, a JSON document, a file that grew.
 */
export function sharedParseSql(prepared: PreparedFile): string | undefined {
  if (!prepared.parallelSafe || prepared.growth || prepared.opensLikeDocument) return undefined;
  try {
    return normalizeSql(prepared.format.plan({ ...prepared.context, lines: batchLineSource() }));
  } catch (error) {
    if (error instanceof UserError && error.kind === 'usage') throw error; // a bad flag fails the whole run
    return undefined; // no plan for this file (a CSV without the columns needed): loadFile reports why
  }
}

/** Reads one prepared file: UTF-8 first, then latin-1, then line by line, skipping unreadable lines. */
export async function loadFile(db: Database, prepared: PreparedFile, maxShown: number, progress?: (percent: number) => void): Promise<IngestResult> {
  const { file, facts, growth } = prepared;
  const firstLine = growth?.firstLine ?? 1;
  let document = prepared.document;
  const load = async (mode: LineMode) => {
    // A grown file is read from its first new line: lines are numbered before the parse. A JSON
    // document is read by DuckDB's JSON reader, record by record (records are numbered).
    const fileLines = fileLineSource(mode, !prepared.parallelSafe || growth !== undefined);
    const lines = document ? documentRecordSource(prepared.maxObject) : prepared.opensLikeDocument ? documentLines(fileLines) : fileLines;
    const plan = prepared.format.plan({ ...prepared.context, lines });
    const params = { path: duckdbPath(file.absolutePath), compression: facts.compression };
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
    try {
      const [committed] = await commitStaged(db, `(SELECT 1 AS aa_file, * REPLACE (coalesce(line_no, rowid + 1) AS line_no) FROM ingest_stage)`, [
        { prepared, plan, firstLine, document },
      ], maxShown);
      return committed!;
    } finally {
      await db.run(`DROP TABLE IF EXISTS ingest_stage`);
      await dropBadLines(db);
    }
  };

  for (let mode: LineMode = 'utf-8'; ;) {
    try {
      return await load(mode);
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
}

/**
 * Reads several files with the same sharedParseSql in one query, and commits them in one
 * transaction. A small file's parse is mostly DuckDB binding and optimizing the query (about 40 ms
 * for nginx), not reading lines. Throws when anything fails, with the database as it was: the
 * caller then loads each file on its own (loadFile), which finds and reports what is wrong.
 */
export async function loadTogether(db: Database, files: PreparedFile[], sql: string, maxShown: number): Promise<IngestResult[]> {
  const params = {
    paths: listValue(files.map((p) => duckdbPath(p.file.absolutePath))), names: listValue(files.map((p) => p.file.absolutePath)),
    compression: files[0]!.facts.compression,
  };
  try {
    // line_no is the file's position in $names here (the plan does not use it); its rows are
    // consecutive in insertion order, which is checked, so a line's number is its place among them
    await db.run(`CREATE OR REPLACE TEMP TABLE ingest_stage AS ${sql}`, params);
    const spans = await db.all<{ file: number; first: number; rows: number; last: number }>(
      `SELECT line_no::INTEGER AS file, min(rowid)::DOUBLE AS first, count(*)::DOUBLE AS rows, max(rowid)::DOUBLE AS last
       FROM ingest_stage GROUP BY line_no`,
    );
    if (spans.some((s) => s.last - s.first + 1 !== s.rows)) throw new Error('the files lines are not consecutive in the staging table');
    const first = files.map((_, i) => spans.find((s) => s.file === i + 1)?.first ?? 0);
    const staged = `(SELECT line_no AS aa_file, * REPLACE (rowid - list_extract(${sqlNumbers(first)}, line_no::INTEGER) + 1 AS line_no) FROM ingest_stage)`;
    const plans = files.map((prepared) => ({ prepared, plan: prepared.format.plan({ ...prepared.context, lines: batchLineSource() }), firstLine: 1, document: false }));
    return await commitStaged(db, staged, plans, maxShown);
  } finally {
    await db.run(`DROP TABLE IF EXISTS ingest_stage`);
  }
}

/** A list of whole numbers as SQL text (numbers computed here, never text from a log). */
function sqlNumbers(values: number[]): string {
  return `[${values.map((v) => String(Math.trunc(v))).join(', ')}]::BIGINT[]`;
}

interface StagedFile {
  prepared: PreparedFile;
  plan: ParsePlan;
  firstLine: number;
  document: boolean;
}

/**
 * One transaction: the staged lines of each file (the relation `staged`, its column aa_file the
 * file's 1-based position in `files`, line_no its line number) become its events, rejected lines
 * and files row.
 */
async function commitStaged(db: Database, staged: string, files: StagedFile[], maxShown: number): Promise<IngestResult[]> {
  return db.transaction(async () => {
    const ids = (await db.all<{ id: number }>(`SELECT nextval('file_id_seq')::INTEGER AS id FROM range($n)`, { n: files.length })).map((r) => r.id);
    for (const [i, { prepared }] of files.entries()) {
      if (prepared.growth) await recordGrowth(db, ids[i]!, prepared.growth);
      await recordContent(db, ids[i]!, prepared.facts);
    }
    const fileId = `list_extract(${sqlNumbers(ids)}, aa_file::INTEGER)`;
    await db.run(
      `INSERT INTO events (file_id, ${EVENT_COLUMNS.join(', ')})
       SELECT ${fileId}, ${EVENT_COLUMNS.join(', ')} FROM ${staged} WHERE reject_reason IS NULL`,
    );
    await db.run(
      `INSERT INTO rejects SELECT ${fileId}, line_no, reject_reason FROM ${staged}
       WHERE reject_reason IS NOT NULL AND reject_reason <> 'skip'`,
    );
    const firstLines = sqlNumbers(files.map((f) => f.firstLine));
    const counts = await db.all<{ file: number; lines: number; events: number; rejected: number; skipped: number; first_ts: string | null; last_ts: string | null }>(
      `SELECT aa_file::INTEGER AS file,
              coalesce(max(line_no) - list_extract(${firstLines}, aa_file::INTEGER) + 1, 0)::BIGINT::DOUBLE AS lines,
              count(*) FILTER (WHERE reject_reason IS NULL)::DOUBLE AS events,
              count(*) FILTER (WHERE reject_reason IS NOT NULL AND reject_reason <> 'skip')::DOUBLE AS rejected,
              count(*) FILTER (WHERE reject_reason = 'skip')::DOUBLE AS skipped,
              strftime(min(ts) FILTER (WHERE reject_reason IS NULL), '%Y-%m-%dT%H:%M:%S.%gZ') AS first_ts,
              strftime(max(ts) FILTER (WHERE reject_reason IS NULL), '%Y-%m-%dT%H:%M:%S.%gZ') AS last_ts
       FROM ${staged} GROUP BY aa_file`,
    );
    const rejectedLines = await db.all<RejectedLine & { file: number }>(
      `SELECT aa_file::INTEGER AS file, line_no::INTEGER AS line, reject_reason AS reason FROM ${staged}
       WHERE reject_reason IS NOT NULL AND reject_reason <> 'skip'
       QUALIFY row_number() OVER (PARTITION BY aa_file ORDER BY line_no) <= $n ORDER BY aa_file, line_no`,
      { n: maxShown },
    );
    const count = (i: number) => counts.find((row) => row.file === i + 1) ?? { lines: 0, events: 0, rejected: 0, skipped: 0, first_ts: null, last_ts: null };
    const column = <T>(value: (file: StagedFile, i: number) => T) => listValue(files.map((file, i) => value(file, i) as DuckDBValue));
    // one statement for all the files' rows (values bound as lists, zipped by unnest)
    await db.run(
      `INSERT INTO files SELECT unnest($fid), unnest($path), unnest($sha), unnest($size), unnest($compression), unnest($type), unnest($pattern),
              unnest($lines), unnest($events), unnest($rejected), unnest($skipped), unnest($first)::TIMESTAMP, unnest($last)::TIMESTAMP, now()::TIMESTAMP`,
      {
        fid: listValue(ids), path: column((f) => f.prepared.file.displayPath), sha: column((f) => f.prepared.facts.sha256),
        size: column((f) => f.prepared.facts.size), compression: column((f) => f.prepared.facts.compression), type: column((f) => f.prepared.format.id),
        pattern: column((f) => f.prepared.choice.logPattern ?? null), lines: column((_, i) => count(i).lines), events: column((_, i) => count(i).events),
        rejected: column((_, i) => count(i).rejected), skipped: column((_, i) => count(i).skipped), first: column((_, i) => count(i).first_ts),
        last: column((_, i) => count(i).last_ts),
      },
      {
        fid: LIST(INTEGER), path: LIST(VARCHAR), sha: LIST(VARCHAR), size: LIST(DOUBLE), compression: LIST(VARCHAR), type: LIST(VARCHAR), pattern: LIST(VARCHAR),
        lines: LIST(DOUBLE), events: LIST(DOUBLE), rejected: LIST(DOUBLE), skipped: LIST(DOUBLE), first: LIST(VARCHAR), last: LIST(VARCHAR),
      },
    );
    const results = files.map(({ prepared, plan, firstLine, document }, i): IngestResult => {
      const { file, facts, growth } = prepared;
      const c = count(i);
      return {
        ...baseResult(file, facts), status: 'ingested', logType: prepared.format.id, lines: c.lines, events: c.events,
        rejected: c.rejected, skipped: c.skipped, firstTs: c.first_ts, lastTs: c.last_ts,
        rejectedLines: rejectedLines.filter((r) => r.file === i + 1).map(({ line, reason }) => ({ line, reason })),
        coverage: coverageOf(plan, document),
        ...(growth ? { continues: growth.continuesPath, firstLine } : {}),
      };
    });
    return results;
  });
}

function baseResult(file: InputFile, facts: FileFacts) {
  return { path: file.displayPath, sha256: facts.sha256, size: facts.size, rejectedLines: [] };
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
      { path: duckdbPath(file.absolutePath), compression },
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
