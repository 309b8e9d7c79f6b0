// Cron audits over a persistent database: incremental ingest (a file seen before is skipped, a file
// that grew is read from its new lines on), the findings' lifecycle across runs, the --since window.
import { appendFileSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runScan, type ScanOptions } from '../src/cli/scan.js';
import { render, type ReportV1 } from '../src/report/index.js';
import { Database } from '../src/store/index.js';
import { epoch, makeJwt } from './support/jwt.js';
import { burst, parseClf, SAMPLE_CONFIG, SAMPLE_PATTERN, sampleLines } from './support/nginx-lines.js';

const dir = mkdtempSync(path.join(tmpdir(), 'apiaudit-cron-'));
let n = 0;
const fresh = (name: string) => path.join(dir, `${++n}-${name}`);

function scan(paths: string[], db: string | undefined, extra: Partial<ScanOptions> = {}) {
  return runScan({ paths, db, config: SAMPLE_CONFIG, logType: 'nginx', logPattern: SAMPLE_PATTERN, failOn: 'never', version: 'test', ...extra });
}

async function query<T>(db: string, sql: string): Promise<T[]> {
  const database = await Database.open(db);
  try {
    return await database.all<T>(sql);
  } finally {
    database.close();
  }
}

const eventCount = async (db: string) => (await query<{ n: number }>(db, `SELECT count(*)::INTEGER AS n FROM events`))[0]!.n;
const ids = (report: ReportV1) => report.findings.map((f) => f.id).sort();
const statuses = (report: ReportV1) => Object.fromEntries(report.findings.map((f) => [f.rule_id, f.status]));

/** The stored events as lineKey shows them, in ingest order. */
const storedKeys = async (db: string) =>
  (await query<{ key: string }>(
    db,
    `SELECT strftime(ts, '%d/%b/%Y:%H:%M:%S +0000') || ' ' || method || ' ' || path || coalesce('?' || query, '') AS key
     FROM events ORDER BY file_id, line_no`,
  )).map((e) => e.key);

/** logrotate's `compress`: the file's content as a .gz, the plain file removed. */
function compress(file: string, to: string): void {
  writeFileSync(to, gzipSync(readFileSync(file)));
  rmSync(file);
}

/** `[time] "METHOD target` of a log line: what the stored event of that line must show. */
const lineKey = (line: string) => /\[([^\]]+)\] "(\S+) (\S+)/.exec(line)!.slice(1).join(' ');

