// files → DuckDB `events`. Each file is ingested in one transaction: a failure leaves the
// database as it was; a file whose content was ingested before is skipped, never double-counted.
import { listValue } from '@duckdb/node-api';
import { UserError, errorMessage } from '../errors.js';
import type { Database } from '../store/index.js';
import { FORMATS, findFormat } from './formats/index.js';
import type { LogFormat, ParsePlan } from './formats/format.js';
import { fileFacts, sampleLines, type InputFile } from './input-files.js';
import { dropBadLines, fileLineSource, prepareBadLines, sampleLineSource, type LineMode } from './line-source.js';
import { EVENT_COLUMNS, normalizeSql } from './normalize.js';
import { installMacros } from './sql-macros.js';

export { expandInputs, displayPath, type InputFile } from './input-files.js';
export { FORMATS, findFormat } from './formats/index.js';
export { installMacros } from './sql-macros.js';

export interface FormatChoice {
  logType?: string;
  logPattern?: string;
  timezone?: string;
}

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
  error?: string;
}

export interface IngestOptions {
  /** Per-file format choice (CLI flags and config already merged by the caller). */
  formatFor: (file: InputFile) => FormatChoice;
  maxRejectedShown?: number;
}

export async function ingestFiles(db: Database, files: InputFile[], options: IngestOptions): Promise<IngestResult[]> {
  await installMacros(db);
  const results: IngestResult[] = [];
  for (const file of files) {
    try {
      results.push(await ingestFile(db, file, options.formatFor(file), options.maxRejectedShown ?? 20));
    } catch (error) {
      if (error instanceof UserError && error.kind === 'usage') throw error; // a bad flag fails the whole run
      results.push({
        path: file.displayPath, status: 'error', lines: 0, events: 0, rejected: 0, skipped: 0, rejectedLines: [],
        error: error instanceof UserError ? error.message : `cannot ingest ${file.displayPath}: ${errorMessage(error).split('\n')[0]}`,
      });
    }
  }
  return results;
}

