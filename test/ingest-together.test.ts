// Small files that parse alike are read by one query and committed in one transaction (ingest/load.ts,
// loadTogether). That is only a speed-up: whatever the files, the database and the results must be
// exactly those of ingesting the same files one at a time, in the same order.
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ingestFiles, type IngestResult, type InputFile } from '../src/ingest/index.js';
import { isJsonDocument } from '../src/ingest/input-files.js';
import { Database } from '../src/store/index.js';
import { FIXTURES, fixture } from './support/ingest.js';

/** The line-based fixture logs (JSON documents are read alone: not the subject here). */
function fixtureLogs(directory = FIXTURES): string[] {
  return readdirSync(directory).flatMap((name) => {
    const file = path.join(directory, name);
    if (statSync(file).isDirectory()) return name === 'LICENSES' ? [] : fixtureLogs(file);
    if (!/(\.log|\.json|_w3c\.\d)$/.test(name) || /expected|grok-spec/.test(name)) return [];
    return isJsonDocument(readFileSync(file, 'utf8').split('\n').slice(0, 5)) ? [] : [file];
  });
}

const STORY = readFileSync(fixture('story', 'nginx-api.access.log'), 'utf8').split('\n').filter((l) => l !== '');

/**
 * A folder of files that exercise the grouping: parts of one nginx log (with blank and rejected
 * lines, CRLF, no final newline, an empty part), a part that is not UTF-8, a copy of a part, a part
 * that continues an earlier one, gzip parts, and every line-based fixture (other formats between).
 */
function pool(): InputFile[] {
  const folder = mkdtempSync(path.join(tmpdir(), 'apiaudit-together-'));
  const files: Array<[string, string | Buffer]> = [];
  const part = (i: number) => STORY.slice(i * 10, (i + 1) * 10); // STORY has 120 lines
  files.push(['a-part1.log', `${part(0).join('\n')}\n`]);
  files.push(['a-part2.log', `${part(1).join('\n')}\n\nnot a log line\n${part(2).join('\n')}\n`]);
  files.push(['a-part3.log', `${part(3).join('\r\n')}`]);
  files.push(['a-part4-empty.log', '']);
  files.push(['a-part5-latin1.log', Buffer.concat([Buffer.from(`${part(4).join('\n')}\n`), Buffer.from([0x47, 0x45, 0xe9, 0x0a])])]);
  files.push(['a-part6-copy.log', `${part(0).join('\n')}\n`]);
  files.push(['a-part7-grown.log', `${[...part(1), '', 'not a log line', ...part(2), ...part(5)].join('\n')}\n`]);
  files.push(['a-part8.log.gz', gzipSync(`${part(6).join('\n')}\n`)]);
  files.push(['a-part9.log.gz', gzipSync(`${part(7).join('\n')}\n`)]);
  files.push(['a-part9b-copy-of-8.log', `${part(6).join('\n')}\n`]);
  files.push(['a-part9c.log', `${part(8).join('\n')}\n`]);
  for (const log of fixtureLogs()) files.push([`b-${path.relative(FIXTURES, log).replace(/[\\/]/g, '_')}`, readFileSync(log)]);
  files.push(['c-part10.log', `${part(9).join('\n')}\n`]);
  files.push(['c-part11.log', `${part(10).join('\n')}\n`]);
  return files.map(([name, content]) => {
    const absolutePath = path.join(folder, name);
    writeFileSync(absolutePath, content);
    return { absolutePath, displayPath: name };
  });
}

interface Ingested {
  results: IngestResult[];
  tables: Record<string, unknown[]>;
}