describe('incremental ingest into --db', () => {
  it('skips a file whose content was ingested, says why, and counts nothing twice', async () => {
    const { log, db } = sampleSetup();
    const first = await scan([log], db);
    const second = await scan([log], db);
    expect(first.report.inputs[0]).toMatchObject({ status: 'ingested', events: 120, first_line: 1 });
    expect(second.report.inputs[0]).toMatchObject({ status: 'duplicate', events: 0, duplicate_of: first.report.inputs[0]!.path });
    expect(second.messages).toContain(`skipped ${log}: same content as ${log}, already ingested`);
    expect(await eventCount(db)).toBe(120);
    expect(ids(second.report)).toEqual(ids(first.report));
    expect(second.report.summary.events_scanned).toBe(120);
  });

  it('reads only the new lines of a file that grew, numbered as in the file', async () => {
    const lines = sampleLines();
    const log = fresh('access.log');
    const db = fresh('audit.duckdb');
    writeFileSync(log, `${lines.slice(0, 70).join('\n')}\n`);
    await scan([log], db);
    appendFileSync(log, `${lines.slice(70).join('\n')}\n`);
    const grown = await scan([log], db);
    // the earlier run's last line is read again (it may have been cut short), then lines 71–120
    expect(grown.report.inputs[0]).toMatchObject({ status: 'ingested', continues: log, first_line: 70, lines: 51, events: 51 });
    expect(grown.messages).toContain(
      `${log}: grew since ${log} was ingested; read lines 70–120 only (lines before were ingested by an earlier run)`,
    );
    const events = await query<{ line_no: number; key: string }>(
      db,
      `SELECT line_no::INTEGER AS line_no, strftime(ts, '%d/%b/%Y:%H:%M:%S +0000') || ' ' || method || ' ' || path || coalesce('?' || query, '') AS key
       FROM events ORDER BY line_no`,
    );
    expect(events.map((e) => e.line_no)).toEqual(lines.map((_, i) => i + 1));
    expect(events.map((e) => e.key)).toEqual(lines.map(lineKey));

    expect(await render(grown.report, 'html')).toContain(`grew since <span class="mono data">${log}</span> was ingested: read from line 70 on`);

    // the same findings, with the same ids, as one scan of the whole file
    const whole = await scan([log], fresh('whole.duckdb'));
    expect(ids(grown.report)).toEqual(ids(whole.report));
    expect(grown.report.findings.map((f) => f.evidence[0]!.line).sort()).toEqual(whole.report.findings.map((f) => f.evidence[0]!.line).sort());
  });

  it('replaces a last line the writer had cut short, once the file grows', async () => {
    const lines = sampleLines();
    const log = fresh('access.log');
    const db = fresh('audit.duckdb');
    writeFileSync(log, `${lines.slice(0, 50).join('\n')}\n${lines[50]!.slice(0, 40)}`);
    const cut = await scan([log], db);
    expect(cut.report.inputs[0]).toMatchObject({ lines: 51, events: 50, rejected: 1 });
    appendFileSync(log, `${lines[50]!.slice(40)}\n${lines.slice(51).join('\n')}\n`);
    const grown = await scan([log], db);
    expect(grown.report.inputs[0]).toMatchObject({ first_line: 51, events: 70, rejected: 0 });
    expect(await eventCount(db)).toBe(120);
    expect(await query(db, `SELECT * FROM rejects`)).toEqual([]);
    const files = await query<{ lines: number; events: number; rejected: number }>(
      db,
      `SELECT lines::INTEGER AS lines, events::INTEGER AS events, rejected::INTEGER AS rejected FROM files ORDER BY file_id`,
    );
    expect(files).toEqual([{ lines: 50, events: 50, rejected: 0 }, { lines: 70, events: 70, rejected: 0 }]);
  });

  // logrotate renames the live log to access.log.1, or (`compress` without `delaycompress`)
  // compresses it to access.log.1.gz; either way after it grew past what the last run read
  const rotations = {
    renamed: (log: string) => {
      renameSync(log, `${log}.1`);
      return `${log}.1`;
    },
    compressed: (log: string) => {
      compress(log, `${log}.1.gz`);
      return `${log}.1.gz`;
    },
  };
  it.each(Object.keys(rotations) as (keyof typeof rotations)[])(
    'follows a log through logrotate (%s): the rotated file that grew continues, the new one is read whole',
    async (rotation) => {
      const lines = sampleLines();
      const log = fresh('access.log');
      const db = fresh('audit.duckdb');
      writeFileSync(log, `${lines.slice(0, 60).join('\n')}\n`);
      await scan([log], db);
      appendFileSync(log, `${lines.slice(60, 100).join('\n')}\n`);
      const rotated = rotations[rotation](log);
      writeFileSync(log, `${lines.slice(100).join('\n')}\n`);
      const next = await scan([rotated, log], db);
      expect(next.report.inputs.map((i) => [i.path, i.continues, i.first_line, i.events])).toEqual([
        [rotated, log, 60, 41],
        [log, null, 1, 20],
      ]);
      // every line once, the first run's last line read again from the rotated file in its place
      expect(await storedKeys(db)).toEqual(lines.map(lineKey));
    },
  );
});

