// Test helper: ingest files into an in-memory database and read the events back.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ingestFiles, type FormatChoice, type IngestResult } from '../../src/ingest/index.js';
import { Database } from '../../src/store/index.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
export const fixture = (...parts: string[]) => path.join(FIXTURES, ...parts);

export interface EventRow {
  file_id: number;
  line_no: number;
  ts: string;
  client_ip: string | null;
  forwarded_for: string | null;
  method: string | null;
  scheme: string | null;
  host: string | null;
  path: string | null;
  query: string | null;
  http_version: string | null;
  status: number | null;
  bytes: number | null;
  duration_ms: number | null;
  user_agent: string | null;
  referrer: string | null;
  credential_kind: string;
  credential_source: string | null;
  credential_fingerprint: string | null;
  principal: string | null;
  jwt_alg: string | null;
  jwt_sub: string | null;
  jwt_exp: string | null;
  jwt_iat: string | null;
  secret_params: string[] | null;
  subject_kind: string | null;
  subject: string | null;
  [key: string]: unknown;
}

export async function ingest(files: string[], choice: FormatChoice = {}): Promise<{ db: Database; results: IngestResult[]; events: EventRow[] }> {
  const db = await Database.open(null);
  const results = await ingestFiles(
    db,
    files.map((f) => ({ absolutePath: f, displayPath: path.basename(f) })),
    { formatFor: () => choice },
  );
  const events = await db.all<EventRow>(
    `SELECT * EXCLUDE (ts, line_no, bytes, jwt_exp, jwt_iat),
            line_no::INTEGER AS line_no, bytes::DOUBLE AS bytes,
            strftime(ts, '%Y-%m-%dT%H:%M:%S.%gZ') AS ts,
            strftime(jwt_exp, '%Y-%m-%dT%H:%M:%SZ') AS jwt_exp,
            strftime(jwt_iat, '%Y-%m-%dT%H:%M:%SZ') AS jwt_iat
     FROM events ORDER BY file_id, line_no`,
  );
  return { db, results, events };
}

/** Writes `text` to a file named `name` in a fresh temporary folder and returns its path. */
export function tempFile(name: string, text: string | Buffer): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'apiaudit-test-'));
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** Ingests log text (lines joined with \n) as one file. */
export async function ingestText(name: string, lines: string[] | string, choice: FormatChoice = {}) {
  return ingest([tempFile(name, Array.isArray(lines) ? `${lines.join('\n')}\n` : lines)], choice);
}
