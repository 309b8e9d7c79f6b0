// What every command needs from the process: where to print, and how to report an exit code.
import { createRequire } from 'node:module';

const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };
export const VERSION = pkg.version;

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** stderr is a terminal and not a CI job: progress may be drawn there. */
  interactive?: boolean;
}

export interface CommandContext {
  io: Io;
  setExitCode: (code: number) => void;
}