describe("logrotate's compressed copies", () => {
  it('a .gz of a file ingested before is skipped as the same content, and a plain copy of an ingested .gz too', async () => {
    const { log, db } = sampleSetup();
    await scan([log], db);
    const copy = `${log}.copy`;
    writeFileSync(copy, readFileSync(log));
    compress(log, `${log}.2.gz`);
    const again = await scan([`${log}.2.gz`], db);
    expect(again.report.inputs[0]).toMatchObject({ status: 'duplicate', duplicate_of: log, events: 0 });
    expect(again.messages).toContain(`skipped ${log}.2.gz: same content as ${log}, already ingested`);
    expect(await eventCount(db)).toBe(120);

    const other = fresh('audit.duckdb');
    await scan([`${log}.2.gz`], other);
    const plain = await scan([copy], other);
    expect(plain.report.inputs[0]).toMatchObject({ status: 'duplicate', duplicate_of: `${log}.2.gz` });
    expect(await eventCount(other)).toBe(120);
  });

  it('follows a log through three nights of logrotate with compress and delaycompress: every line once', async () => {
    const lines = sampleLines();
    const log = fresh('access.log');
    const db = fresh('audit.duckdb');
    const all = () => [`${log}.2.gz`, `${log}.1`, log].filter((f) => existsSync(f));
    writeFileSync(log, `${lines.slice(0, 60).join('\n')}\n`);
    await scan(all(), db);
    appendFileSync(log, `${lines.slice(60, 100).join('\n')}\n`); // grows after the run, then rotates
    renameSync(log, `${log}.1`);
    writeFileSync(log, `${lines.slice(100, 110).join('\n')}\n`);
    await scan(all(), db);
    appendFileSync(log, `${lines.slice(110).join('\n')}\n`);
    compress(`${log}.1`, `${log}.2.gz`);
    renameSync(log, `${log}.1`);
    writeFileSync(log, '');
    const third = await scan(all(), db);
    expect(third.report.inputs.map((i) => [i.path, i.status, i.continues ?? null, i.events])).toEqual([
      [`${log}.2.gz`, 'duplicate', null, 0],
      [`${log}.1`, 'ingested', log, 11],
      [log, 'ingested', null, 0],
    ]);
    expect(await storedKeys(db)).toEqual(lines.map(lineKey));
  });
});

describe('a database written before the cron tables existed', () => {
  it('opens, gains them, and its files are still recognized', async () => {
    const { log, db } = sampleSetup();
    await scan([log], db);
    const old = await Database.open(db);
    await old.run(`DROP TABLE findings; DROP TABLE file_continuations; DROP TABLE file_contents`); // as the previous version wrote it
    old.close();
    const again = await scan([log], db);
    expect(again.report.inputs[0]!.status).toBe('duplicate');
    expect(again.report.summary.by_status).toEqual({ new: 4, ongoing: 0, resolved: 0 });
    expect(await query(db, `SELECT count(*)::INTEGER AS n FROM findings`)).toEqual([{ n: 4 }]);
  });
});

