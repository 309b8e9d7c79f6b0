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
  /** SHA-256 of the first `n` bytes, for each requested `n` below the size (see ingest/growth.ts). */
  prefixSha256: Map<number, string>;
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

/** Whether a file's first bytes are gzip's magic number: how compression is decided, not by name. */
export function startsLikeGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/**
 * Content hash, size and compression in one read, and the hashes of the prefixes that end at
 * `prefixSizes` (see growth.ts). A gzip file is also decompressed on the side (zlib runs off the
 * main thread) and its CRC checked: DuckDB reads a truncated .gz up to the damage without
 * complaint, and the lines after it would be lost silently.
 */
export async function fileFacts(absolutePath: string, displayPath = absolutePath, prefixSizes: number[] = []): Promise<FileFacts> {
  const hash = createHash('sha256');
  const cuts = [...new Set(prefixSizes)].filter((n) => n > 0).sort((a, b) => a - b);
  const prefixSha256 = new Map<number, string>();
  let size = 0;
  let gunzip: Gunzip | undefined;
  let gzipError: unknown;
  let gunzipDone: Promise<void> = Promise.resolve();
  const corrupt = () => new UserError('input', `cannot read ${displayPath}: corrupt or truncated gzip data`, { cause: gzipError });
  try {
    for await (const chunk of createReadStream(absolutePath, { highWaterMark: 1 << 20 })) {
      const whole = chunk as Buffer;
      if (size === 0 && startsLikeGzip(whole)) {
        gunzip = createGunzip();
        gunzip.resume(); // only the integrity check matters, not the bytes
        gunzipDone = finished(gunzip).catch((error: unknown) => {
          gzipError = error;
        });
      }
      // A prefix hash is a copy of the running hash taken where the prefix ends.
      let rest = whole;
      while (cuts.length && cuts[0]! <= size + rest.length) {
        const upTo = cuts.shift()! - size;
        hash.update(rest.subarray(0, upTo));
        size += upTo;
        rest = rest.subarray(upTo);
        prefixSha256.set(size, hash.copy().digest('hex'));
      }
      hash.update(rest);
      size += rest.length;
      if (gunzip && !gzipError && !gunzip.write(whole)) await Promise.race([once(gunzip, 'drain').catch(() => undefined), gunzipDone]);
    }
    gunzip?.end();
  } catch (error) {
    throw new UserError('input', `cannot read ${displayPath}: ${(error as NodeJS.ErrnoException).code ?? 'read error'}`, { cause: error });
  }
  await gunzipDone;
  if (gzipError) throw corrupt();
  prefixSha256.delete(size); // the whole content is not a prefix of itself
  return { sha256: hash.digest('hex'), size, compression: gunzip ? 'gzip' : 'none', prefixSha256 };
}

/**
 * Up to `maxLines` non-blank lines from the start of the file (decompressed), for detection. Reads
 * 256 KB, more (up to 32 MB) when not even one whole line fits in that.
 */
export async function sampleLines(absolutePath: string, compression: 'none' | 'gzip', maxLines = 50): Promise<string[]> {
  const handle = await open(absolutePath, 'r');
  try {
    for (let size = 256 * 1024; ; size *= 4) {
      const buffer = Buffer.alloc(size);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      let bytes = buffer.subarray(0, bytesRead);
      let complete = bytesRead < buffer.length;
      if (compression === 'gzip') {
        try {
          bytes = gunzipSync(bytes, { finishFlush: 2 /* Z_SYNC_FLUSH: accept a truncated stream */ });
        } catch {
          return [];
        }
      }
      const lines = bytes.toString('utf8').split(/\r\n|\n|\r/);
      if (!complete) lines.pop(); // the file goes on: the last line may be cut short
      const found = lines.filter((l) => l.trim() !== '').slice(0, maxLines);
      complete ||= found.length > 0 || size >= 32 * 1024 * 1024;
      if (complete) return found;
    }
  } finally {
    await handle.close();
  }
}

/**
 * Whether the file is one JSON document (a top-level array, `{"records": [...]}`, or pretty-printed
 * objects) rather than one record per line. Decided from its first non-blank line only.
 */
export function isJsonDocument(sample: string[]): boolean {
  const first = sample[0]?.replace(/^\uFEFF/, '').trim() ?? '';
  // a text log line may start with "[" too (a bracketed time): an array starts with [, [{, [" or [[
  if (first === '[' || /^\[\s*[{["]/.test(first)) return true;
  if (!first.startsWith('{')) return false;
  try {
    const value: unknown = JSON.parse(first);
    return typeof value === 'object' && value !== null && Array.isArray((value as { records?: unknown }).records);
  } catch {
    // an object that does not end on its first line: pretty-printed, unless other lines are whole
    // objects (then it is JSON lines with a broken first line, rejected like any other)
    return !sample.slice(1).some((line) => isJsonObject(line));
  }
}

/** One whole JSON object on one line (a JSON-lines record). */
export function isJsonObject(line: string): boolean {
  const text = line.trim();
  if (!text.startsWith('{') || !text.endsWith('}')) return false;
  try {
    return typeof JSON.parse(text) === 'object';
  } catch {
    return false;
  }
}
