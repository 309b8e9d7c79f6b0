// Auto-detection: which format reads a file, decided from its first lines. Each format's plan runs
// through rejectReasonSql (the normalizer's decision whether a line is an event, nothing else)
// over the sample; the format that accepts the most lines wins, the earlier on a tie.
//
// What it costs is DuckDB binding each format's query (tens of ms), not the 50 lines. So the
// queries run on two connections at once, a format that cannot read any sample line is not
// queried (ParsePlan.mayRead), a file stops being scored at the first format that accepts every
// line, and the files of a batch share one query per format and plan.
import { listValue } from '@duckdb/node-api';
import { UserError } from '../errors.js';
import type { Database } from '../store/index.js';
import { FORMATS, findFormat } from './formats/index.js';
import type { LogFormat, ParseContext, ParsePlan, RawField } from './formats/format.js';
import { headerFacts, isJsonDocument, sampleLines, type InputFile } from './input-files.js';
import { sampleLineSource } from './line-source.js';
import { rejectReasonSql } from './normalize.js';
import { installMacros } from './sql-macros.js';

export interface FormatChoice {
  logType?: string;
  logPattern?: string;
  timezone?: string;
  /** Raw field → column / key name, for the generic csv and jsonl types. */
  fieldMap?: Partial<Record<RawField | 'request', string>>;
}

/** What of the user's choice a format's plan is given (the field mapping only where it applies). */
export function contextFor(format: LogFormat, choice: FormatChoice): Omit<ParseContext, 'lines' | 'head'> {
  return { logPattern: choice.logPattern, timezone: choice.timezone, fieldMap: format.acceptsFieldMap ? choice.fieldMap : undefined };
}

/** A file to detect: its first non-blank lines (records, for a JSON document) and the user's choice. */
export interface DetectionInput {
  file: InputFile;
  choice: FormatChoice;
  sample: string[];
}

interface Score {
  format: LogFormat;
  accepted: number;
  /** The sample's lines the format does not skip. */
  considered: number;
}

interface Detection {
  input: DetectionInput;
  scores: Array<Score | undefined>;
  /** Index of the first format that accepted every line: later formats need not be scored. */
  allAccepted: number;
}

/**
 * Auto-detection of one file: the format that accepts the most of its first lines (lines a format
 * skips, such as W3C directives, do not count against it). The registry is ordered specific →
 * generic, so a tie goes to the more specific format.
 */
export async function detectFormat(connections: readonly Database[], file: InputFile, choice: FormatChoice, sample: string[]): Promise<LogFormat> {
  const [result] = await detectFormats(connections, [{ file, choice, sample }]);
  if (result instanceof UserError) throw result;
  return result!;
}

/**
 * detectFormat for several files at once, each decided exactly as on its own: a file that cannot
 * be detected gets its error in its place. Throws only when a query fails.
 */
export async function detectFormats(connections: readonly Database[], inputs: readonly DetectionInput[]): Promise<Array<LogFormat | UserError>> {
  const detections: Detection[] = inputs.map((input) => ({ input, scores: [], allAccepted: input.sample.length === 0 ? -1 : Infinity }));
  // The formats are taken in registry order, one at a time on each connection. Once a format
  // accepts every line of a file, no later one can accept more and a tie goes to the earlier: the
  // later formats skip that file.
  let next = 0;
  const work = async (db: Database) => {
    for (let index = next++; index < FORMATS.length && detections.some((d) => index < d.allAccepted); index = next++) {
      for (const group of planGroups(FORMATS[index]!, index, detections)) await score(db, index, group);
    }
  };
  // every query has ended before the files go on (a connection runs one query at a time)
  const failed = (await Promise.allSettled(connections.map(work))).find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return detections.map(choose);
}

interface PlanGroup {
  sql: string;
  /** The plan reads one file's lines at a time (LATERAL), not the samples concatenated. */
  eachFile: boolean;
  members: Detection[];
}

/** One file's sample in a batch, as sampleLineSource() gives it: `m.sample` of the batch row it is joined to (LATERAL). */
const MEMBER_LINES = `SELECT line_no, aa_unwrap_container(line) AS line
  FROM (SELECT generate_subscripts(m.sample, 1) AS line_no, unnest(m.sample) AS line)`;

