// What each subject with findings did over the whole scan window, for the report's per-credential
// timelines: its requests counted by status class and time bucket, and its distinct client IPs and
// user agents. Computed here, before rendering, so that renderers never query the database.
import { listValue } from '@duckdb/node-api';
import type { Database } from '../store/index.js';
import type { Finding, SubjectKind } from './finding.js';
import { severityRank } from './rule-file.js';

export const STATUS_CLASSES = ['2xx', '3xx', '401', '403', 'other_4xx', '5xx', 'other'] as const;
export type StatusClass = (typeof STATUS_CLASSES)[number];
export type StatusCounts = Record<StatusClass, number>;

/** A timeline has at most this many buckets; the bucket is the smallest round size that fits. */
export const MAX_BUCKETS = 96;
/** Subjects charted, most severe first: a chart per subject of thousands would bury the report. */
export const ACTIVITY_SUBJECT_LIMIT = 100;
/** Distinct client IPs and user agents listed per subject, most frequent first. */
export const ACTIVITY_VALUE_LIMIT = 20;

const ROUND_BUCKETS_S = [60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800];

export interface CountedValue {
  value: string;
  requests: number;
}

export interface SubjectActivity {
  kind: SubjectKind;
  /** What findings are keyed on: the credential fingerprint, the principal or the client IP. */
  subject: string;
  principal: string | null;
  findingIds: string[];
  requests: number;
  firstSeen: string;
  lastSeen: string;
  statusClasses: StatusCounts;
  clientIps: CountedValue[];
  distinctClientIps: number;
  userAgents: CountedValue[];
  distinctUserAgents: number;
  /** Buckets with at least one request, in time order. */
  timeline: Array<{ start: string } & StatusCounts>;
}

export interface Activity {
  start: string;
  end: string;
  bucketSeconds: number;
  /** Subjects with findings, including those over ACTIVITY_SUBJECT_LIMIT that are not charted. */
  subjectsWithFindings: number;
  subjects: SubjectActivity[];
}

export function subjectKey(finding: Finding): string {
  const { kind, credentialFingerprint, principal, clientIp } = finding.subject;
  const key = kind === 'credential' ? credentialFingerprint : kind === 'principal' ? principal : clientIp;
  return key ?? '';
}

/** The smallest round bucket size that splits the span into at most MAX_BUCKETS. */
export function bucketSeconds(spanMs: number): number {
  const needed = spanMs / 1000 / MAX_BUCKETS;
  return ROUND_BUCKETS_S.find((s) => s >= needed) ?? Math.ceil(needed / 86400) * 86400;
}

interface Wanted {
  kind: SubjectKind;
  subject: string;
  findings: Finding[];
}

/** Subjects with findings, most severe first, then those with the most findings. */
function rankSubjects(findings: Finding[]): Wanted[] {
  const bySubject = new Map<string, Wanted>();
  for (const finding of findings) {
    const subject = subjectKey(finding);
    const id = `${finding.subject.kind}\n${subject}`;
    const entry = bySubject.get(id) ?? { kind: finding.subject.kind, subject, findings: [] };
    entry.findings.push(finding);
    bySubject.set(id, entry);
  }
  const worst = (w: Wanted) => Math.max(...w.findings.map((f) => severityRank(f.severity)));
  return [...bySubject.values()].sort(
    (a, b) => worst(b) - worst(a) || b.findings.length - a.findings.length || a.subject.localeCompare(b.subject),
  );
}

const ISO = `'%Y-%m-%dT%H:%M:%S.%gZ'`;
const STATUS_CLASS_SQL = `CASE
  WHEN status BETWEEN 200 AND 299 THEN '2xx' WHEN status BETWEEN 300 AND 399 THEN '3xx'
  WHEN status = 401 THEN '401' WHEN status = 403 THEN '403'
  WHEN status BETWEEN 400 AND 499 THEN 'other_4xx' WHEN status BETWEEN 500 AND 599 THEN '5xx'
  ELSE 'other' END`;
// One equi-join per subject kind (a join on an OR of three conditions would compare every pair).
const MATCH = (kind: SubjectKind, column: string) => `
  SELECT w.kind, w.subject, e.ts, e.status, e.client_ip, e.user_agent, e.principal
  FROM window_events e JOIN wanted w ON w.kind = '${kind}' AND e.${column} = w.subject`;