/** Ingests into a fresh database (all at once, or one ingestFiles call per file) and reads every table back, by path. */
async function ingestInto(files: InputFile[], oneAtATime: boolean): Promise<Ingested> {
  const db = await Database.open(null);
  try {
    const results: IngestResult[] = [];
    for (const batch of oneAtATime ? files.map((f) => [f]) : [files]) results.push(...(await ingestFiles(db, batch, { formatFor: () => ({}) })));
    const byPath = `(SELECT file_id, path FROM files)`;
    const tables = {
      files: await db.all(`SELECT * EXCLUDE (file_id, ingested_at, size, lines, events, rejected, skipped, first_ts, last_ts),
                                  size::DOUBLE AS size, lines::DOUBLE AS lines, events::DOUBLE AS events, rejected::DOUBLE AS rejected,
                                  skipped::DOUBLE AS skipped, first_ts::VARCHAR AS first_ts, last_ts::VARCHAR AS last_ts
                           FROM files ORDER BY file_id`),
      events: await db.all(`SELECT f.path, e.* EXCLUDE (file_id, line_no, bytes, ts, jwt_exp, jwt_iat), e.line_no::DOUBLE AS line_no,
                                   e.bytes::DOUBLE AS bytes, e.ts::VARCHAR AS ts, e.jwt_exp::VARCHAR AS jwt_exp, e.jwt_iat::VARCHAR AS jwt_iat
                            FROM events e JOIN ${byPath} f USING (file_id) ORDER BY e.file_id, e.line_no`),
      rejects: await db.all(`SELECT f.path, r.line_no::DOUBLE AS line_no, r.reason FROM rejects r JOIN ${byPath} f USING (file_id) ORDER BY r.file_id, r.line_no`),
      continuations: await db.all(`SELECT f.path, p.path AS continues, c.first_line::DOUBLE AS first_line
                                   FROM file_continuations c JOIN ${byPath} f USING (file_id) JOIN ${byPath} p ON p.file_id = c.continues_file_id ORDER BY f.path`),
      contents: await db.all(`SELECT f.path, c.content_sha256, c.content_size::DOUBLE AS size FROM file_contents c JOIN ${byPath} f USING (file_id) ORDER BY f.path`),
    };
    return { results, tables };
  } finally {
    db.close();
  }
}

/** How many parse queries (staging tables) a run made. */
function countParses() {
  const run = vi.spyOn(Database.prototype, 'run');
  return () => run.mock.calls.filter(([sql]) => String(sql).startsWith('CREATE OR REPLACE TEMP TABLE ingest_stage')).length;
}

describe('small files read together', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('store and report exactly what ingesting them one at a time does, with fewer parse queries', async () => {
    const files = pool();
    const parses = countParses();
    const together = await ingestInto(files, false);
    const togetherParses = parses();
    vi.restoreAllMocks();
    const parsesAlone = countParses();
    const alone = await ingestInto(files, true);
    const aloneParses = parsesAlone();

    expect(together.results).toEqual(alone.results);
    expect(together.tables).toEqual(alone.tables);
    // what the pool is meant to exercise did happen
    const status = (name: string) => together.results.find((r) => r.path === name);
    expect(status('a-part6-copy.log')).toMatchObject({ status: 'duplicate', duplicateOf: 'a-part1.log' });
    expect(status('a-part9b-copy-of-8.log')).toMatchObject({ status: 'duplicate', duplicateOf: 'a-part8.log.gz' });
    expect(status('a-part7-grown.log')).toMatchObject({ status: 'ingested', continues: 'a-part2.log' });
    expect(status('a-part2.log')).toMatchObject({ rejected: 1, skipped: 1, rejectedLines: [{ line: 12 }] });
    expect(status('a-part5-latin1.log')!.rejectedLines).toEqual([{ line: 11, reason: expect.any(String) }]);
    expect(together.tables.events.length).toBeGreaterThan(200);
    // the group with the latin-1 part fails and its files are read alone; the others are read together
    expect(togetherParses).toBeLessThan(aloneParses);
  });

  it('are read by one query when they parse alike, and a file that cannot be read as UTF-8 is read alone after the group fails', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'apiaudit-together-'));
    const files = Array.from({ length: 6 }, (_, i) => {
      const absolutePath = path.join(folder, `part-${i}.log`);
      const lines = STORY.slice(i * 20, (i + 1) * 20).join('\n');
      writeFileSync(absolutePath, i === 3 ? Buffer.concat([Buffer.from(`${lines}\n`), Buffer.from([0xff, 0x0a])]) : `${lines}\n`);
      return { absolutePath, displayPath: `part-${i}.log` };
    });
    let parses = countParses();
    const good = await ingestInto(files.filter((_, i) => i !== 3), false);
    expect(parses()).toBe(1);
    expect(good.results.map((r) => r.events)).toEqual([20, 20, 20, 20, 20]);
    vi.restoreAllMocks();
    parses = countParses();
    const mixed = await ingestInto(files, false);
    expect(parses()).toBe(1 + files.length + 1); // the group, then each alone (the bad one twice: UTF-8, latin-1)
    vi.restoreAllMocks();
    expect(mixed).toEqual(await ingestInto(files, true));
  });

  it('store what one file at a time stores, for any order and choice of files (property)', async () => {
    const files = pool();
    await fc.assert(
      fc.asyncProperty(fc.shuffledSubarray(files, { minLength: 2, maxLength: 9 }), async (chosen) => {
        expect(await ingestInto(chosen, false)).toEqual(await ingestInto(chosen, true));
      }),
      { numRuns: 6 },
    );
  });
});
