// What a file is before DuckDB reads it: its display path, content hash, compression, and its
// first lines (for auto-detection). One streaming read; no per-line work.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { createGunzip, gunzipSync, type Gunzip } from 'node:zlib';
import { UserError } from '../errors.js';

export interface InputFile {
  /** As shown in reports: relative to the working directory when inside it. */
  displayPath: string;
  absolutePath: string;
}

export interface FileFacts {
  sha256: string;
  size: number;
  compression: 'none' | 'gzip';
}

const SKIPPED_IN_DIRECTORIES = /^(\.|readme|license|notice)|\.(md|ya?ml|sha256|sig|asc)$/i;

export function displayPath(absolutePath: string, cwd = process.cwd()): string {
  const relative = path.relative(cwd, absolutePath);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative.split(path.sep).join('/') : absolutePath;
}

/** Files named on the command line, and the files below named directories (sorted). */
export async function expandInputs(paths: string[], cwd = process.cwd()): Promise<InputFile[]> {
  const files: InputFile[] = [];
  for (const given of paths) {
    const absolute = path.resolve(cwd, given);
    const info = await stat(absolute).catch(() => undefined);
    if (!info) throw new UserError('input', `no such file or directory: ${given}`);
    if (info.isDirectory()) {
      const found = await walk(absolute);
      if (found.length === 0) throw new UserError('input', `no log files under ${given}`);
      files.push(...found.map((f) => ({ absolutePath: f, displayPath: displayPath(f, cwd) })));
    } else if (info.isFile()) {
      files.push({ absolutePath: absolute, displayPath: displayPath(absolute, cwd) });
    } else {
      throw new UserError('input', `not a regular file: ${given}`);
    }
  }
  return files;
}

async function walk(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  const out: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (SKIPPED_IN_DIRECTORIES.test(entry.name)) continue;
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

/**
 * Content hash, size and compression in one read. A gzip file is also decompressed on the side
 * (zlib runs off the main thread) and its CRC checked: DuckDB reads a truncated .gz up to the
 * damage without complaint, and the lines after it would be lost silently.
 */
export async function fileFacts(absolutePath: string, displayPath = absolutePath): Promise<FileFacts> {
  const hash = createHash('sha256');
  let size = 0;
  let gunzip: Gunzip | undefined;
  let gzipError: unknown;
  let gunzipDone: Promise<void> = Promise.resolve();
  const corrupt = () => new UserError('input', `cannot read ${displayPath}: corrupt or truncated gzip data`, { cause: gzipError });
  try {
    for await (const chunk of createReadStream(absolutePath, { highWaterMark: 1 << 20 })) {
      const buffer = chunk as Buffer;
      if (size === 0 && buffer[0] === 0x1f && buffer[1] === 0x8b) {
        gunzip = createGunzip();
        gunzip.resume(); // only the integrity check matters, not the bytes
        gunzipDone = finished(gunzip).catch((error: unknown) => {
          gzipError = error;
        });
      }
      hash.update(buffer);
      size += buffer.length;
      if (gunzip && !gzipError && !gunzip.write(buffer)) await Promise.race([once(gunzip, 'drain').catch(() => undefined), gunzipDone]);
    }
    gunzip?.end();
  } catch (error) {
    throw new UserError('input', `cannot read ${displayPath}: ${(error as NodeJS.ErrnoException).code ?? 'read error'}`, { cause: error });
  }
  await gunzipDone;
  if (gzipError) throw corrupt();
  return { sha256: hash.digest('hex'), size, compression: gunzip ? 'gzip' : 'none' };
}

/** Up to `maxLines` non-blank lines from the start of the file (decompressed), for detection. */
export async function sampleLines(absolutePath: string, compression: 'none' | 'gzip', maxLines = 50): Promise<string[]> {
  const handle = await open(absolutePath, 'r');
  try {
    const buffer = Buffer.alloc(256 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    let bytes = buffer.subarray(0, bytesRead);
    if (compression === 'gzip') {
      try {
        bytes = gunzipSync(bytes, { finishFlush: 2 /* Z_SYNC_FLUSH: accept a truncated stream */ });
      } catch {
        return [];
      }
    }
    const text = bytes.toString('utf8');
    const lines = text.split(/\r\n|\n|\r/);
    if (bytesRead >= buffer.length) lines.pop(); // the file goes on: the last line may be cut short
    return lines.filter((l) => l.trim() !== '').slice(0, maxLines);
  } finally {
    await handle.close();
  }
}
