// The nginx `combined` fast path (split at the quotes, match only the short head) must give
// exactly what the full regex gives, for every line it takes; every other line goes to the regex.
// Checked on the real fixtures and on lines mutated the way the fuzz test mutates them.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { listValue } from '@duckdb/node-api';
import { combinedExpressions } from '../src/ingest/formats/nginx.js';
import { Database } from '../src/store/index.js';
import { mutatedLine } from './support/fuzz.js';
import { fixture } from './support/ingest.js';

const FIXTURE_FILES = ['crowdsec-hub/nginx-combined/nginx_http-logs.log', 'beats/nginx-access/test.log', 'beats/nginx-ingress-controller/test.log'];
const CANONICAL = '192.0.2.1 - alice [05/Jan/2026:09:00:00 +0100] "GET /api/Items?page=2 HTTP/1.1" 200 512 "https://app.example/" "Mozilla/5.0 (X11)"';

let db: Database;
beforeAll(async () => {
  db = await Database.open(null);
});
afterAll(() => db.close());

interface Compared {
  line: string;
  fast: boolean;
  same: boolean;
  regex: Record<string, string>;
}

/** Each line through both paths: whether the fast path takes it, and whether both agree. */
async function compare(lines: string[]): Promise<Compared[]> {
  const { prepare, fastPath, regex, expr } = combinedExpressions();
  const prepared = Object.entries(prepare).map(([name, sql]) => `${sql} AS ${name}`).join(', ');
  return db.all<Compared>(
    `SELECT line, coalesce(${fastPath}, false) AS fast, (${expr}) IS NOT DISTINCT FROM (${regex}) AS same, to_json(${regex})::VARCHAR AS regex
     FROM (SELECT line, ${prepared} FROM (SELECT unnest($lines::VARCHAR[]) AS line))`,
    { lines: listValue(lines) },
  );
}

it('takes the canonical combined line, with the fields the regex gives', async () => {
  const [row] = await compare([CANONICAL]);
  expect(row).toMatchObject({ fast: true, same: true });
  expect(JSON.parse(String(row!.regex))).toMatchObject({ remote_addr: '192.0.2.1', ident: '-', remote_user: 'alice', request: 'GET /api/Items?page=2 HTTP/1.1' });
});

it('leaves to the regex what it cannot read exactly: a prefix, extra fields, trailing blanks, quotes in odd places', async () => {
  const others = [
    `www.example.com ${CANONICAL}`, // a vhost prefix
    `"10.0.0.1, 10.0.0.2" ${CANONICAL}`, // a quoted X-Forwarded-For prefix
    `${CANONICAL} "203.0.113.9"`, // Debian's main: "$http_x_forwarded_for" after the user agent
    `${CANONICAL} `,
    CANONICAL.replace('200 512', '200 512 7'),
    CANONICAL.replace('192.0.2.1 - alice', '192.0.2.1 alice'), // no ident
    CANONICAL.replace('"Mozilla/5.0 (X11)"', 'Mozilla'),
  ];
  const rows = await compare(others);
  expect(rows.map((r) => r.fast)).toEqual(others.map(() => false));
});

it('agrees with the regex on every line of the nginx fixtures (most have a prefix or extra fields: the regex reads those)', async () => {
  const lines = FIXTURE_FILES.flatMap((f) => readFileSync(fixture(f), 'utf8').split(/\r?\n/).filter((l) => l !== ''));
  const rows = await compare(lines);
  expect(rows.filter((r) => !r.same)).toEqual([]);
  expect(rows.filter((r) => r.fast).length).toBeGreaterThan(0);
});

it('agrees with the regex on mutated lines', async () => {
  const valid = [CANONICAL, '2001:db8::7 - - [05/Jan/2026:09:00:01 +0000] "POST /api/Auth/login HTTP/2.0" 401 61 "-" "curl/8.5"'];
  let fastTaken = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(fc.constantFrom(...valid).chain(mutatedLine), { minLength: 1, maxLength: 50 }), async (buffers) => {
      const rows = await compare(buffers.map((b) => b.toString('utf8').replace(/[\r\n]/g, ' ')));
      fastTaken += rows.filter((r) => r.fast).length;
      expect(rows.filter((r) => !r.same)).toEqual([]);
    }),
    { numRuns: 60 },
  );
  expect(fastTaken).toBeGreaterThan(0);
});