/**
 * The files a format still has to score, grouped by their plan's query: one query per group. A
 * plan that never reads line_no (parallelSafe) judges each line on its own, so it reads the
 * group's samples concatenated. Any other plan (a window over the lines, a directive that applies
 * to the lines after it) must see one file's lines only: with several files it reads each file's
 * sample in a LATERAL join, where DuckDB computes its windows per file.
 */
function planGroups(format: LogFormat, index: number, detections: Detection[]): PlanGroup[] {
  const groups = new Map<string, PlanGroup>();
  const pending = detections.filter(({ input, allAccepted }) => index < allAccepted && (!input.choice.logPattern || format.acceptsPattern));
  const eachFile = format.parallelSafe !== true && pending.length > 1;
  for (const detection of pending) {
    const { choice, sample } = detection.input;
    let plan: ParsePlan;
    try {
      plan = format.plan({ ...contextFor(format, choice), lines: eachFile ? MEMBER_LINES : sampleLineSource(), head: sample });
    } catch {
      continue; // a format that cannot read these lines at all (a CSV type without a header)
    }
    // none of the lines can be an event or skipped: 0 accepted of them all, which no outcome
    // depends on (a winner, the headers-only fallback and the error's closest need more); or none
    // can be an event and one is surely rejected: 0 accepted, and not a file of headers to it
    if (plan.mayRead && !sample.some(plan.mayRead)) continue;
    if (plan.mayAccept && plan.mayRead && !sample.some(plan.mayAccept) && !sample.every(plan.mayRead)) continue;
    const sql = rejectReasonSql(plan);
    const group = groups.get(sql) ?? { sql, eachFile, members: [] };
    group.members.push(detection);
    groups.set(sql, group);
  }
  return [...groups.values()];
}

async function score(db: Database, index: number, { sql, eachFile, members }: PlanGroup): Promise<void> {
  const counts = `count(*) FILTER (WHERE reject_reason IS NULL)::INTEGER AS accepted,
                  count(*) FILTER (WHERE reject_reason = 'skip')::INTEGER AS skipped`;
  const rows = eachFile
    ? await db.all<{ member: number; accepted: number; skipped: number }>(
        `SELECT m.member, ${counts}
         FROM (SELECT unnest($members) AS member, unnest($samples) AS sample) m, LATERAL (${sql}) GROUP BY ALL`,
        { members: listValue(members.map((_, i) => i + 1)), samples: listValue(members.map((m) => listValue(m.input.sample))) },
      )
    : // which member each line of the concatenated samples is (line_no is the position, from 1)
      await db.all<{ member: number; accepted: number; skipped: number }>(`SELECT $owners[line_no] AS member, ${counts} FROM (${sql}) GROUP BY ALL`, {
        sample: listValue(members.flatMap((m) => m.input.sample)),
        owners: listValue(members.flatMap((m, i) => m.input.sample.map(() => i + 1))),
      });
  members.forEach((detection, i) => {
    const row = rows.find((r) => r.member === i + 1);
    const { sample } = detection.input;
    const accepted = row?.accepted ?? 0;
    detection.scores[index] = { format: FORMATS[index]!, accepted, considered: sample.length - (row?.skipped ?? 0) };
    if (accepted === sample.length) detection.allAccepted = Math.min(detection.allAccepted, index);
  });
}

function choose({ input, scores: all, allAccepted }: Detection): LogFormat | UserError {
  const { file, sample } = input;
  if (sample.length === 0) return findFormat('nginx'); // empty file: nothing to parse, any format counts 0 lines
  const scores = all.filter((s, index): s is Score => s !== undefined && index <= allAccepted);
  const fits = scores.filter((s) => s.accepted > 0 && s.accepted >= s.considered / 2);
  const best = fits.reduce<Score | undefined>((b, s) => (!b || s.accepted > b.accepted ? s : b), undefined);
  if (best) return best.format;
  // A file of only headers (W3C # directives, a CSV header row; an export of no records, a log
  // just rotated) has no line to accept: it is the type that skips them all (the earlier on a
  // tie), read with 0 events, rather than an error that fails the whole scan.
  const headersOnly = scores.filter((s) => s.considered === 0);
  if (headersOnly.length) return (headersOnly.find((s) => s.format.ownsHeaders?.(sample)) ?? headersOnly[0]!).format;
  const candidates = scores.filter((s) => s.accepted > 0).sort((a, b) => b.accepted - a.accepted);
  const tried = candidates.length
    ? `closest: ${candidates.slice(0, 4).map((s) => `${s.format.id} ${s.accepted}/${s.considered} lines`).join(', ')}`
    : `no known type parses its first ${sample.length} lines`;
  return new UserError('input', `cannot detect the log type of ${file.displayPath} (${tried}); pass --log-type (see apiaudit formats)`);
}

