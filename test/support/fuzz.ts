// Property-based input for the ingest accounting tests: valid lines of a format, mutated the way
// real logs and attackers mutate them (cut, spliced, bytes flipped, quotes and escapes injected).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { expect } from 'vitest';
import type { FormatChoice } from '../../src/ingest/index.js';
import { ingest } from './ingest.js';

const NASTY = ['"', '\\', '\\x22', '[', ']', '\t', '\r', '\0', '\u202e', '%00', ' - ', '""', '{', '}', ',', '\uFFFD', '\u00e9', 'eyJhbGciOiJub25lIn0.e30.'];

export function mutatedLine(valid: string): fc.Arbitrary<Buffer> {
  const text = fc.constant(Buffer.from(valid));
  const cut = fc.nat({ max: valid.length }).map((n) => Buffer.from(valid.slice(0, n)));
  const splice = fc.tuple(fc.nat({ max: valid.length }), fc.constantFrom(...NASTY)).map(([i, s]) => Buffer.from(valid.slice(0, i) + s + valid.slice(i)));
  const flip = fc.tuple(fc.nat({ max: Math.max(0, valid.length - 1) }), fc.integer({ min: 0, max: 255 })).map(([i, b]) => {
    const buffer = Buffer.from(valid);
    buffer[i] = b === 0x0a ? 0x20 : b; // a new line would make two lines: covered by `random bytes`
    return buffer;
  });
  const randomBytes = fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a));
  return fc.oneof({ weight: 3, arbitrary: text }, cut, splice, { weight: 2, arbitrary: flip }, randomBytes);
}

/** A file: mutated lines joined with \n, \r\n or \r, maybe without a final newline. */
export function mutatedFile(validLines: string[]): fc.Arbitrary<Buffer> {
  return fc
    .tuple(
      fc.array(fc.constantFrom(...validLines).chain(mutatedLine), { minLength: 1, maxLength: 40 }),
      fc.constantFrom('\n', '\r\n'),
      fc.boolean(),
    )
    .map(([lines, eol, finalEol]) => {
      const parts: Buffer[] = [];
      lines.forEach((line, i) => {
        parts.push(line);
        if (i < lines.length - 1 || finalEol) parts.push(Buffer.from(eol));
      });
      return Buffer.concat(parts);
    });
}

export interface FuzzCase {
  name: string;
  choice: FormatChoice;
  /** Valid lines of the format, to mutate. */
  lines: string[];
}

export const FUZZ_CASES: FuzzCase[] = [
  {
    name: 'nginx combined',
    choice: { logType: 'nginx' },
    lines: [
      '192.0.2.1 - alice [05/Jan/2026:09:00:00 +0100] "GET /api/Items?page=2 HTTP/1.1" 200 512 "https://app.example/" "Mozilla/5.0 (X11)"',
      '2001:db8::7 - - [05/Jan/2026:09:00:01 +0000] "POST /api/Auth/login HTTP/2.0" 401 61 "-" "curl/8.5"',
      'www.example.com 10.0.0.1, 198.51.100.9 - - [05/Jan/2026:09:00:02 +0000] "" 400 0 "-" "-"',
    ],
  },
  {
    name: 'nginx log_format with credentials',
    choice: { logType: 'nginx', logPattern: '$time_iso8601 $remote_addr $scheme "$request" $status "$http_authorization"' },
    lines: [
      '2026-01-05T09:00:00Z 203.0.113.5 https "GET /api/Customers/me HTTP/1.1" 200 "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln"',
      '2026-01-05T09:00:01+02:00 203.0.113.6 http "GET /api/x?access_token=abc HTTP/1.1" 401 "Basic Ym9iOnB3"',
    ],
  },
];

const fuzzDir = mkdtempSync(path.join(tmpdir(), 'apiaudit-fuzz-'));
let fileCount = 0;

/** Runs the accounting property over `runs` mutated files of one format. */
export async function checkIngestAccounting(choice: FormatChoice, lines: string[], runs: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(mutatedFile(lines), async (bytes) => {
      const file = path.join(fuzzDir, `f${fileCount++}.log`);
      writeFileSync(file, bytes);
      const { db, results } = await ingest([file], choice);
      try {
        const r = results[0]!;
        expect(r.status, r.error).toBe('ingested');
        expect(r.lines).toBe(r.events + r.rejected + r.skipped);
        const [{ stored }] = await db.all<{ stored: number }>(`SELECT count(*)::INTEGER AS stored FROM events`);
        expect(stored).toBe(r.events);
      } finally {
        db.close();
        rmSync(file, { force: true });
      }
    }),
    // found by the long run: a file that opens like a JSON document but is not one
    { numRuns: runs, examples: [[Buffer.from('{\n')], [Buffer.from('[{"a":\n')]] },
  );
}
