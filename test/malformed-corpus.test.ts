// Issue 8's malformed-input corpus: for every file, lines read = events + rejected + skipped,
// rejected lines are listed with their number, nothing crashes; an unreadable file is a clear
// error for that file only.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingest } from './support/ingest.js';
import { writeCorpus } from './support/malformed-corpus.js';

const dir = mkdtempSync(path.join(tmpdir(), 'apiaudit-corpus-'));

describe.each(writeCorpus(dir))('$name', (entry) => {
  it('is accounted for exactly, without a crash', async () => {
    const { db, results } = await ingest([entry.file], { logType: entry.logType, logPattern: entry.logPattern });
    try {
      const r = results[0]!;
      if (entry.expect.status === 'error') {
        expect(r.status).toBe('error');
        expect(r.error).toMatch(entry.expect.message);
        expect(r.error).toContain(entry.name);
        return;
      }
      expect(r.status, r.error).toBe('ingested');
      expect({ lines: r.lines, events: r.events, rejected: r.rejected }).toEqual({
        lines: entry.expect.lines, events: entry.expect.events, rejected: entry.expect.rejected,
      });
      if (entry.expect.skipped !== undefined) expect(r.skipped).toBe(entry.expect.skipped);
      if (entry.expect.detectedAs) expect(r.logType).toBe(entry.expect.detectedAs);
      if (entry.expect.rejectedLines) {
        expect(r.rejectedLines.map((x) => x.line)).toEqual(entry.expect.rejectedLines.map((x) => x.line));
        entry.expect.rejectedLines.forEach((want, i) => expect(r.rejectedLines[i]!.reason).toMatch(want.reason));
      }
      expect(r.lines).toBe(r.events + r.rejected + r.skipped);
      expect(r.rejectedLines).toHaveLength(Math.min(r.rejected, 20));
      for (const rejected of r.rejectedLines) {
        expect(rejected.line).toBeGreaterThanOrEqual(1);
        expect(rejected.line).toBeLessThanOrEqual(r.lines);
        expect(rejected.reason).not.toBe('');
      }
      const [{ n }] = await db.all<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM events`);
      expect(n).toBe(r.events);
    } finally {
      db.close();
    }
  });
});