/** At most this many files, and this many bytes of their first lines, are detected together. */
export const LOOK_AHEAD_FILES = 32;
const LOOK_AHEAD_BYTES = 4 << 20;

/**
 * Auto-detection during an ingest: on the database's connection and a second one, opened when a
 * file first needs it; for the next files of the input at once, ahead of their ingest (lookAhead).
 */
export class Detectors {
  private sibling?: Promise<Database>;
  /** Results of lookAhead, by absolute path, with the sample and choice they were decided on. */
  private readonly ahead = new Map<string, { choice: string; sample: string[]; result: LogFormat | UserError }>();

  constructor(private readonly db: Database) {}

  /** The file's format: decided by lookAhead on the same lines and choice, else now. */
  async detect(file: InputFile, choice: FormatChoice, sample: string[]): Promise<LogFormat> {
    const known = this.ahead.get(file.absolutePath);
    this.ahead.delete(file.absolutePath);
    if (!known || known.choice !== JSON.stringify(choice) || !sameLines(known.sample, sample)) return detectFormat(await this.connections(), file, choice, sample);
    if (known.result instanceof UserError) throw known.result;
    return known.result;
  }

  /**
   * The format the file will most likely be read as, without taking lookAhead's result: the
   * user's choice, or what lookAhead detected for this choice (undefined: not known, or an error).
   */
  peek(file: InputFile, choice: FormatChoice): LogFormat | undefined {
    if (choice.logType) return FORMATS.find((format) => format.id === choice.logType);
    const known = this.ahead.get(file.absolutePath);
    return known && known.choice === JSON.stringify(choice) && !(known.result instanceof UserError) ? known.result : undefined;
  }

  /**
   * Detects those of the given files that need it in one batch, so that each format's query is
   * bound once for all of them instead of once per file; returns how many. Only a speed-up: a file
   * it cannot sample, a JSON document (the ingest samples its records) and any failure are left to
   * detect(); a file ingested before under the same path and size (in a scan of the same folder,
   * most likely a duplicate the ingest will skip) is not sampled.
   */
  async lookAhead(files: ReadonlyArray<{ file: InputFile; choice: FormatChoice }>): Promise<number> {
    // the previous batch's files have had their turn (a duplicate never asks): not kept
    this.ahead.clear();
    try {
      const wanted = files.filter(({ choice }) => !choice.logType);
      if (wanted.length < 2) return 0;
      const ingested = new Set(
        (await this.db.all<{ path: string; size: number }>(`SELECT path, size::DOUBLE AS size FROM files WHERE list_contains($paths, path)`, {
          paths: listValue(wanted.map(({ file }) => file.displayPath)),
        })).map((row) => `${row.size} ${row.path}`),
      );
      const inputs: DetectionInput[] = [];
      let bytes = 0;
      for (const { file, choice } of wanted) {
        if (bytes >= LOOK_AHEAD_BYTES) break;
        const facts = await headerFacts(file.absolutePath);
        if (!facts || ingested.has(`${facts.size} ${file.displayPath}`)) continue;
        const sample = await sampleLines(file.absolutePath, facts.compression);
        if (isJsonDocument(sample)) continue;
        inputs.push({ file, choice, sample });
        bytes += sample.reduce((n, line) => n + line.length, 0);
      }
      if (inputs.length < 2) return 0;
      const results = await detectFormats(await this.connections(), inputs);
      inputs.forEach(({ file, choice, sample }, i) => this.ahead.set(file.absolutePath, { choice: JSON.stringify(choice), sample, result: results[i]! }));
      return inputs.length;
    } catch {
      return 0;
    }
  }

  async connections(): Promise<readonly Database[]> {
    this.sibling ??= this.db.sibling().then(async (other) => {
      await installMacros(other);
      return other;
    });
    return [this.db, await this.sibling];
  }

  async close(): Promise<void> {
    (await this.sibling?.catch(() => undefined))?.close();
  }
}

function sameLines(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((line, i) => line === b[i]);
}
