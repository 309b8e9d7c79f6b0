// Surveys of several files in one query (ingest/survey.ts) are only a speed-up: each file's survey
// must be exactly the one it gets on its own, whatever the batch holds or however files change.
import { appendFileSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { findFormat, installMacros, type InputFile } from '../src/ingest/index.js';
import { FileSurveys, surveyFile } from '../src/ingest/survey.js';
import { Database } from '../src/store/index.js';
import { fixture } from './support/ingest.js';

const iis = findFormat('iis');
const cloudfront = findFormat('aws-cloudfront');

/** Writes the files into a new folder; names ending in .gz are gzip-compressed. */
function folderOf(files: Array<[string, string | Buffer]>): InputFile[] {
  const folder = mkdtempSync(path.join(tmpdir(), 'apiaudit-survey-'));
  return files.map(([name, content]) => {
    const absolutePath = path.join(folder, name);
    writeFileSync(absolutePath, name.endsWith('.gz') ? gzipSync(content) : content);
    return { absolutePath, displayPath: name };
  });
}

const header = (fields: string, date = '2026-01-05 00:00:00') => `#Software: Microsoft Internet Information Services 10.0\n#Date: ${date}\n#Fields: ${fields}\n`;
const FIELDS = 'date time c-ip cs-method cs-uri-stem sc-status';
const line = (n: number) => `2026-01-05 09:00:${String(n % 60).padStart(2, '0')} 192.0.2.${n % 250} GET /api/Customers/${n} 200\n`;
const lines = (from: number, count: number) => Array.from({ length: count }, (_, i) => line(from + i)).join('');

/** Files of every kind a batch meets: one layout, layout changes, several dates, no directive, real W3C fixtures. */
function mixedFiles(): Array<[string, string | Buffer]> {
  const lnav = fixture('lnav', 'iis-w3c');
  return [
    ['a.log', header(FIELDS) + lines(0, 5)],
    ['b-two-layouts.log', header(FIELDS) + lines(5, 3) + header('date time c-ip cs-method cs-uri-stem sc-status time-taken') + lines(8, 2)],
    ['c-two-dates.log', header(FIELDS) + lines(10, 2) + header(FIELDS, '2026-01-06 00:00:00') + lines(12, 2)],
    ['d-no-directive.log', lines(14, 3)],
    ['e.log', header(FIELDS) + lines(17, 4)],
    ...readdirSync(lnav).map((name): [string, Buffer] => [`f-${name}`, readFileSync(path.join(lnav, name))]),
    ['g.log', header(FIELDS) + lines(21, 4)],
  ];
}

describe('surveys of several files', () => {
  let db: Database;
  beforeAll(async () => {
    db = await Database.open(null);
    await installMacros(db);
  });
  afterAll(() => db.close());
  afterEach(() => vi.restoreAllMocks());

  const alone = (files: InputFile[], compression: 'none' | 'gzip' = 'none') =>
    Promise.all(files.map((file) => surveyFile(db, iis.surveySql!, file, compression)));
  /** Counts the survey queries (alone: db.one; together: db.all with survey_of). */
  const countSurveys = () => {
    const one = vi.spyOn(db, 'one');
    const all = vi.spyOn(db, 'all');
    return () =>
      one.mock.calls.filter(([sql]) => sql.includes('AS layouts')).length + all.mock.calls.filter(([sql]) => sql.includes('survey_of')).length;
  };

  it('gives each file the survey it gets on its own, with one query for the files that have directives', async () => {
    const files = folderOf(mixedFiles());
    const expected = await alone(files);
    const surveys = new FileSurveys();
    surveys.expect(files.map((file) => ({ file, format: iis })));
    const queries = countSurveys();
    const got = [];
    for (const file of files) got.push(await surveys.of(db, iis, file, 'none'));
    expect(got).toEqual(expected);
    // one query for all; the file without a `#` line has no row in it and is surveyed again alone
    expect(queries()).toBe(2);
    // the batch saw what it should: several layouts, several dates, none
    expect(got.map((s) => [(s!.layouts as unknown[]).length, (s!.dates as unknown[]).length]).slice(0, 4)).toEqual([[1, 1], [2, 1], [1, 2], [0, 0]]);
  });

  it('surveys a file again when it changed after the batch, or is read as another type than expected', async () => {
    const files = folderOf([['a.log', header(FIELDS) + lines(0, 3)], ['b.log', header(FIELDS) + lines(3, 3)], ['c.log', header(FIELDS) + lines(6, 3)]]);
    const surveys = new FileSurveys();
    surveys.expect(files.map((file) => ({ file, format: iis })));
    await surveys.of(db, iis, files[0]!, 'none');
    // b.log grows a new layout after the batch surveyed it: its survey must show both
    appendFileSync(files[1]!.absolutePath, `#Fields: ${FIELDS} time-taken\n${line(9).trimEnd()} 15\n`);
    const grown = await surveys.of(db, iis, files[1]!, 'none');
    expect(grown!.layouts as unknown[]).toHaveLength(2);
    expect(grown).toEqual((await alone([files[1]!]))[0]);
    // c.log is asked for as CloudFront (detected again, say): not the batch's IIS survey
    const queries = countSurveys();
    expect(await surveys.of(db, cloudfront, files[2]!, 'none')).toEqual(await surveyFile(db, cloudfront.surveySql!, files[2]!, 'none'));
    expect(queries()).toBe(2); // its own survey, and the one to compare
  });

  it('keeps gzip and plain files apart, and falls back to each file alone when one is not UTF-8', async () => {
    const files = folderOf([
      ['a.log', header(FIELDS) + lines(0, 3)],
      ['b.log.gz', header(FIELDS) + lines(3, 3)],
      ['c.log', Buffer.concat([Buffer.from(header(FIELDS) + lines(6, 3)), Buffer.from([0x23, 0xe9, 0x0a])])],
      ['d.log.gz', header('date time c-ip cs-method cs-uri-stem sc-status time-taken') + lines(9, 3)],
      ['e.log', header(FIELDS) + lines(12, 3)],
    ]);
    const compression = (file: InputFile) => (file.absolutePath.endsWith('.gz') ? 'gzip' : 'none');
    const expected = await Promise.all(files.map((file) => surveyFile(db, iis.surveySql!, file, compression(file))));
    expect(expected[2]).toBeUndefined(); // not UTF-8: the parse does without a survey
    const surveys = new FileSurveys();
    surveys.expect(files.map((file) => ({ file, format: iis })));
    const queries = countSurveys();
    const got = [];
    for (const file of files) got.push(await surveys.of(db, iis, file, compression(file)));
    expect(got).toEqual(expected);
    // plain: a, c, e together (fails on c), then each alone: a, c, e; gzip: b and d together
    expect(queries()).toBe(5);
  });
});
