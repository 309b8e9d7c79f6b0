// The shared SQL macros where a faster form replaced a plain one: both must agree on every value.
import { listValue } from '@duckdb/node-api';
import { expect, it } from 'vitest';
import { installMacros } from '../src/ingest/index.js';
import { Database } from '../src/store/index.js';

it("aa_null_dash is NULL exactly when the value is NULL, '-', or only what trim() removes", async () => {
  const db = await Database.open(null);
  try {
    await installMacros(db);
    const values = ['', '-', ' ', '   ', '\u00a0', '\u3000 ', ' \u2003', '\t', '\n', ' a', 'a ', 'é', '\u00a0x', '--', '- ', 'Mozilla/5.0', '\u200b'];
    const rows = await db.all<{ v: string; fast: boolean; plain: boolean }>(
      `SELECT v, aa_null_dash(v) IS NULL AS fast, (v = '-' OR trim(v) = '') AS plain FROM (SELECT unnest($values::VARCHAR[]) AS v)`,
      { values: listValue(values) },
    );
    expect(rows.filter((r) => r.fast !== r.plain)).toEqual([]);
    expect(rows.filter((r) => r.fast).map((r) => r.v)).toEqual(['', '-', ' ', '   ', '\u00a0', '\u3000 ', ' \u2003']);
  } finally {
    db.close();
  }
});
