// Reports are written to a temporary file next to the target and renamed into place, so a crash
// or a full disk never leaves a half-written report behind. Special files (/dev/stdout, a pipe)
// are written directly: renaming over them would replace them.
import { randomBytes } from 'node:crypto';
import { rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';

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
