// A format's survey (LogFormat.surveySql: W3C formats list a file's #Fields layouts and #Date dates)
// is one small query over the whole file before its parse. For small files that query is mostly
// DuckDB binding it (about 11 ms per IIS file of 1,000 lines), so the next files of the same type
// are surveyed together, one query for all of them. Only a speed-up: a file is surveyed on its own
// when the batch failed, left it out, or it changed since (size or modification time).
import { listValue } from '@duckdb/node-api';
import type { Database } from '../store/index.js';
import type { LogFormat } from './formats/format.js';
import { headerFacts, type InputFile } from './input-files.js';
import { BATCH_MAX_BYTES, BATCH_MAX_FILE_BYTES, batchLineSource, duckdbPath, fileLineSource } from './line-source.js';

export type Survey = Record<string, unknown>;

/** A file the ingest will come to, with the type it will most likely be read as (if known yet). */
export interface UpcomingFile {
  file: InputFile;
  format?: LogFormat;
}

interface KnownSurvey {
  formatId: string;
  size: number;
  mtimeMs: number;
  survey: Survey;
}

export class FileSurveys {
  private upcoming: UpcomingFile[] = [];
  private readonly known = new Map<string, KnownSurvey>();
  /** Files a batch failed or had no row for: surveyed alone, not in another batch. */
  private readonly alone = new Set<string>();

  /** The files the ingest comes to next, in order (replaces the previous ones). */
  expect(files: UpcomingFile[]): void {
    this.upcoming = files;
    this.known.clear();
    this.alone.clear();
  }

  /** The file's survey for this format; undefined when the format has none or the file cannot be read as UTF-8. */
  async of(db: Database, format: LogFormat, file: InputFile, compression: 'none' | 'gzip'): Promise<Survey | undefined> {
    if (!format.surveySql) return undefined;
    if (!this.known.has(file.absolutePath)) await this.surveyAhead(db, format, file, compression);
    return (await this.take(format, file)) ?? surveyFile(db, format.surveySql, file, compression);
  }

  private async take(format: LogFormat, file: InputFile): Promise<Survey | undefined> {
    const known = this.known.get(file.absolutePath);
    if (!known) return undefined;
    this.known.delete(file.absolutePath);
    const now = await headerFacts(file.absolutePath);
    return known.formatId === format.id && now?.size === known.size && now.mtimeMs === known.mtimeMs ? known.survey : undefined;
  }

  /** Surveys the file with the upcoming files after it that have its type and compression, in one query. */
  private async surveyAhead(db: Database, format: LogFormat, file: InputFile, compression: 'none' | 'gzip'): Promise<void> {
    const at = this.upcoming.findIndex((u) => u.file.absolutePath === file.absolutePath);
    if (at < 0 || this.alone.has(file.absolutePath)) return;
    const batch: Array<{ file: InputFile; size: number; mtimeMs: number }> = [];
    let bytes = 0;
    for (const { file: next, format: nextFormat } of [{ file, format }, ...this.upcoming.slice(at + 1)]) {
      if (nextFormat?.id !== format.id || this.alone.has(next.absolutePath) || (next !== file && this.known.has(next.absolutePath))) continue;
      const facts = await headerFacts(next.absolutePath);
      if (!facts || facts.compression !== compression || facts.size > BATCH_MAX_FILE_BYTES) continue;
      if (bytes + facts.size > BATCH_MAX_BYTES) break;
      batch.push({ file: next, size: facts.size, mtimeMs: facts.mtimeMs });
      bytes += facts.size;
    }
    if (batch.length < 2 || batch[0]!.file !== file) return;
    try {
      // line_no is the file's position in $names (batchLineSource); a file without a `#` line has
      // no row and is surveyed on its own
      const rows = await db.all<Survey & { survey_of: number }>(format.surveySql!(batchLineSource(), 'line_no'), {
        paths: listValue(batch.map((b) => duckdbPath(b.file.absolutePath))),
        names: listValue(batch.map((b) => b.file.absolutePath)),
        compression,
      });
      for (const { survey_of: position, ...survey } of rows) {
        const { file: surveyed, size, mtimeMs } = batch[Number(position) - 1]!;
        this.known.set(surveyed.absolutePath, { formatId: format.id, size, mtimeMs, survey });
      }
      for (const { file: left } of batch) if (!this.known.has(left.absolutePath)) this.alone.add(left.absolutePath);
    } catch {
      // one file that is not UTF-8 fails the read: each file is surveyed on its own
      for (const { file: failed } of batch) this.alone.add(failed.absolutePath);
    }
  }
}

/**
 * One file's survey (one parallel read, as UTF-8). A file it cannot read (not UTF-8, corrupt) gets
 * none: the parse then takes its general path, and reports what is wrong.
 */
export async function surveyFile(db: Database, surveySql: (lines: string) => string, file: InputFile, compression: 'none' | 'gzip'): Promise<Survey | undefined> {
  try {
    return await db.one<Survey>(surveySql(fileLineSource('utf-8', false)), { path: duckdbPath(file.absolutePath), compression });
  } catch {
    return undefined;
  }
}