const ACTIVITY_SQL = `
WITH wanted AS (SELECT unnest($kinds::VARCHAR[]) AS kind, unnest($subjects::VARCHAR[]) AS subject),
requests AS (${MATCH('credential', 'credential_fingerprint')} UNION ALL ${MATCH('principal', 'principal')} UNION ALL ${MATCH('client_ip', 'client_ip')}),
classed AS (
  SELECT *, ${STATUS_CLASS_SQL} AS status_class,
    ((epoch_ms(ts) - $origin_ms) // $bucket_ms)::INTEGER AS bucket
  FROM requests
),
buckets AS (
  SELECT kind, subject, bucket, map_from_entries(list((status_class, n))) AS counts
  FROM (SELECT kind, subject, bucket, status_class, count(*)::INTEGER AS n FROM classed GROUP BY ALL)
  GROUP BY ALL
),
ips AS (
  SELECT kind, subject, list({'value': client_ip, 'requests': n} ORDER BY n DESC, client_ip)[1:${ACTIVITY_VALUE_LIMIT}] AS top, count(*)::INTEGER AS distinct_n
  FROM (SELECT kind, subject, client_ip, count(*)::INTEGER AS n FROM classed WHERE client_ip IS NOT NULL GROUP BY ALL)
  GROUP BY ALL
),
agents AS (
  SELECT kind, subject, list({'value': user_agent, 'requests': n} ORDER BY n DESC, user_agent)[1:${ACTIVITY_VALUE_LIMIT}] AS top, count(*)::INTEGER AS distinct_n
  FROM (SELECT kind, subject, user_agent, count(*)::INTEGER AS n FROM classed WHERE user_agent IS NOT NULL GROUP BY ALL)
  GROUP BY ALL
),
totals AS (
  SELECT kind, subject, count(*)::INTEGER AS requests, strftime(min(ts), ${ISO}) AS first_seen,
    strftime(max(ts), ${ISO}) AS last_seen, aa_most_frequent(histogram(principal)) AS principal,
    ${STATUS_CLASSES.map((c) => `count(*) FILTER (WHERE status_class = '${c}')::INTEGER AS "${c}"`).join(', ')}
  FROM classed GROUP BY ALL
)
SELECT t.*,
  coalesce(i.top, []) AS client_ips, coalesce(i.distinct_n, 0) AS distinct_client_ips,
  coalesce(a.top, []) AS user_agents, coalesce(a.distinct_n, 0) AS distinct_user_agents,
  (SELECT list({'bucket': b.bucket, 'counts': b.counts} ORDER BY b.bucket) FROM buckets b
   WHERE b.kind = t.kind AND b.subject = t.subject) AS timeline
FROM totals t
LEFT JOIN ips i USING (kind, subject)
LEFT JOIN agents a USING (kind, subject)`;

type ActivityRow = StatusCounts & {
  kind: SubjectKind;
  subject: string;
  requests: number;
  first_seen: string;
  last_seen: string;
  principal: string | null;
  client_ips: CountedValue[];
  distinct_client_ips: number;
  user_agents: CountedValue[];
  distinct_user_agents: number;
  timeline: Array<{ bucket: number; counts: Array<{ key: StatusClass; value: number }> }>;
};

const zeroCounts = (): StatusCounts => Object.fromEntries(STATUS_CLASSES.map((c) => [c, 0])) as StatusCounts;

/**
 * Reads the activity of every subject with findings (up to ACTIVITY_SUBJECT_LIMIT) from the
 * events in the scan window (window_events, see prepareScope). Returns null when the window holds
 * no event.
 */
export async function subjectActivity(db: Database, findings: Finding[]): Promise<Activity | null> {
  const window = await db.one<{ first_ms: number | null; last_ms: number | null }>(
    `SELECT epoch_ms(min(ts))::DOUBLE AS first_ms, epoch_ms(max(ts))::DOUBLE AS last_ms FROM window_events`,
  );
  if (window?.first_ms == null || window.last_ms == null) return null;
  const bucket = bucketSeconds(window.last_ms - window.first_ms);
  const bucketMs = bucket * 1000;
  const originMs = Math.floor(window.first_ms / bucketMs) * bucketMs;

  const ranked = rankSubjects(findings);
  const charted = ranked.slice(0, ACTIVITY_SUBJECT_LIMIT);
  const rows = charted.length
    ? await db.all<ActivityRow>(ACTIVITY_SQL, {
        kinds: listValue(charted.map((w) => w.kind)),
        subjects: listValue(charted.map((w) => w.subject)),
        origin_ms: originMs,
        bucket_ms: bucketMs,
      })
    : [];
  const byKey = new Map(rows.map((r) => [`${r.kind}\n${r.subject}`, r]));

  const subjects: SubjectActivity[] = [];
  for (const wanted of charted) {
    const row = byKey.get(`${wanted.kind}\n${wanted.subject}`);
    if (!row) continue; // evidence of a rule keyed on something the events do not carry: no chart
    subjects.push({
      kind: wanted.kind,
      subject: wanted.subject,
      principal: row.principal,
      findingIds: wanted.findings.map((f) => f.id),
      requests: row.requests,
      firstSeen: row.first_seen,
      lastSeen: row.last_seen,
      statusClasses: Object.fromEntries(STATUS_CLASSES.map((c) => [c, row[c]])) as StatusCounts,
      clientIps: row.client_ips,
      distinctClientIps: row.distinct_client_ips,
      userAgents: row.user_agents,
      distinctUserAgents: row.distinct_user_agents,
      timeline: (row.timeline ?? []).map(({ bucket: index, counts }) => {
        const entry = { start: new Date(originMs + index * bucketMs).toISOString(), ...zeroCounts() };
        for (const { key, value } of counts) entry[key] = value;
        return entry;
      }),
    });
  }
  return {
    start: new Date(originMs).toISOString(),
    end: new Date(window.last_ms).toISOString(),
    bucketSeconds: bucket,
    subjectsWithFindings: ranked.length,
    subjects,
  };
}
