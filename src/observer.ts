// What a long run tells whoever watches it: stage timings (for --verbose) and progress (for a
// terminal). The library only calls these hooks; the CLI decides whether and how to print them.

export interface ProgressUpdate {
  phase: 'ingest' | 'rules';
  /** The file or rule being worked on. */
  label: string;
  /** Work done and total, in `unit`s (bytes of input for ingest, rules for rules). */
  done: number;
  total: number;
  unit: 'bytes' | 'rules';
}

export interface RunObserver {
  /** A stage finished, e.g. "ingest access.log" or "rule token-sharing", after `ms` milliseconds. */
  stage(name: string, ms: number, detail?: string): void;
  progress(update: ProgressUpdate): void;
  /** Whether progress() is listened to (DuckDB's progress tracking is only turned on then). */
  readonly wantsProgress: boolean;
}

export const SILENT: RunObserver = { stage: () => undefined, progress: () => undefined, wantsProgress: false };

/** Runs `work` and reports it as one stage, with an optional detail computed from its result. */
export async function timed<T>(observer: RunObserver, name: string, work: () => Promise<T>, detail?: (result: T) => string): Promise<T> {
  const started = performance.now();
  const result = await work();
  observer.stage(name, performance.now() - started, detail?.(result));
  return result;
}
