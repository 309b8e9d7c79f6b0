// Progress and stage timings on stderr. Progress is one line redrawn in place, only on a terminal
// (never when stderr is a file or pipe, with --quiet, or when CI is set: logs of cron jobs and CI
// stay clean); --verbose prints one line per stage with its time.
import type { ProgressUpdate, RunObserver } from '../observer.js';
import type { Io } from './context.js';

export interface ConsoleObserver extends RunObserver {
  /** Clears the progress line, before the run's messages are printed. */
  finish(): void;
}

const REDRAW_MS = 200;

/** Progress is drawn only on a terminal, and not in CI (whose logs may be a terminal emulation). */
export function progressAllowed(isTTY: boolean | undefined, env: Record<string, string | undefined>): boolean {
  return isTTY === true && !env.CI;
}

export function consoleObserver(io: Io, flags: { verbose?: boolean; quiet?: boolean }): ConsoleObserver {
  const showProgress = io.interactive === true && !flags.quiet;
  const started = performance.now();
  let lastDraw = 0;
  let drawn = false;
  // the rate is measured over the ingest so far (bytes per second of wall time)
  let ingestStart: number | undefined;
  const clear = () => {
    if (drawn) io.stderr('\r\x1b[K');
    drawn = false;
  };
  return {
    wantsProgress: showProgress,
    stage(name, ms, detail) {
      if (!flags.verbose || flags.quiet) return;
      clear();
      io.stderr(`apiaudit: ${(ms / 1000).toFixed(2).padStart(7)} s  ${name}${detail ? ` (${detail})` : ''}\n`);
    },
    progress(update) {
      if (!showProgress) return;
      const now = performance.now();
      if (update.phase === 'ingest') ingestStart ??= now;
      if (now - lastDraw < REDRAW_MS && update.done !== 0) return;
      lastDraw = now;
      io.stderr(`\r\x1b[K${progressLine(update, now - (ingestStart ?? started))}`);
      drawn = true;
    },
    finish: clear,
  };
}

/** "ingest access.log  120.3/450.0 MB  35.2 MB/s  ETA 9 s" or "rules 5/16 token-sharing". */
export function progressLine(update: ProgressUpdate, elapsedMs: number): string {
  if (update.unit === 'rules') return `apiaudit: rules ${update.done + 1}/${update.total} ${update.label}`;
  const mb = (n: number) => (n / 1e6).toFixed(1);
  const rate = elapsedMs > 0 ? update.done / (elapsedMs / 1000) : 0;
  const eta = rate > 0 ? Math.ceil((update.total - update.done) / rate) : undefined;
  return `apiaudit: ingest ${update.label}  ${mb(update.done)}/${mb(update.total)} MB${rate > 0 ? `  ${mb(rate)} MB/s` : ''}${eta !== undefined && update.done > 0 ? `  ETA ${eta} s` : ''}`;
}
