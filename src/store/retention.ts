// Retention for cron audits (`apiaudit prune`): events, rejected lines and findings older than a
// cutoff are deleted. The files' records are kept, so a pruned file still on disk is not ingested again.
import type { Database } from './database.js';

export interface PruneResult {
  events: number;
  rejects: number;
  findings: number;
}

export async function pruneOlderThan(db: Database, cutoff: Date): Promise<PruneResult> {
  const params = { cutoff: cutoff.toISOString() };
  const result = await db.transaction(async () => {
    const counts = (await db.one<PruneResult>(
      `SELECT (SELECT count(*) FROM events WHERE ts < $cutoff::TIMESTAMPTZ::TIMESTAMP)::DOUBLE AS events,
              (SELECT count(*) FROM rejects WHERE file_id IN (${OLD_FILES}))::DOUBLE AS rejects,
              (SELECT count(*) FROM findings WHERE last_seen < $cutoff::TIMESTAMPTZ::TIMESTAMP)::DOUBLE AS findings`,
      params,
    ))!;
    await db.run(`DELETE FROM events WHERE ts < $cutoff::TIMESTAMPTZ::TIMESTAMP`, params);
    await db.run(`DELETE FROM rejects WHERE file_id IN (${OLD_FILES})`, params);
    await db.run(`DELETE FROM findings WHERE last_seen < $cutoff::TIMESTAMPTZ::TIMESTAMP`, params);
    return counts;
  });
  await db.run('CHECKPOINT'); // give the space back to the file
  return result;
}

/** Rejected lines carry no time: they go with a file whose every event (or, without events, whose ingest) is older. */
const OLD_FILES = `SELECT file_id FROM files WHERE coalesce(last_ts, ingested_at) < $cutoff::TIMESTAMPTZ::TIMESTAMP`;
