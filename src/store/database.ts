// One DuckDB database per run: in memory by default, a file with --db. Every value that comes from
// outside (paths, log text, config) reaches SQL as a bound parameter, never spliced into the text.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBConnection, DuckDBInstance, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import { UserError } from '../errors.js';
import { applySchema } from './schema.js';

export type SqlParams = Record<string, DuckDBValue> | DuckDBValue[];
/** Bind types for values whose type DuckDB cannot infer (an empty list). */
export type SqlTypes = Record<string, DuckDBType>;
export type Row = Record<string, unknown>;

/** DuckDB's own default is 80% of RAM; a scan should leave the machine usable (see README, Performance). */
export const DEFAULT_MEMORY_LIMIT = '1GB';

export interface DatabaseOptions {
  /** DuckDB memory_limit, e.g. '4GB'. Large inputs spill to temp_directory instead of failing. */
  memoryLimit?: string;
  tempDirectory?: string;
  threads?: number;
}

export class Database {
  private constructor(
    readonly path: string | null,
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    private readonly ownTemp?: string,
    /** A sibling: closing it closes its connection only. */
    private readonly borrowed = false,
  ) {}

  static async open(path: string | null, options: DatabaseOptions = {}): Promise<Database> {
    // Beyond the memory limit DuckDB spills to the temporary folder instead of growing: a 10M-line
    // scan stays within a laptop's memory. The folder is private (0700) and removed on close; it
    // can hold intermediate rows of a running query, never the database.
    const ownTemp = options.tempDirectory ? undefined : mkdtempSync(join(tmpdir(), 'apiaudit-duckdb-'));
    const config: Record<string, string> = {
      memory_limit: options.memoryLimit ?? DEFAULT_MEMORY_LIMIT,
      temp_directory: options.tempDirectory ?? ownTemp!,
    };
    if (options.threads) config.threads = String(options.threads);
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path ?? ':memory:', config);
    } catch (error) {
      if (ownTemp) rmSync(ownTemp, { recursive: true, force: true });
      const text = error instanceof Error ? error.message : String(error);
      if (/Could not set lock|Conflicting lock/i.test(text)) {
        throw new UserError('database', `database ${path} is in use by another apiaudit run`, { cause: error });
      }
      throw new UserError('database', `cannot open database ${path}: ${firstLine(text)}`, { cause: error });
    }
    const connection = await instance.connect();
    const db = new Database(path, instance, connection, ownTemp);
    try {
      // Timestamps are stored as UTC TIMESTAMP; casts from TIMESTAMPTZ must not follow the machine's zone.
      await db.run(`SET TimeZone = 'UTC'`);
      await applySchema(db);
    } catch (error) {
      db.close(); // and its temporary folder
      throw error;
    }
    return db;
  }

  /**
   * Another connection to the same database, to run independent queries alongside this one's
   * (DuckDB binds and optimizes a query on one core). TEMP tables and macros are per connection:
   * the sibling sees the database's tables, not this connection's TEMP objects.
   */
  async sibling(): Promise<Database> {
    const connection = await this.instance.connect();
    const db = new Database(this.path, this.instance, connection, undefined, true);
    await db.run(`SET TimeZone = 'UTC'`);
    return db;
  }

  async run(sql: string, params?: SqlParams, types?: SqlTypes): Promise<void> {
    await this.connection.run(sql, params, types);
  }

  /** Rows converted to JSON-safe values (BIGINT becomes a string: cast in SQL where a number is wanted). */
  async all<T = Row>(sql: string, params?: SqlParams): Promise<T[]> {
    const reader = await this.connection.runAndReadAll(sql, params);
    return reader.getRowObjectsJson() as T[];
  }

  async one<T = Row>(sql: string, params?: SqlParams): Promise<T | undefined> {
    const rows = await this.all<T>(sql, params);
    return rows[0];
  }

  /**
   * Runs `work` while polling DuckDB's progress of the running query (0–100) every `everyMs`, for
   * a progress display; DuckDB tracks progress only while enable_progress_bar is on.
   */
  async withQueryProgress<T>(onPercent: (percent: number) => void, work: () => Promise<T>, everyMs = 250): Promise<T> {
    await this.run(`SET enable_progress_bar = true; SET enable_progress_bar_print = false; SET progress_bar_time = 0`);
    const timer = setInterval(() => {
      const percent = this.connection.progress.percentage;
      if (percent >= 0) onPercent(Math.min(100, percent));
    }, everyMs);
    try {
      return await work();
    } finally {
      clearInterval(timer);
      await this.run(`SET enable_progress_bar = false`);
    }
  }

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    await this.run('BEGIN TRANSACTION');
    try {
      const result = await work();
      await this.run('COMMIT');
      return result;
    } catch (error) {
      await this.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  close(): void {
    this.connection.closeSync();
    if (this.borrowed) return;
    this.instance.closeSync();
    if (this.ownTemp) rmSync(this.ownTemp, { recursive: true, force: true });
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
