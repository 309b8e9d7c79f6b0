// Findings persist in the database from run to run (cron audits): a finding is `new` in the run
// that first detects it, `ongoing` while later runs still detect it, and `resolved` in the run
// that no longer does (its episode left the --since window, or its events were pruned).
import { listValue, type DuckDBIntervalValue, type DuckDBValue } from '@duckdb/node-api';
import type { Database } from '../store/index.js';
import { subjectKey } from './activity.js';
import type { CompiledRule } from './engine.js';
import type { Finding } from './finding.js';

export const FINDING_STATUSES = ['new', 'ongoing', 'resolved'] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];
export type TrackedFinding = Finding & { status: FindingStatus };

export interface Lifecycle {
  /** The findings detected in this run, each `new` or `ongoing`. */
  findings: TrackedFinding[];
  /** Findings detected by an earlier run and not by this one. */
  resolved: TrackedFinding[];
}

interface StoredFinding {
  id: string;
  rule_id: string;
  subject_kind: string;
  subject: string;
  first_ms: number;
  last_ms: number;
  status: FindingStatus;
  continued_by: string | null;
  first_detected: string;
  finding: string;
}

const ISO = `'%Y-%m-%dT%H:%M:%S.%gZ'`;

/** A rule's episode gap in milliseconds (a month counts 30 days, as DuckDB does when comparing). */
export function episodeGapMs(rule: CompiledRule): number {
  const gap = rule.episodeGap as DuckDBIntervalValue;
  return ((gap.months ?? 0) * 30 + (gap.days ?? 0)) * 86_400_000 + Number(gap.micros ?? 0n) / 1000;
}

/**
 * Marks each finding new or ongoing, records the run in the `findings` table and returns what it
 * resolved. Run it in the transaction that delivers the report: a finding stays `new` until a
 * report that says so was written.
 */
export async function trackFindings(
  db: Database,
  detected: Finding[],
  options: { runAt: Date; episodeGaps: Map<string, number> },
): Promise<Lifecycle> {
  const ids = detected.map((f) => f.id);
  // Every finding still open, and every stored one detected again (by a wider window, say).
  const stored = await db.all<StoredFinding>(
    `SELECT id, rule_id, subject_kind, subject, epoch_ms(first_seen)::DOUBLE AS first_ms, epoch_ms(last_seen)::DOUBLE AS last_ms,
            status, continued_by, strftime(first_detected, ${ISO}) AS first_detected, finding
     FROM findings WHERE (status <> 'resolved' AND continued_by IS NULL) OR list_contains($ids, id)`,
    { ids: listValue(ids.length ? ids : ['']) }, // DuckDB cannot type an empty list; '' is no finding id
  );
  const byId = new Map(stored.map((s) => [s.id, s]));
  const open = stored.filter((s) => s.status !== 'resolved' && s.continued_by === null && !ids.includes(s.id));
  const continued = new Map<string, string>(); // stored id → the id that carries its episode on
  const runAt = options.runAt.toISOString();

  const findings = detected.map((finding): TrackedFinding & { firstDetected: string } => {
    const same = byId.get(finding.id);
    if (same) return { ...finding, status: 'ongoing', firstDetected: same.first_detected };
    // A --since window that cuts an episode moves its start, and so its id: the same rule and
    // subject within the rule's episode gap of an open finding is that finding's episode going on.
    const gap = options.episodeGaps.get(finding.ruleId) ?? 0;
    const first = Date.parse(finding.firstSeen);
    const last = Date.parse(finding.lastSeen);
    const earlier = open.find(
      (s) =>
        !continued.has(s.id) && s.rule_id === finding.ruleId && s.subject_kind === finding.subject.kind &&
        s.subject === subjectKey(finding) && s.last_ms + gap >= first && last + gap >= s.first_ms,
    );
    if (earlier) {
      continued.set(earlier.id, finding.id);
      return { ...finding, status: 'ongoing', firstDetected: earlier.first_detected };
    }
    return { ...finding, status: 'new', firstDetected: runAt };
  });
  const resolved = open.filter((s) => !continued.has(s.id));

  if (findings.length) {
    await db.run(`DELETE FROM findings WHERE list_contains($ids, id)`, { ids: listValue(ids) });
    const column = (pick: (f: (typeof findings)[number]) => string) => listValue(findings.map(pick));
    const params: Record<string, DuckDBValue> = {
      ids: listValue(ids),
      rules: column((f) => f.ruleId),
      severities: column((f) => f.severity),
      kinds: column((f) => f.subject.kind),
      subjects: column(subjectKey),
      firsts: column((f) => f.firstSeen),
      lasts: column((f) => f.lastSeen),
      statuses: column((f) => f.status),
      detected: column((f) => f.firstDetected),
      json: column(({ status: _status, firstDetected: _first, ...f }) => JSON.stringify(f)),
      run: runAt,
    };
    await db.run(
      `INSERT INTO findings
       SELECT unnest($ids), unnest($rules), unnest($severities), unnest($kinds), unnest($subjects),
              unnest($firsts)::TIMESTAMPTZ::TIMESTAMP, unnest($lasts)::TIMESTAMPTZ::TIMESTAMP, unnest($statuses),
              unnest($detected)::TIMESTAMPTZ::TIMESTAMP, $run::TIMESTAMPTZ::TIMESTAMP, NULL, NULL, unnest($json)`,
      params,
    );
  }
  for (const [id, by] of continued) {
    await db.run(`UPDATE findings SET continued_by = $by WHERE id = $id`, { id, by });
  }
  if (resolved.length) {
    await db.run(`UPDATE findings SET status = 'resolved', resolved_at = $run::TIMESTAMPTZ::TIMESTAMP WHERE list_contains($ids, id)`, {
      ids: listValue(resolved.map((s) => s.id)),
      run: runAt,
    });
  }
  return {
    findings: findings.map(({ firstDetected: _first, ...f }) => f),
    resolved: resolved.map((s) => ({ ...(JSON.parse(s.finding) as Finding), status: 'resolved' })),
  };
}
