// Auto-detection scores every format on a file's first lines with rejectReasonSql(), the part of
// the normalize query that decides whether a line is an event, and stops at the first format that
// accepts every line, running its queries on two connections; a format whose plan's mayRead()
// rules out every line is not queried; files detected together share a query per plan. These
// tests hold it to the slow, obvious way: the reject reasons of the whole normalize query, every
// format scored, in order, one file at a time.
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { listValue } from '@duckdb/node-api';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Detectors } from '../src/ingest/detect.js';
import { FORMATS, detectFormat, detectFormats, ingestFiles, installMacros, type LogFormat } from '../src/ingest/index.js';
import { isJsonDocument, sampleLines } from '../src/ingest/input-files.js';
import { sampleLineSource } from '../src/ingest/line-source.js';
import { normalizeSql, rejectReasonSql } from '../src/ingest/normalize.js';
import { Database } from '../src/store/index.js';
import { FUZZ_CASES, mutatedLine } from './support/fuzz.js';
import { FIXTURES } from './support/ingest.js';

/** Every log file among the fixtures (not the upstream expectations, configs or licenses). */
function fixtureLogs(directory = FIXTURES): string[] {
  return readdirSync(directory).flatMap((name) => {
    const file = path.join(directory, name);
    if (statSync(file).isDirectory()) return name === 'LICENSES' ? [] : fixtureLogs(file);
    return /(\.log|\.json|_w3c\.\d)$/.test(name) && !/expected|grok-spec/.test(name) ? [file] : [];
  });
}

/** Lines that reach each branch of the reject reason: bad and out-of-range times, odd statuses, blanks. */
const ODD_LINES = [
  '',
  '   ',
  '192.0.2.1 - - [05/Jan/2026:09:00:00 +0000] "GET /a HTTP/1.1" 70000 12 "-" "curl/8"',
  '192.0.2.1 - - [05/Jan/2026:09:00:00 +0000] "GET /a HTTP/1.1" - 12 "-" "curl/8"',
  '192.0.2.1 - - [05/Jan/2026:09:00:00 +0000] "GET /a HTTP/1.1" 99 12 "-" "curl/8"',
  '192.0.2.1 - - [45/Jan/2026:09:00:00 +0000] "GET /a HTTP/1.1" 200 12 "-" "curl/8"',
  '192.0.2.1 - - [05/Jan/1960:09:00:00 +0000] "GET /a HTTP/1.1" 200 12 "-" "curl/8"',
  '{"timestamp": "2026-01-05T09:00:00Z", "client_ip": "198.51.100.1", "method": "GET", "url": "/a", "status": "abc"}',
  '{"timestamp": "not a time", "client_ip": "198.51.100.1", "method": "GET", "url": "/a", "status": 200}',
  '{"time": "2026-01-05T09:00:00Z", "status": 200}',
  '[1, 2]',
  'not a log line at all',
  '  {"time": "2026-01-05T09:00:00Z", "status": 200}',
  '\u00a0',
  '\t',
  '\u3000{"time": "2026-01-05T09:00:00Z", "status": 200}',
];

/** A W3C file whose lines take their date from a #Date directive (no date column). */
const DATED_BY_DIRECTIVE = [
  '#Software: Microsoft Internet Information Services 10.0',
  '#Date: 2026-01-05 09:00:00',
  '#Fields: time c-ip cs-method cs-uri-stem sc-status',
  '09:00:01 192.0.2.1 GET /a 200',
];

