// Property: whatever bytes a log holds, ingest never crashes and accounts for every line:
// lines = events + rejected + skipped, and the database holds exactly `events` rows.
// (A longer run of the same property: test/stress/fuzz-ingest-long.test.ts.)
import { describe, it } from 'vitest';
import { checkIngestAccounting, FUZZ_CASES } from './support/fuzz.js';

describe.each(FUZZ_CASES)('$name', ({ choice, lines }) => {
  it('accounts for every line of any mutated file', async () => {
    await checkIngestAccounting(choice, lines, 20);
  });
});
