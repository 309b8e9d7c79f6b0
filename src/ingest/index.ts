// files → DuckDB `events`. Each file is ingested in one transaction (small files that parse
// alike: several in one, see load.ts), so a failure leaves the database as it was; a file whose
// content was ingested before is skipped, never double-counted.
import { statSync } from 'node:fs';
import { UserError, errorMessage } from '../errors.js';
import { SILENT, type RunObserver } from '../observer.js';
import type { Database } from '../store/index.js';
import { Detectors, LOOK_AHEAD_FILES, type FormatChoice } from './detect.js';
import { EarlierIngests } from './growth.js';
import type { InputFile } from './input-files.js';
import { BATCH_MAX_BYTES, BATCH_MAX_FILE_BYTES } from './line-source.js';
import { isPrepared, loadFile, loadTogether, prepareFile, sharedParseSql, type IngestResult, type PreparedFile } from './load.js';
import { installMacros } from './sql-macros.js';
import { FileSurveys } from './survey.js';

export { expandInputs, displayPath, type InputFile } from './input-files.js';
export { FORMATS, findFormat } from './formats/index.js';
export { installMacros } from './sql-macros.js';
export { detectFormat, detectFormats, type FormatChoice } from './detect.js';
export { coverageOf, type Coverage, type IngestResult, type RejectedLine } from './load.js';

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

/** A file on its way: prepared (or already done), with the time its preparation took. */
interface Turn {
  index: number;
  outcome: PreparedFile | IngestResult;
  ms: number;
}

async function ingestEach(db: Database, files: InputFile[], options: IngestOptions, detectors: Detectors): Promise<IngestResult[]> {
  const observer = options.observer ?? SILENT;
  const maxShown = options.maxRejectedShown ?? 20;
  // the total is known before the first file is read only for a progress display
  const sizes = observer.wantsProgress ? files.map((f) => sizeOf(f.absolutePath)) : files.map(() => 0);
  let total = 0;
  const before = sizes.map((size) => (total += size) - size); // bytes of the files before each
  const progressOf = (index: number): FileProgress | undefined => {
    if (!observer.wantsProgress) return undefined;
    return (percent) => observer.progress({ phase: 'ingest', label: files[index]!.displayPath, done: before[index]! + (sizes[index]! * percent) / 100, total, unit: 'bytes' });
  };
  const run = { detectors, earlier: await EarlierIngests.load(db), surveys: new FileSurveys() };
  const prepare = async (index: number, alsoSizes: number[] = []): Promise<Turn> => {
    const file = files[index]!;
    progressOf(index)?.(0);
    const started = performance.now();
    try {
      const outcome = await prepareFile(db, file, options.formatFor(file), run, alsoSizes);
      return { index, outcome, ms: performance.now() - started };
    } catch (error) {
      return { index, outcome: failed(file, error), ms: 0 };
    }
  };
  const finish = (turn: Turn, result: IngestResult, loadMs: number) => {
    if (result.status !== 'error') observer.stage(`ingest ${files[turn.index]!.displayPath}`, turn.ms + loadMs, ingestDetail(result));
    if (result.status === 'ingested' && isPrepared(turn.outcome)) run.earlier.add(turn.outcome.facts);
    results.push(result);
  };
  const loadAlone = async (turn: Turn) => {
    if (!isPrepared(turn.outcome)) return finish(turn, turn.outcome, 0);
    const started = performance.now();
    const result = await loadFile(db, turn.outcome, maxShown, progressOf(turn.index)).catch((error: unknown) => failed(files[turn.index]!, error));
    finish(turn, result, performance.now() - started);
  };

  const results: IngestResult[] = [];
  let lookedAheadTo = 0;
  let index = 0;
  while (index < files.length) {
    if (index >= lookedAheadTo) {
      const choices = choicesOf(files.slice(index, index + LOOK_AHEAD_FILES), options);
      await lookAhead(choices, detectors, observer);
      run.surveys.expect(choices.map(({ file, choice }) => ({ file, format: detectors.peek(file, choice) })));
      lookedAheadTo = index + LOOK_AHEAD_FILES;
    }
    // Files are prepared in order while they can be read together with the first; the one that
    // cannot ends the group and is loaded after it, prepared again if its preparation depended on
    // a file of the group (the same content, or content that continues it).
    const group: { turn: Turn; prepared: PreparedFile }[] = [];
    let shared: string | undefined;
    let bytes = 0;
    let next: { turn: Turn; stale: boolean } | undefined;
    for (let j = index; j < Math.min(lookedAheadTo, files.length); j++) {
      const turn = await prepare(j, group.map((g) => g.prepared.facts.contentSize));
      const prepared = isPrepared(turn.outcome) ? turn.outcome : undefined;
      const stale = prepared !== undefined && group.some((g) => continuesOrRepeats(prepared, g.prepared));
      // one compression per read (a mixed group would only fail, and be read again file by file)
      const sql = prepared && !stale && prepared.facts.size <= BATCH_MAX_FILE_BYTES && bytes + prepared.facts.size <= BATCH_MAX_BYTES
        && (group.length === 0 || prepared.facts.compression === group[0]!.prepared.facts.compression) ? sharedParseSql(prepared) : undefined;
      if (prepared && sql !== undefined && (group.length === 0 || sql === shared)) {
        group.push({ turn, prepared });
        shared = sql;
        bytes += prepared.facts.size;
        continue;
      }
      next = { turn, stale };
      break;
    }
    if (group.length > 1) {
      const started = performance.now();
      const together = await loadTogether(db, group.map((g) => g.prepared), shared!, maxShown).catch(() => undefined);
      const share = (performance.now() - started) / group.length;
      for (const [k, { turn }] of group.entries()) {
        if (together) finish(turn, together[k]!, share);
        else await loadAlone(turn); // something failed (nothing was written): each file on its own says what
      }
    } else if (group.length === 1) {
      await loadAlone(group[0]!.turn);
    }
    index += group.length;
    if (next) {
      await loadAlone(next.stale ? await prepare(next.turn.index) : next.turn);
      index++;
    }
  }
  return results;
}

/** Whether the file has the same content as an earlier one, or content that starts with all of it. */
function continuesOrRepeats(file: PreparedFile, earlier: PreparedFile): boolean {
  const { contentSha256, contentSize } = earlier.facts;
  return (file.facts.contentSha256 === contentSha256 && file.facts.contentSize === contentSize) || file.facts.prefixSha256.get(contentSize) === contentSha256;
}

/** The file's error result; a usage error (a bad flag) is thrown on: it fails the whole run. */
function failed(file: InputFile, error: unknown): IngestResult {
  if (error instanceof UserError && error.kind === 'usage') throw error;
  return {
    path: file.displayPath, status: 'error', lines: 0, events: 0, rejected: 0, skipped: 0, rejectedLines: [],
    error: error instanceof UserError ? error.message : `cannot ingest ${file.displayPath}: ${errorMessage(error).split('\n')[0]}`,
  };
}

/** The files' format choices; a file whose choice fails is left out (its own turn reports it). */
function choicesOf(files: InputFile[], options: IngestOptions): Array<{ file: InputFile; choice: FormatChoice }> {
  return files.flatMap((file) => {
    try {
      return [{ file, choice: options.formatFor(file) }];
    } catch {
      return [];
    }
  });
}

/** The types of the next files, detected together (see Detectors.lookAhead). */
async function lookAhead(choices: Array<{ file: InputFile; choice: FormatChoice }>, detectors: Detectors, observer: RunObserver): Promise<void> {
  const started = performance.now();
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