async function ingestFile(db: Database, file: InputFile, choice: FormatChoice, maxShown: number): Promise<IngestResult> {
  const facts = await fileFacts(file.absolutePath, file.displayPath);
  const previous = await db.one<{ path: string }>(`SELECT path FROM files WHERE sha256 = $sha LIMIT 1`, { sha: facts.sha256 });
  const base = { path: file.displayPath, sha256: facts.sha256, size: facts.size, rejectedLines: [] };
  if (previous) {
    return { ...base, status: 'duplicate', duplicateOf: previous.path, lines: 0, events: 0, rejected: 0, skipped: 0 };
  }

  const format = choice.logType ? findFormat(choice.logType) : await detectFormat(db, file, facts.compression, choice);
  if (choice.logPattern && !format.acceptsPattern) {
    throw new UserError('usage', `--log-pattern does not apply to log type ${format.id}`);
  }
  const logType = format.id;
  const context = { logPattern: choice.logPattern, timezone: choice.timezone };

  const load = async (mode: LineMode) => {
    const plan = format.plan({ ...context, lines: fileLineSource(mode, !format.parallelSafe) });
    const params = { path: file.absolutePath, compression: facts.compression };
    if (mode === 'skip-bad-lines') await prepareBadLines(db, params);
    // Parse into a temporary table first, outside the transaction (nothing persistent changes yet).
    // Only normalized, already redacted values are staged. With preserve_insertion_order the rows
    // keep the file's order, so rowid + 1 is the line number of plans parsed in parallel.
    await db.run(`CREATE OR REPLACE TEMP TABLE ingest_stage AS ${normalizeSql(plan)}`, params);
    if (mode === 'skip-bad-lines') {
      await db.run(`INSERT INTO ingest_stage (line_no, reject_reason) SELECT line_no, reason FROM ingest_bad_lines`);
    }
    const staged = `(SELECT * REPLACE (coalesce(line_no, rowid + 1) AS line_no) FROM ingest_stage)`;
    try {
      return await db.transaction(async () => {
        const fileId = Number((await db.one<{ id: number }>(`SELECT nextval('file_id_seq')::INTEGER AS id`))!.id);
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
          `SELECT coalesce(max(line_no), 0)::BIGINT::DOUBLE AS lines,
                  count(*) FILTER (WHERE reject_reason IS NULL)::DOUBLE AS events,
                  count(*) FILTER (WHERE reject_reason IS NOT NULL AND reject_reason <> 'skip')::DOUBLE AS rejected,
                  count(*) FILTER (WHERE reject_reason = 'skip')::DOUBLE AS skipped,
                  strftime(min(ts) FILTER (WHERE reject_reason IS NULL), '%Y-%m-%dT%H:%M:%S.%gZ') AS first_ts,
                  strftime(max(ts) FILTER (WHERE reject_reason IS NULL), '%Y-%m-%dT%H:%M:%S.%gZ') AS last_ts
           FROM ${staged}`,
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
        return { counts, rejectedLines, coverage: coverageOf(plan) };
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
      const next: LineMode | undefined =
        mode === 'utf-8' && /invalid unicode/i.test(text) ? 'latin-1'
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
  };
}

function readError(file: InputFile, error: unknown): UserError {
  if (error instanceof UserError) return error;
  const text = String(error);
  if (/gzip|zlib|inflate|compressed|crc/i.test(text)) {
    return new UserError('input', `cannot read ${file.displayPath}: corrupt or truncated gzip data`, { cause: error });
  }
  return new UserError('input', `cannot ingest ${file.displayPath}: ${errorMessage(error).split('\n')[0]}`, { cause: error });
}

function coverageOf(plan: ParsePlan): Coverage {
  const has = (...fields: string[]) => fields.some((f) => f in plan.fields);
  const coverage: Coverage = {
    scheme: has('scheme'),
    credential: has('auth_header', 'api_key'),
    principal: has('principal'),
    notes: [],
  };
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

/** Auto-detection: run each format's parse over the first lines and keep the best fit. */
export async function detectFormat(
  db: Database,
  file: InputFile,
  compression: 'none' | 'gzip',
  choice: FormatChoice,
): Promise<LogFormat> {
  const sample = await sampleLines(file.absolutePath, compression);
  if (sample.length === 0) return FORMATS[0]!; // empty file: nothing to parse, any format counts 0 lines
  const scores: Array<{ format: LogFormat; accepted: number }> = [];
  for (const format of FORMATS) {
    if (choice.logPattern && !format.acceptsPattern) continue;
    let plan: ParsePlan;
    try {
      plan = format.plan({ lines: sampleLineSource(), logPattern: choice.logPattern, timezone: choice.timezone });
    } catch {
      continue;
    }
    const row = await db.one<{ accepted: number }>(
      `SELECT count(*) FILTER (WHERE reject_reason IS NULL)::INTEGER AS accepted FROM (${normalizeSql(plan)})`,
      { sample: listValue(sample) },
    );
    scores.push({ format, accepted: row?.accepted ?? 0 });
  }
  scores.sort((a, b) => b.accepted - a.accepted);
  const best = scores[0];
  if (!best || best.accepted === 0 || best.accepted < sample.length / 2) {
    const tried = scores.map((s) => `${s.format.id} ${s.accepted}/${sample.length} lines`).join(', ');
    throw new UserError('input', `cannot detect the log type of ${file.displayPath} (tried: ${tried}); pass --log-type`);
  }
  const runnerUp = scores[1];
  if (runnerUp && runnerUp.accepted === best.accepted) {
    throw new UserError(
      'input',
      `cannot decide the log type of ${file.displayPath}: ${best.format.id} and ${runnerUp.format.id} both parse ${best.accepted}/${sample.length} lines; pass --log-type`,
    );
  }
  return best.format;
}
