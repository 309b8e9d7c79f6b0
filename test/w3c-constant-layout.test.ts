// W3C files (IIS, CloudFront) with one #Fields layout and one #Date for all their data lines are
// parsed without the window over numbered lines, in parallel, and numbered afterwards. That path
// must give exactly what the general one gives: the same file with a directive appended after its
// last data line (which changes no data line) takes the general path, and both are compared.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { awsCloudfront } from '../src/ingest/formats/aws-cloudfront.js';
import type { LogFormat } from '../src/ingest/formats/format.js';
import { iis } from '../src/ingest/formats/iis.js';
import { w3cConstantLayout, w3cSurveySql } from '../src/ingest/formats/w3c.js';
import { fileLineSource } from '../src/ingest/line-source.js';
import { installMacros } from '../src/ingest/index.js';
import { Database } from '../src/store/index.js';
import { fixture, ingestText, tempFile } from './support/ingest.js';

const IIS_HEADER = [
  '#Software: Microsoft Internet Information Services 10.0',
  '#Version: 1.0',
  '#Date: 2026-11-30 00:00:00',
  '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken',
];
const IIS_LINES = [
  '2026-11-30 00:00:01 10.0.0.5 GET /api/Orders - 443 - 203.0.113.7 curl/8.5 - 401 2 5 3',
  '2026-11-30 00:00:02 10.0.0.5 GET /api/Orders id=1 443 alice 203.0.113.7 Mozilla/5.0+(X11) - 200 0 0 12',
  '- 00:00:03 10.0.0.5 GET /api/Items - 80 - 198.51.100.2 curl/8.5 - 200 0 0 1', // no date: the #Date's
  '2026-11-30 00:00:04 10.0.0.5 GET /too/few/values', // rejected: number of values
  '',
  // an IIS restart writes the same header again
  ...IIS_HEADER,
  '2026-11-30 00:05:00 10.0.0.5 POST /api/Auth/login - 443 - 203.0.113.9 curl/8.5 - 403 0 0 7',
];

/** What the survey and the first lines decide for `file`: the constant layout, or undefined. */
async function constantLayout(format: LogFormat, file: string) {
  const db = await Database.open(null);
  try {
    await installMacros(db);
    const survey = await db.one<Record<string, unknown>>(w3cSurveySql(fileLineSource('utf-8', false)), { path: file, compression: 'none' });
    const head = readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '').slice(0, 50);
    return { layout: w3cConstantLayout({ lines: '', survey, head }), safe: (format.parallelSafe as (c: object) => boolean)({ lines: '', survey, head }) };
  } finally {
    db.close();
  }
}

/** Ingests `text` as it is and with a trailing directive; both results must agree. */
async function bothPaths(name: string, text: string, logType: string, trailing: string) {
  const fast = await ingestText(name, text, { logType });
  const general = await ingestText(name, `${text}${trailing}\n`, { logType });
  fast.db.close();
  general.db.close();
  return { fast, general };
}

it('reads an IIS file with one layout (written again after a restart) as the general path does, line numbers included', async () => {
  const text = `${[...IIS_HEADER, ...IIS_LINES].join('\n')}\n`;
  expect(await constantLayout(iis, tempFile('u.log', text))).toMatchObject({ layout: { dirDate: '2026-11-30' }, safe: true });
  const trailing = '#Fields: date time c-ip'; // a second layout: the general path
  expect((await constantLayout(iis, tempFile('u.log', `${text}${trailing}\n`))).layout).toBeUndefined();

  const { fast, general } = await bothPaths('u.log', text, 'iis', trailing);
  expect(fast.events).toEqual(general.events);
  expect(fast.results[0]!.rejectedLines).toEqual(general.results[0]!.rejectedLines);
  expect(fast.results[0]).toMatchObject({ lines: 14, events: 4, rejected: 1, skipped: 9 });
  expect(fast.results[0]!.rejectedLines).toEqual([{ line: 8, reason: 'number of values does not match the IIS #Fields columns' }]);
  expect(fast.events.map((e) => [e.line_no, e.ts, e.status_detail])).toEqual([
    [5, '2026-11-30T00:00:01.000Z', '401.2 win32=5'],
    [6, '2026-11-30T00:00:02.000Z', '200.0 win32=0'],
    [7, '2026-11-30T00:00:03.000Z', '200.0 win32=0'], // the date of the #Date directive
    [14, '2026-11-30T00:05:00.000Z', '403.0 win32=0'],
  ]);
});

it('keeps the general path where one layout does not hold for every data line', async () => {
  const cases: Record<string, string[]> = {
    'a layout change in the middle': [...IIS_HEADER, IIS_LINES[0]!, '#Fields: date time c-ip cs-method cs-uri-stem sc-status', '2026-11-30 00:00:09 203.0.113.7 GET /x 404'],
    'data before the #Fields line': [IIS_LINES[0]!, ...IIS_HEADER, IIS_LINES[1]!],
    'two dates': [...IIS_HEADER, IIS_LINES[2]!, '#Date: 2026-12-01 00:00:00', IIS_LINES[2]!],
    'a date declared after the first data line': [IIS_HEADER[3]!, IIS_LINES[2]!, '#Date: 2026-12-01 00:00:00', IIS_LINES[2]!],
  };
  for (const [name, lines] of Object.entries(cases)) {
    expect((await constantLayout(iis, tempFile('g.log', `${lines.join('\n')}\n`))).layout, name).toBeUndefined();
  }
});

it('reads a file with no #Fields line (the default layout) in parallel, as the general path does', async () => {
  const text = `${IIS_LINES.slice(0, 4).join('\n')}\n`;
  expect(await constantLayout(iis, tempFile('d.log', text))).toMatchObject({ layout: { declared: null, dirDate: null }, safe: true });
  const { fast, general } = await bothPaths('d.log', text, 'iis', '#Date: 2026-12-01 00:00:00\n#Date: 2026-12-02 00:00:00');
  expect(fast.events).toEqual(general.events);
  expect(fast.results[0]!.rejectedLines).toEqual(general.results[0]!.rejectedLines);
  expect(fast.events.map((e) => e.line_no)).toEqual([1, 2]); // line 3 has no date and no #Date; line 4 too few values
});

it('agrees with the general path on the IIS and CloudFront fixtures', async () => {
  const iisText = readFileSync(fixture('beats/iis-w3c/test.log'), 'utf8');
  const a = await bothPaths('iis.log', iisText, 'iis', '#Fields: date time c-ip');
  expect(a.fast.events).toEqual(a.general.events);
  const cfText = readFileSync(fixture('crowdsec-hub/aws-cloudfront/aws-cloudfront-logs.log'), 'utf8');
  expect((await constantLayout(awsCloudfront, tempFile('cf.log', cfText))).safe).toBe(true); // no header: the documented layout
  const b = await bothPaths('cf.log', cfText, 'aws-cloudfront', '#Fields: date time c-ip\n#Fields: date time');
  expect(b.fast.events.length).toBeGreaterThan(0);
  expect(b.fast.events).toEqual(b.general.events);
  expect(b.fast.results[0]!.rejectedLines).toEqual(b.general.results[0]!.rejectedLines);
});