describe('auto-detection', () => {
  let db: Database;
  let sibling: Database;
  const samples = new Map<string, string[]>();

  beforeAll(async () => {
    db = await Database.open(null);
    await installMacros(db);
    sibling = await db.sibling();
    await installMacros(sibling);
    for (const file of fixtureLogs()) samples.set(path.relative(FIXTURES, file), await sampleLines(file, 'none'));
  });
  afterAll(() => {
    sibling.close();
    db.close();
  });

  const reasons = async (sql: string, sample: string[]) =>
    db.all<{ line_no: number; reject_reason: string | null }>(
      `SELECT line_no::INTEGER AS line_no, reject_reason FROM (${sql}) ORDER BY line_no`,
      { sample: listValue(sample) },
    );
  const planFor = (format: LogFormat, head: string[]) => {
    try {
      return format.plan({ lines: sampleLineSource(), head });
    } catch {
      return undefined; // a format that cannot read these lines at all (a CSV type without a header)
    }
  };

  it('finds fixture logs of every family to compare on', () => {
    expect(samples.size).toBeGreaterThanOrEqual(20);
    expect([...samples.values()].every((lines) => lines.length > 0)).toBe(true);
  });

  it('rejectReasonSql decides every line exactly as the whole normalize query does, for every format', async () => {
    // one sample of every fixture's first lines and the odd lines; then each file on its own for
    // the formats whose query depends on the file's first lines (W3C #Fields, CSV header, JSON keys)
    const combined = [...[...samples.values()].flatMap((lines) => lines.slice(0, 6)), ...ODD_LINES];
    let compared = 0;
    let rejectedLines = 0;
    for (const format of FORMATS) {
      const plan = planFor(format, combined);
      const combinedSql = plan ? normalizeSql(plan) : undefined;
      const cases: Array<[string, string[]]> = [['combined', combined], ...[...samples].map(([name, lines]) => [name, [...lines, ...ODD_LINES]] as [string, string[]])];
      for (const [name, sample] of cases) {
        const own = planFor(format, sample);
        if (!own || (name !== 'combined' && normalizeSql(own) === combinedSql)) continue;
        const expected = await reasons(normalizeSql(own), sample);
        expect(await reasons(rejectReasonSql(own), sample), `${format.id} on ${name}`).toEqual(expected);
        compared += 1;
        rejectedLines += expected.filter((r) => r.reject_reason !== null && r.reject_reason !== 'skip').length;
      }
    }
    expect(compared).toBeGreaterThan(FORMATS.length);
    expect(rejectedLines).toBeGreaterThan(100);
  });

  /**
   * The lines mayRead() rules out (must be rejected) and mayAccept() rules out (must be rejected or
   * skipped), with what the whole normalize query says of them and whether it agrees.
   */
  const ruledOut = async (format: LogFormat, sample: string[]) => {
    const plan = planFor(format, sample);
    if (!plan?.mayRead && !plan?.mayAccept) return [];
    const rows = await reasons(normalizeSql(plan), sample);
    return sample.flatMap((line, i) => {
      const reason = rows[i]!.reject_reason;
      return [
        ...(plan.mayRead && !plan.mayRead(line) ? [{ check: 'mayRead', line, reason, agrees: reason !== null && reason !== 'skip' }] : []),
        ...(plan.mayAccept && !plan.mayAccept(line) ? [{ check: 'mayAccept', line, reason, agrees: reason !== null }] : []),
      ];
    });
  };

  it('mayRead() rules out only lines the whole normalize query rejects, mayAccept() only lines it rejects or skips, for every format', async () => {
    let formats = 0;
    let lines = 0;
    let notAccepted = 0;
    for (const format of FORMATS) {
      // also without their directives (W3C lines whose header was stripped: the default columns),
      // and as a container runtime writes them (Docker's JSON escapes a tab as \t; CRI's prefix)
      const cases = [...samples.values()].flatMap((sample) => [
        [...sample, ...ODD_LINES],
        sample.filter((line) => !line.startsWith('#')),
        sample.map((line) => JSON.stringify({ log: `${line}\n`, stream: 'stdout', time: '2026-01-05T09:00:00.000000000Z' })),
        sample.map((line) => `2026-01-05T09:00:00.000000000Z stdout F ${line}`),
      ]);
      cases.push(DATED_BY_DIRECTIVE);
      const out = (await Promise.all(cases.map((sample) => ruledOut(format, sample)))).flat();
      for (const { check, line, reason, agrees } of out) expect(agrees, `${format.id} ${check}: ${JSON.stringify(line)} is ${reason}`).toBe(true);
      if (out.some((o) => o.check === 'mayRead')) formats += 1;
      lines += out.filter((o) => o.check === 'mayRead').length;
      if (format.id === 'aws-cloudfront') notAccepted += out.filter((o) => o.check === 'mayAccept' && o.reason === 'skip').length;
    }
    // the JSON formats: Caddy, Kong, Google Cloud, both Azure, API Gateway, JSON lines
    expect(formats).toBeGreaterThanOrEqual(6);
    expect(lines).toBeGreaterThan(500);
    // CloudFront's mayAccept rules out skipped lines too: the directives of IIS files
    expect(notAccepted).toBeGreaterThan(10);
    // the dated-by-directive case is one: IIS reads its data line, which has no date of its own
    const iis = FORMATS.find((f) => f.id === 'iis')!;
    expect((await reasons(normalizeSql(planFor(iis, DATED_BY_DIRECTIVE)!), DATED_BY_DIRECTIVE)).at(-1)!.reject_reason).toBeNull();
  });

  /** Mutated lines of one log type (after its unmutated header lines), as a detection sample. */
  const mutatedSample = (cases = FUZZ_CASES) =>
    fc.constantFrom(...cases).chain((fuzzCase) =>
      fc.array(fc.constantFrom(...fuzzCase.lines).chain(mutatedLine), { minLength: 1, maxLength: 20 })
        .map((lines) => [...(fuzzCase.header ?? []), ...lines.map((line) => line.toString('utf8'))]));

  it('rejectReasonSql agrees with the whole normalize query on mutated lines of every type (property)', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedSample(), fc.subarray(ODD_LINES), fc.constantFrom(...FORMATS), async (mutated, odd, format) => {
        const sample = [...mutated, ...odd];
        const plan = planFor(format, sample);
        if (!plan) return;
        expect(await reasons(rejectReasonSql(plan), sample)).toEqual(await reasons(normalizeSql(plan), sample));
      }),
      { numRuns: 60 },
    );
  });

  it('mayRead() and mayAccept() rule out only lines the whole normalize query rejects (or skips), on mutated lines of every type (property)', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedSample(), fc.subarray(ODD_LINES), fc.constantFrom(...FORMATS), async (mutated, odd, format) => {
        for (const { check, line, reason, agrees } of await ruledOut(format, [...mutated, ...odd])) expect(agrees, `${check}: ${JSON.stringify(line)} is ${reason}`).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  /**
   * The rule, the slow way: the most lines accepted (at least half of those not skipped), the
   * earlier format on a tie; with none, of the formats that skip every line (a file of headers) the
   * first that owns them, else the first.
   */
  const reference = async (sample: string[]): Promise<string | undefined> => {
    let best: { id: string; accepted: number } | undefined;
    const headersOnly: LogFormat[] = [];
    for (const format of FORMATS) {
      const plan = planFor(format, sample);
      if (!plan) continue;
      const rows = await reasons(rejectReasonSql(plan), sample);
      const accepted = rows.filter((r) => r.reject_reason === null).length;
      const considered = rows.filter((r) => r.reject_reason !== 'skip').length;
      if (accepted > 0 && accepted >= considered / 2 && (!best || accepted > best.accepted)) best = { id: format.id, accepted };
      if (considered === 0) headersOnly.push(format);
    }
    return best?.id ?? (headersOnly.find((format) => format.ownsHeaders?.(sample)) ?? headersOnly[0])?.id;
  };

  /** The fixture families' samples, and each after a few lines of the previous family. */
  const familyCases = () => {
    const families = [...new Map([...samples].map(([name, lines]) => [path.dirname(name), [name, lines] as const])).values()];
    return families.flatMap(([name, lines], i) => {
      const [previousName, previous] = families[(i + families.length - 1) % families.length]!;
      return [[name, lines], [`${previousName} then ${name}`, [...previous.slice(0, 8), ...lines]]] as Array<[string, string[]]>;
    });
  };
  /** One file's detection on its own: the format id, or the error's message. */
  const alone = (name: string, sample: string[]) =>
    detectFormat([db, sibling], { absolutePath: name, displayPath: name }, {}, sample).then((f) => f.id, (e: Error) => e.message);

  it('detects what scoring every format in order detects', async () => {
    // each line judged by rejectReasonSql (held to normalizeSql above)
    // one file per fixture family, and each family's lines after a few of the previous family's
    // (where an earlier format accepts some lines and a later one more: the search must go on)
    const cases = familyCases();
    // files of W3C directives only: no line to accept, the type is the one that owns them (below)
    cases.push(['iis-headers-only.log', ['#Software: Microsoft Internet Information Services 10.0', '#Fields: date time cs-method cs-uri-stem sc-status']]);
    cases.push(['cloudfront-headers-only.log', ['#Version: 1.0', '#Fields: date time x-edge-location sc-bytes c-ip cs-method']]);
    const detected = new Set<string>();
    let mixed = 0;
    for (const [name, sample] of cases) {
      const file = { absolutePath: path.join(FIXTURES, name), displayPath: name };
      const expected = await reference(sample);
      if (!expected) continue; // headers only or unreadable: the error and fallback paths are tested elsewhere
      expect((await detectFormat([db, sibling], file, {}, sample)).id, name).toBe(expected);
      detected.add(expected);
      if (name.includes(' then ')) mixed += 1;
    }
    expect(detected.size).toBeGreaterThanOrEqual(8);
    expect(mixed).toBeGreaterThanOrEqual(8);
  });

  it('names a file of W3C headers only by whose headers they are (an IIS log just rotated is not CloudFront)', async () => {
    const cases: Array<[string, string[], string]> = [
      ['iis.log', ['#Software: Microsoft Internet Information Services 10.0', '#Version: 1.0', '#Date: 2026-01-05 00:00:00'], 'iis'],
      ['iis-fields.log', ['#Version: 1.0', '#Fields: date time s-ip cs-method cs-uri-stem sc-status'], 'iis'],
      ['cloudfront.log', ['#Version: 1.0', '#Fields: date time x-edge-location sc-bytes c-ip cs-method'], 'aws-cloudfront'],
      // nothing says whose: the first type that skips them all, as before
      ['version.log', ['#Version: 1.0'], (await reference(['#Version: 1.0']))!],
    ];
    for (const [name, sample, expected] of cases) {
      expect((await detectFormat([db, sibling], { absolutePath: name, displayPath: name }, {}, sample)).id, name).toBe(expected);
    }
    expect(cases.at(-1)![2]).toBe('aws-cloudfront');
  });

  it('detects files together exactly as each on its own, errors included', async () => {
    const cases: Array<[string, string[]]> = [
      ...familyCases(),
      ['empty.log', []],
      ['prose.txt', ['not a log line at all', 'nor this one']],
      ['headers-only.log', ['#Software: Microsoft Internet Information Services 10.0', '#Fields: date time cs-method cs-uri-stem sc-status']],
      ['odd.log', ODD_LINES.filter((line) => line.trim() !== '')],
      // plans that look across lines must not see another file's: Traefik's fields in one file
      // decide its plain CLF lines, a #Fields line applies to the data lines after it
      ['traefik.log', samples.get([...samples.keys()].find((name) => name.startsWith('crowdsec-hub/traefik-clf'))!)!],
      ['common.log', ['192.0.2.1 - - [05/Jan/2026:09:00:00 +0000] "GET /a HTTP/1.1" 200 12']],
      ['declared.log', ['#Fields: date time c-ip cs-method cs-uri-stem sc-status', '2026-01-05 09:00:00 192.0.2.1 GET /a 200']],
      ['undeclared.log', ['2026-01-05 09:00:01 192.0.2.1 GET /b 200']],
    ];
    const inputs = cases.map(([name, sample]) => ({ file: { absolutePath: name, displayPath: name }, choice: {}, sample }));
    const together = (await detectFormats([db, sibling], inputs)).map((r) => (r instanceof Error ? r.message : r.id));
    const each = await Promise.all(cases.map(async ([name, sample]) => alone(name, sample)));
    expect(together).toEqual(each);
    // the cases reach every outcome: formats that window over the file among them, and errors
    expect(new Set(each).size).toBeGreaterThanOrEqual(10);
    expect(each).toEqual(expect.arrayContaining(['traefik', 'iis', 'aws-cloudfront', 'nginx']));
    expect(each.some((r) => r.startsWith('cannot detect'))).toBe(true);
  });

  it('detects files together exactly as each on its own, on mutated lines of several types (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutatedSample(), { minLength: 2, maxLength: 5 }), async (batch) => {
        const inputs = batch.map((sample, i) => ({ file: { absolutePath: `${i}.log`, displayPath: `${i}.log` }, choice: {}, sample }));
        const together = (await detectFormats([db, sibling], inputs)).map((r) => (r instanceof Error ? r.message : r.id));
        expect(together).toEqual(await Promise.all(batch.map((sample, i) => alone(`${i}.log`, sample))));
      }),
      { numRuns: 12 },
    );
  });

  describe('ahead of the ingest (Detectors.lookAhead)', () => {
    const folder = () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'apiaudit-detect-'));
      const files = familyCases().filter(([name]) => !name.includes(' then ')).map(([name, lines], i) => {
        const file = path.join(dir, `${String(i).padStart(2, '0')}-${path.basename(name)}`);
        writeFileSync(file, `${lines.join('\n')}\n`);
        return { absolutePath: file, displayPath: path.relative(dir, file) };
      });
      return { dir, files };
    };

    it('gives each file the format it gets on its own, detected in batches', async () => {
      const { files } = folder();
      const stages: string[] = [];
      const store = await Database.open(null);
      try {
        const observer = { wantsProgress: false, progress: () => undefined, stage: (name: string) => stages.push(name) };
        const results = await ingestFiles(store, files, { formatFor: () => ({}), observer });
        const each: Array<string | undefined> = [];
        for (const file of files) {
          const own = await Database.open(null);
          each.push(await ingestFiles(own, [file], { formatFor: () => ({}) }).then(([r]) => r!.logType ?? r!.error));
          own.close();
        }
        expect(results.map((r) => r.logType ?? r.error)).toEqual(each);
        const batched = stages.filter((name) => name.startsWith('detect the types of'));
        expect(batched.length).toBeGreaterThan(0);
      } finally {
        store.close();
      }
    });

    it('detects a file again when it changed after the batch, and skips files ingested before', async () => {
      const { files } = folder();
      const store = await Database.open(null);
      await installMacros(store);
      const detectors = new Detectors(store);
      try {
        const nginxFile = files.find((f) => f.displayPath.includes('nginx'))!;
        const batch = files.map((file) => ({ file, choice: {} }));
        // a JSON document is left to the ingest, which samples its records
        const documents = (await Promise.all(files.map(async (f) => isJsonDocument(await sampleLines(f.absolutePath, 'none'))))).filter(Boolean).length;
        expect(await detectors.lookAhead(batch)).toBe(files.length - documents);
        const iisLines = samples.get([...samples.keys()].find((name) => name.startsWith('beats/iis'))!)!;
        writeFileSync(nginxFile.absolutePath, `${iisLines.join('\n')}\n`);
        const sample = await sampleLines(nginxFile.absolutePath, 'none');
        expect((await detectors.detect(nginxFile, {}, sample)).id).toBe('iis');
        // a file recorded under the same path and size is not sampled ahead
        await ingestFiles(store, [files[0]!], { formatFor: () => ({}) });
        expect(await detectors.lookAhead(batch)).toBe(files.length - documents - 1);
      } finally {
        await detectors.close();
        store.close();
      }
    });
  });

  it('detects what scoring every format in order detects, on mixed mutated lines of two types (property)', async () => {
    const file = { absolutePath: '/dev/null', displayPath: 'mixed.log' };
    await fc.assert(
      fc.asyncProperty(mutatedSample(), mutatedSample(), async (first, second) => {
        const sample = [...first, ...second];
        const expected = await reference(sample);
        const detected = await detectFormat([db, sibling], file, {}, sample).then((f) => f.id, () => undefined);
        expect(detected).toBe(expected);
      }),
      { numRuns: 12 },
    );
  });
});
