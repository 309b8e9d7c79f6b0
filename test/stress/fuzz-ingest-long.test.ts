// The ingest-accounting property of test/fuzz-ingest.test.ts, with many more runs: 100 per log
// type (19 cases; 300 each would take about 17 minutes on two cores).
import { describe, it } from 'vitest';
import { checkIngestAccounting, FUZZ_CASES } from '../support/fuzz.js';

describe.each(FUZZ_CASES)('$name', (fuzzCase) => {
  it('accounts for every line of any mutated file (100 runs)', async () => {
    await checkIngestAccounting(fuzzCase, 100);
  });
});
