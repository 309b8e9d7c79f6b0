// Test helper: assert that no raw secret (token, password, key) reached a text or a database file.
import { existsSync, readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { Database } from '../../src/store/index.js';

export type Secrets = Record<string, string>;

export function assertNoSecret(secrets: Secrets, where: string, text: string): void {
  for (const [name, secret] of Object.entries(secrets)) {
    expect(text.includes(secret), `${name} found in ${where}`).toBe(false);
  }
}

/** The bytes of a database file and of its WAL, when there is one. */
export function assertNoSecretInFileBytes(secrets: Secrets, db: string): void {
  for (const file of [db, `${db}.wal`]) {
    if (existsSync(file)) assertNoSecret(secrets, file, readFileSync(file).toString('latin1'));
  }
}

/** Every text value of every table of a database file (a secret stored compressed is still found). */
export async function assertNoSecretInTables(secrets: Secrets, db: string): Promise<void> {
  const database = await Database.open(db);
  try {
    const columns = await database.all<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns
       WHERE table_schema = 'main' AND (data_type LIKE 'VARCHAR%' OR data_type LIKE '%[]')`,
    );
    expect(columns.length).toBeGreaterThan(10);
    for (const { table_name, column_name } of columns) {
      const rows = await database.all<{ v: string }>(`SELECT "${column_name}"::VARCHAR AS v FROM "${table_name}" WHERE "${column_name}" IS NOT NULL`);
      assertNoSecret(secrets, `${table_name}.${column_name}`, rows.map((r) => r.v).join('\n'));
    }
  } finally {
    database.close();
  }
}
