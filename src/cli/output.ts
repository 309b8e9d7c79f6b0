// Where reports go. Each is written to a temporary file next to the target and renamed into place,
// so a crash or a full disk never leaves a half-written report behind. Special files (/dev/stdout,
// a pipe) are written directly: renaming over them would replace them.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { redactSecrets, UserError } from '../errors.js';
import { OUTPUT_FILE_NAMES, type OutputFormat } from '../report/index.js';
import type { Io } from './context.js';

export async function writeFileAtomic(target: string, content: string): Promise<void> {
  const existing = await stat(target).catch(() => undefined);
  if (existing && !existing.isFile()) {
    try {
      await writeFile(target, content);
      return;
    } catch (error) {
      throw writeError(target, error);
    }
  }
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, content, { flag: 'wx' });
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw writeError(target, error);
  }
}

function writeError(target: string, error: unknown): UserError {
  const code = (error as NodeJS.ErrnoException).code ?? 'write error';
  const why = code === 'ENOSPC' ? 'ENOSPC (disk full)' : code;
  return new UserError('input', `cannot write ${target}: ${why}`, { cause: error });
}

export interface OutputPlan {
  /** The folder to create before writing, when -o names one. */
  folder: string | null;
  /** One file per format; null is stdout. */
  targets: Array<{ format: OutputFormat; file: string | null }>;
}

/**
 * Where each format goes. No -o: stdout, for one format only. -o FILE: that file, as always. -o
 * naming a folder (an existing one, a path ending in /, or any path when several formats are
 * asked for): report.<ext> files in it, the folder created if missing, so cron can write all.
 */
export async function planOutputs(formats: OutputFormat[], output: string | undefined): Promise<OutputPlan> {
  if (!output) {
    if (formats.length > 1) {
      throw new UserError('usage', `several formats (${formats.join(', ')}) need -o DIR, a folder to write ${formats.map((f) => OUTPUT_FILE_NAMES[f]).join(', ')} into`);
    }
    return { folder: null, targets: [{ format: formats[0]!, file: null }] };
  }
  const isFolder = formats.length > 1 || /[\\/]$/.test(output) || (await stat(output).catch(() => null))?.isDirectory() === true;
  if (!isFolder) return { folder: null, targets: [{ format: formats[0]!, file: output }] };
  return { folder: output, targets: formats.map((format) => ({ format, file: path.join(output, OUTPUT_FILE_NAMES[format]) })) };
}

export async function createFolder(folder: string): Promise<void> {
  try {
    await mkdir(folder, { recursive: true });
  } catch (error) {
    throw new UserError('input', `cannot create folder ${folder}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, { cause: error });
  }
}

/** One line each on stderr; with --quiet only errors. */
export function printMessages(io: Io, messages: string[], quiet: boolean): void {
  for (const message of messages) {
    if (!quiet || message.startsWith('error:')) io.stderr(`apiaudit: ${redactSecrets(message)}\n`);
  }
}
