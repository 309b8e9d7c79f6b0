// Property: whatever bytes a log holds, ingest never crashes and accounts for every line:
// lines = events + rejected + skipped, and the database holds exactly `events` rows. One case per
// log type (test/support/fuzz.ts), 10 runs each here; 70 each in test/stress/fuzz-ingest-long.test.ts.
import { describe, expect, it } from 'vitest';
import { FORMATS } from '../src/ingest/index.js';
import { checkIngestAccounting, FUZZ_CASES } from './support/fuzz.js';

it('has a case for every log type', () => {
  expect(new Set(FUZZ_CASES.map((c) => c.choice.logType))).toEqual(new Set(FORMATS.map((f) => f.id)));
});

describe.each(FUZZ_CASES)('$name', (fuzzCase) => {
  it('accounts for every line of any mutated file', async () => {
    await checkIngestAccounting(fuzzCase, 10);
  });
});
