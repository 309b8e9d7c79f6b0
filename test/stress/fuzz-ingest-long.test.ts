// The ingest-accounting property of test/fuzz-ingest.test.ts, with many more runs.
import { describe, it } from 'vitest';
import { checkIngestAccounting, FUZZ_CASES } from '../support/fuzz.js';

describe.each(FUZZ_CASES)('$name', ({ choice, lines }) => {
  it('accounts for every line of any mutated file (300 runs)', async () => {
    await checkIngestAccounting(choice, lines, 300);
  });
});