describe('findings lifecycle across runs', () => {
  it('new → ongoing → resolved, and a resolved finding is reported once', async () => {
    const { log, db } = sampleSetup();
    const first = await scan([log], db);
    expect(Object.values(statuses(first.report))).toEqual(['new', 'new', 'new', 'new']);
    expect(first.report.summary.by_status).toEqual({ new: 4, ongoing: 0, resolved: 0 });
    expect(first.messages).toContain('since the last run: 4 new, 0 ongoing, 0 resolved');

    const second = await scan([log], db);
    expect(ids(second.report)).toEqual(ids(first.report));
    expect(Object.values(statuses(second.report))).toEqual(['ongoing', 'ongoing', 'ongoing', 'ongoing']);

    // the window moves past the morning: its two findings are no longer seen
    const since = new Date('2026-11-30T13:00:00Z');
    const third = await scan([log], db, { since });
    expect(statuses(third.report)).toEqual({ 'forbidden-probing': 'ongoing', 'repeated-401': 'ongoing' });
    expect(third.report.resolved!.map((f) => [f.rule_id, f.status]).sort()).toEqual([
      ['expired-token-reuse', 'resolved'],
      ['plain-http', 'resolved'],
    ]);
    expect(third.report.summary.by_status).toEqual({ new: 0, ongoing: 2, resolved: 2 });
    expect(third.report.summary.window).toEqual({ since: since.toISOString(), until: null });

    const html = await render(third.report, 'html');
    expect([...html.matchAll(/<h3 class="status-group" id="status-(\w+)">([^<]*)<\/h3>/g)].map((m) => [m[1], m[2]])).toEqual([
      ['ongoing', 'Ongoing (2)'],
      ['resolved', 'Resolved since the last run (2)'],
    ]);

    const fourth = await scan([log], db, { since });
    expect(fourth.report.resolved).toEqual([]);
    const stored = await query<{ rule_id: string; status: string }>(db, `SELECT rule_id, status FROM findings ORDER BY rule_id`);
    expect(stored).toEqual([
      { rule_id: 'expired-token-reuse', status: 'resolved' },
      { rule_id: 'forbidden-probing', status: 'ongoing' },
      { rule_id: 'plain-http', status: 'resolved' },
      { rule_id: 'repeated-401', status: 'ongoing' },
    ]);
  });

  it('an episode that a --since window cuts stays ongoing, not new and resolved', async () => {
    // a sync job keeps sending a token that expired at 09:00, every 10 minutes from 10:00 to 16:00
    const token = makeJwt({ sub: 'sync@shop.example', iat: epoch('2026-11-30T08:00:00Z'), exp: epoch('2026-11-30T09:00:00Z') });
    const log = fresh('access.log');
    const db = fresh('audit.duckdb');
    writeFileSync(log, `${burst(new Date('2026-11-30T10:00:00Z'), 37, 600, { status: 401, auth: `Bearer ${token}` }).join('\n')}\n`);
    const morning = await scan([log], db, { until: new Date('2026-11-30T12:00:00Z') });
    expect(morning.report.findings.map((f) => [f.rule_id, f.status, f.first_seen])).toEqual([
      ['expired-token-reuse', 'new', '2026-11-30T10:00:00.000Z'],
    ]);
    const afternoon = await scan([log], db, { since: new Date('2026-11-30T11:00:00Z') });
    expect(afternoon.report.findings.map((f) => [f.rule_id, f.status, f.first_seen])).toEqual([
      ['expired-token-reuse', 'ongoing', '2026-11-30T11:00:00.000Z'],
    ]);
    expect(afternoon.report.resolved).toEqual([]);
    const later = await scan([log], db, { since: new Date('2026-11-30T17:00:00Z') });
    expect(later.report.findings).toEqual([]);
    expect(later.report.resolved!.map((f) => f.id)).toEqual([afternoon.report.findings[0]!.id]);
  });

  it('--fail-on-new considers only findings an earlier run did not report', async () => {
    const { log, db } = sampleSetup();
    expect((await scan([log], db, { failOnNew: 'high' })).exitCode).toBe(1);
    expect((await scan([log], db, { failOnNew: 'high' })).exitCode).toBe(0);
    // --fail-on keeps its meaning: every finding that remains counts
    expect((await scan([log], db, { failOn: 'high' })).exitCode).toBe(1);
  });

  it('a report that could not be delivered leaves its findings new for the next run', async () => {
    const { log, db } = sampleSetup();
    const failing = runScan({ paths: [log], db, config: SAMPLE_CONFIG, logType: 'nginx', logPattern: SAMPLE_PATTERN, failOn: 'never', version: 'test' }, async () => {
      throw new Error('disk full');
    });
    await expect(failing).rejects.toThrow('disk full');
    expect(await query(db, `SELECT * FROM findings`)).toEqual([]);
    const next = await scan([log], db);
    expect(next.report.summary.by_status).toEqual({ new: 4, ongoing: 0, resolved: 0 });
  });
});

describe('--since / --until limit detection to a window', () => {
  it('rules read only the events in [since, until): counts and findings follow', async () => {
    const lines = sampleLines();
    const since = new Date('2026-11-30T12:00:00Z');
    const until = new Date('2026-11-30T14:00:00Z');
    const inWindow = lines.filter((l) => {
      const t = parseClf(/\[([^\]]+)\]/.exec(l)![1]!).getTime();
      return t >= since.getTime() && t < until.getTime();
    });
    const r = await scan([writeLog(lines)], undefined, { since, until });
    expect(inWindow.length).toBeGreaterThan(10);
    expect(r.report.summary.events).toBe(120); // everything is ingested
    expect(r.report.summary.events_scanned).toBe(inWindow.length);
    expect(r.report.findings.map((f) => f.rule_id).sort()).toEqual(['plain-http', 'repeated-401']);
    expect(r.messages).toContain(`rules read ${inWindow.length} event(s) since ${since.toISOString()} until ${until.toISOString()}`);
  });

  it('refuses a window that ends before it starts', async () => {
    await expect(scan([writeLog(sampleLines())], fresh('x.duckdb'), { since: new Date('2026-11-30T14:00:00Z'), until: new Date('2026-11-30T12:00:00Z') }))
      .rejects.toThrow('--since (2026-11-30T14:00:00.000Z) must be before --until (2026-11-30T12:00:00.000Z)');
  });
});

/** The sample log in a fresh file, and a fresh database path. */
function sampleSetup(): { log: string; db: string } {
  return { log: writeLog(sampleLines()), db: fresh('audit.duckdb') };
}

function writeLog(lines: string[]): string {
  const log = fresh('access.log');
  writeFileSync(log, `${lines.join('\n')}\n`);
  return log;
}
