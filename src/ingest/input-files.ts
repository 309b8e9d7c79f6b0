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
  /** Of the bytes as stored (the compressed bytes of a .gz). */
  sha256: string;
  size: number;
  compression: 'none' | 'gzip';
  /** SHA-256 and size of the content: the decompressed bytes of a .gz, else the bytes as stored. */
  contentSha256: string;
  contentSize: number;
  /** SHA-256 of the content's first `n` bytes, for each requested `n` below its size (see ingest/growth.ts). */
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
 * Size, modification time and compression (as fileFacts decides it, from the first two bytes)
 * without reading the file; undefined when unreadable.
 */
export async function headerFacts(absolutePath: string): Promise<{ size: number; mtimeMs: number; compression: 'none' | 'gzip' } | undefined> {
  try {
    const handle = await open(absolutePath, 'r');
    try {
      const { size, mtimeMs } = await handle.stat();
      const magic = Buffer.alloc(2);
      const { bytesRead } = await handle.read(magic, 0, 2, 0);
      return { size, mtimeMs, compression: startsLikeGzip(magic.subarray(0, bytesRead)) ? 'gzip' : 'none' };
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
}

/**
 * Hash, size and compression in one read, the content's hash and size, and the hashes of the
 * content's prefixes that end at `prefixSizes` (see growth.ts). A gzip file is decompressed on the
 * side (zlib runs off the main thread) and its CRC checked: DuckDB reads a truncated .gz up to the
 * damage without complaint, and the lines after it would be lost silently. Its content is hashed
 * so that logrotate's compressed copy of a file ingested before is known for what it is.
 */
export async function fileFacts(absolutePath: string, displayPath = absolutePath, prefixSizes: number[] = []): Promise<FileFacts> {
  // a plain file's content is its bytes: one hash (a second would cost 0.1 s per 150 MB)
  let stored: PrefixHasher | undefined;
  let content: PrefixHasher | undefined;
  let size = 0;
  let gunzip: Gunzip | undefined;
  let gzipError: unknown;
  let gunzipDone: Promise<void> = Promise.resolve();
  const corrupt = () => new UserError('input', `cannot read ${displayPath}: corrupt or truncated gzip data`, { cause: gzipError });
  try {
    for await (const chunk of createReadStream(absolutePath, { highWaterMark: 1 << 20 })) {
      const whole = chunk as Buffer;
      if (size === 0 && startsLikeGzip(whole)) {
        const decompressed = new PrefixHasher(prefixSizes);
        content = decompressed;
        stored = new PrefixHasher([]);
        gunzip = createGunzip();
        gunzip.on('data', (bytes: Buffer) => decompressed.update(bytes));
        gunzipDone = finished(gunzip).catch((error: unknown) => {
          gzipError = error;
        });
      }
      stored ??= content = new PrefixHasher(prefixSizes);
      stored.update(whole);
      size += whole.length;
      if (gunzip && !gzipError && !gunzip.write(whole)) await Promise.race([once(gunzip, 'drain').catch(() => undefined), gunzipDone]);
    }
    gunzip?.end();
  } catch (error) {
    throw new UserError('input', `cannot read ${displayPath}: ${(error as NodeJS.ErrnoException).code ?? 'read error'}`, { cause: error });
  }
  await gunzipDone;
  if (gzipError) throw corrupt();
  stored ??= content = new PrefixHasher([]); // an empty file
  const bytes = stored.finish();
  const whole = content === stored ? bytes : content!.finish();
  return {
    sha256: bytes.sha256, size, compression: gunzip ? 'gzip' : 'none', contentSha256: whole.sha256, contentSize: whole.size, prefixSha256: whole.prefixes,
  };
}

/** A running SHA-256 that also gives the hashes of the prefixes ending at the given sizes. */
class PrefixHasher {
  private readonly hash = createHash('sha256');
  private readonly cuts: number[];
  private readonly prefixes = new Map<number, string>();
  private size = 0;

  constructor(prefixSizes: number[]) {
    this.cuts = [...new Set(prefixSizes)].filter((n) => n > 0).sort((a, b) => a - b);
  }

  update(bytes: Buffer): void {
    // a prefix hash is a copy of the running hash taken where the prefix ends
    let rest = bytes;
    while (this.cuts.length && this.cuts[0]! <= this.size + rest.length) {
      const upTo = this.cuts.shift()! - this.size;
      this.hash.update(rest.subarray(0, upTo));
      this.size += upTo;
      rest = rest.subarray(upTo);
      this.prefixes.set(this.size, this.hash.copy().digest('hex'));
    }
    this.hash.update(rest);
    this.size += rest.length;
  }

  finish(): { sha256: string; size: number; prefixes: Map<number, string> } {
    this.prefixes.delete(this.size); // the whole content is not a prefix of itself
    return { sha256: this.hash.digest('hex'), size: this.size, prefixes: this.prefixes };
  }
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
