// The ingest-accounting property of test/fuzz-ingest.test.ts, with many more runs: 70 per case
// (19 cases, about 5 minutes on two shared cores; 100 took 7.5 minutes and 300 about 15).
import { describe, it } from 'vitest';
import { checkIngestAccounting, FUZZ_CASES } from '../support/fuzz.js';

describe.each(FUZZ_CASES)('$name', (fuzzCase) => {
  it('accounts for every line of any mutated file (70 runs)', async () => {
    await checkIngestAccounting(fuzzCase, 70);
  });
});
