// Runs SQL rules over the events in scope and turns their evidence rows into findings: one per
// rule, subject and episode, with counts, the first evidence rows and a stable id.
import { createHash } from 'node:crypto';
import { listValue, type DuckDBPreparedStatement, type DuckDBValue } from '@duckdb/node-api';
import type { Config } from '../config/index.js';
import { UserError, errorMessage } from '../errors.js';
import type { Database } from '../store/index.js';
import type { Evidence, Finding, SubjectKind } from './finding.js';
import { severityRank, type ParamType, type RuleFile } from './rule-file.js';

export const EVIDENCE_LIMIT = 20;
const REQUIRED_COLUMNS = ['subject_kind', 'subject', 'file_id', 'line_no'];
const ISO = `'%Y-%m-%dT%H:%M:%S.%gZ'`;

export interface Scope {
  publicPaths: string[];
  loginPaths: string[];
  since?: Date;
  until?: Date;
}

export interface CompiledRule {
  rule: RuleFile;
  /** Param values, already typed by DuckDB (so a bad config value fails here, naming the key). */
  params: Record<string, DuckDBValue>;
  /** The same values as written in the config or the rule, for messages ("10 minutes", not "00:10:00"). */
  paramText: Record<string, string>;
  episodeGap: DuckDBValue;
  hasDetail: boolean;
}

const CAST: Record<ParamType, string> = {
  integer: 'BIGINT',
  number: 'DOUBLE',
  string: 'VARCHAR',
  boolean: 'BOOLEAN',
  interval: 'INTERVAL',
  string_list: 'VARCHAR[]',
};

/** `*` matches anything; everything else in a path pattern is literal. */
export function pathPatternToLike(pattern: string): string {
  return pattern.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%');
}

/**
 * The `scan_events` view every rule reads: the events in the time window, with is_public and
 * is_login resolved from the configured path patterns (bound values, never SQL text).
 */
export async function prepareScope(db: Database, scope: Scope): Promise<void> {
  await db.run(`CREATE OR REPLACE TEMP TABLE scope_paths (kind VARCHAR, pattern VARCHAR)`);
  const patterns = [
    ...scope.publicPaths.map((p) => ['public', p] as const),
    ...scope.loginPaths.map((p) => ['login', p] as const),
  ];
  for (const [kind, pattern] of patterns) {
    await db.run(`INSERT INTO scope_paths VALUES ($kind, $pattern)`, { kind, pattern: pathPatternToLike(pattern) });
  }
  await db.run(`CREATE OR REPLACE TEMP TABLE scope_window (since TIMESTAMP, until TIMESTAMP)`);
  await db.run(`INSERT INTO scope_window VALUES ($since::TIMESTAMP, $until::TIMESTAMP)`, {
    since: scope.since ? scope.since.toISOString() : null,
    until: scope.until ? scope.until.toISOString() : null,
  });
  // window_events: the events in the window, for queries that need no path flags (cheaper to read)
  await db.run(`
    CREATE OR REPLACE TEMP VIEW window_events AS
    SELECT e.* FROM events e, scope_window w
    WHERE (w.since IS NULL OR e.ts >= w.since) AND (w.until IS NULL OR e.ts < w.until)`);
  await db.run(`
    CREATE OR REPLACE TEMP VIEW scan_events AS
    SELECT e.*,
      EXISTS (SELECT 1 FROM scope_paths p WHERE p.kind = 'public' AND e.path ILIKE p.pattern ESCAPE '\\') AS is_public,
      EXISTS (SELECT 1 FROM scope_paths p WHERE p.kind = 'login' AND e.path ILIKE p.pattern ESCAPE '\\') AS is_login
    FROM window_events e`);
}

/** How many events the rules read: every stored event within the window. */
export async function countScopeEvents(db: Database): Promise<number> {
  return (await db.one<{ n: number }>(`SELECT count(*)::DOUBLE AS n FROM scan_events`))!.n;
}

/**
 * After ingest, rule SQL (shipped or the user's) runs sandboxed: no file or network access, and
 * no setting can be changed back.
 */
export async function lockDown(db: Database): Promise<void> {
  await db.run(`SET enable_external_access = false`);
  await db.run(`SET lock_configuration = true`);
}

async function typed(db: Database, value: unknown, type: ParamType, where: string): Promise<DuckDBValue> {
  const input = Array.isArray(value) ? listValue(value.map(String)) : (value as DuckDBValue);
  try {
    const reader = await db.connection.runAndReadAll(`SELECT $v::${CAST[type]} AS v`, { v: input });
    const out = reader.getRows()[0]?.[0];
    if (out === null || out === undefined) throw new Error('null');
    return out;
  } catch {
    throw new UserError('config', `${where}: ${JSON.stringify(value)} is not a valid ${type}`);
  }
}

export async function compileRules(db: Database, rules: RuleFile[], config: Config): Promise<CompiledRule[]> {
  const known = new Set(rules.map((r) => r.metadata.id));
  for (const id of Object.keys(config.rules)) {
    if (!known.has(id)) throw new UserError('config', `rules.${id}: no such rule (known: ${[...known].join(', ')})`);
  }
  const compiled: CompiledRule[] = [];
  for (const rule of rules) {
    const { id, params: specs } = rule.metadata;
    const settings = config.rules[id] ?? {};
    if (settings.enabled === false) continue;
    const params: Record<string, DuckDBValue> = {};
    const paramText: Record<string, string> = {};
    for (const [name, spec] of Object.entries(specs)) {
      const value = name in settings ? settings[name] : spec.default;
      paramText[name] = Array.isArray(value) ? value.join(', ') : String(value);
      params[name] = await typed(db, value, spec.type, name in settings ? `rules.${id}.${name}` : `${rule.file}: params.${name}.default`);
    }
    for (const key of Object.keys(settings)) {
      if (key !== 'enabled' && !(key in specs)) {
        throw new UserError('config', `rules.${id}.${key}: unknown param (known: ${Object.keys(specs).join(', ') || 'none'})`);
      }
    }
    const gap = rule.metadata.episode_gap;
    const episodeGap = gap in params ? params[gap]! : await typed(db, gap, 'interval', `${rule.file}: episode_gap`);

    let columns: string[];
    try {
      const prepared = await db.connection.prepare(rule.sql);
      for (let i = 1; i <= prepared.parameterCount; i++) {
        const name = prepared.parameterName(i);
        if (!(name in params)) throw new UserError('rule', `${rule.file}: uses undeclared parameter $${name}`);
      }
      prepared.destroySync();
      // Result columns are only known once parameter types are (an interval in a window frame).
      const probe = await db.connection.prepare(`SELECT * FROM (${rule.sql}) AS rule_output LIMIT 0`);
      probe.bind(usedParams(probe, params));
      columns = (await probe.runAndReadAll()).columnNames();
      probe.destroySync();
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw new UserError('rule', `${rule.file}: ${errorMessage(error).split('\n')[0]}`);
    }
    const missing = REQUIRED_COLUMNS.filter((c) => !columns.includes(c));
    if (missing.length) throw new UserError('rule', `${rule.file}: the SELECT must return ${missing.join(', ')}`);
    compiled.push({ rule, params, paramText, episodeGap, hasDetail: columns.includes('detail') });
  }
  return compiled;
}

/** Only the parameters a statement uses may be bound. */
function usedParams(prepared: DuckDBPreparedStatement, values: Record<string, DuckDBValue>): Record<string, DuckDBValue> {
  const out: Record<string, DuckDBValue> = {};
  for (let i = 1; i <= prepared.parameterCount; i++) {
    const name = prepared.parameterName(i);
    out[name] = values[name]!;
  }
  return out;
}

function findingSql(rule: CompiledRule): string {
  const detail = rule.hasDetail ? 'max(detail::VARCHAR)' : 'NULL::VARCHAR';
  return `
WITH hits AS (${rule.rule.sql}),
h AS (
  SELECT subject_kind::VARCHAR AS f_kind, subject::VARCHAR AS f_subject, file_id, line_no, ${detail} AS detail
  FROM hits WHERE subject IS NOT NULL GROUP BY ALL
),
he AS (SELECT h.f_kind, h.f_subject, h.detail, e.* FROM h JOIN events e ON e.file_id = h.file_id AND e.line_no = h.line_no),
gaps AS (
  SELECT *, CASE WHEN lag(ts) OVER w IS NULL OR ts - lag(ts) OVER w > $apiaudit_episode_gap THEN 1 ELSE 0 END AS new_episode
  FROM he WINDOW w AS (PARTITION BY f_kind, f_subject ORDER BY ts, file_id, line_no)
),
episodes AS (
  SELECT *, sum(new_episode) OVER (PARTITION BY f_kind, f_subject ORDER BY ts, file_id, line_no ROWS UNBOUNDED PRECEDING) AS episode
  FROM gaps
),
ranked AS (
  SELECT *, row_number() OVER (PARTITION BY f_kind, f_subject, episode ORDER BY ts, file_id, line_no) AS evidence_rank
  FROM episodes
)
SELECT
  r.f_kind AS subject_kind, r.f_subject AS subject,
  strftime(min(r.ts), ${ISO}) AS first_seen,
  strftime(max(r.ts), ${ISO}) AS last_seen,
  count(*)::INTEGER AS event_count,
  count(DISTINCT r.path)::INTEGER AS distinct_paths,
  mode(r.credential_fingerprint) AS credential_fingerprint,
  mode(r.principal) AS principal,
  mode(r.client_ip) AS client_ip,
  list_sort(list_distinct(list(r.client_ip)))[1:20] AS client_ips,
  list_sort(list_distinct(list(r.user_agent)))[1:20] AS user_agents,
  list_sort(list_distinct(list(r.detail)))[1:20] AS details,
  list({'file': f.path, 'line': r.line_no::INTEGER, 'ts': strftime(r.ts, ${ISO}), 'method': r.method, 'path': r.path,
        'status': r.status::INTEGER, 'client_ip': r.client_ip, 'user_agent': r.user_agent, 'query': r.query}
       ORDER BY r.ts, r.file_id, r.line_no) FILTER (WHERE r.evidence_rank <= ${EVIDENCE_LIMIT}) AS evidence
FROM ranked r JOIN files f ON f.file_id = r.file_id
GROUP BY r.f_kind, r.f_subject, r.episode
ORDER BY first_seen, subject`;
}

interface FindingRow {
  subject_kind: SubjectKind;
  subject: string;
  first_seen: string;
  last_seen: string;
  event_count: number;
  distinct_paths: number;
  credential_fingerprint: string | null;
  principal: string | null;
  client_ip: string | null;
  client_ips: Array<string | null>;
  user_agents: Array<string | null>;
  details: Array<string | null>;
  evidence: Evidence[];
}

export function findingId(ruleId: string, subjectKind: string, subject: string, episodeStart: string): string {
  return createHash('sha256').update(`${ruleId}\n${subjectKind}\n${subject}\n${episodeStart}`).digest('hex').slice(0, 32);
}

function renderMessage(template: string, values: Record<string, unknown>): string {
  return template.replace(/\{\{\s*([a-z_.]+)\s*\}\}/g, (_, key: string) => {
    const value = values[key];
    return Array.isArray(value) ? value.join(', ') : String(value ?? '');
  });
}

export async function runRule(db: Database, compiled: CompiledRule): Promise<Finding[]> {
  const { metadata } = compiled.rule;
  let rows: FindingRow[];
  try {
    const prepared = await db.connection.prepare(findingSql(compiled));
    prepared.bind(usedParams(prepared, { ...compiled.params, apiaudit_episode_gap: compiled.episodeGap }));
    rows = (await prepared.runAndReadAll()).getRowObjectsJson() as unknown as FindingRow[];
    prepared.destroySync();
  } catch (error) {
    throw new UserError('rule', `rule ${metadata.id} (${compiled.rule.file}) failed: ${errorMessage(error).split('\n')[0]}`);
  }
  const paramText = Object.fromEntries(Object.entries(compiled.paramText).map(([k, v]) => [`param.${k}`, v]));
  return rows.map((row) => {
    const clean = (list: Array<string | null>) => list.filter((x): x is string => x !== null);
    const values = {
      ...paramText,
      ...row,
      distinct_client_ips: clean(row.client_ips).length,
      distinct_user_agents: clean(row.user_agents).length,
      details: clean(row.details),
    };
    return {
      id: findingId(metadata.id, row.subject_kind, row.subject, row.first_seen),
      ruleId: metadata.id,
      severity: metadata.severity,
      title: metadata.title,
      message: renderMessage(metadata.message, values),
      subject: {
        kind: row.subject_kind,
        credentialFingerprint: row.subject_kind === 'credential' ? row.subject : row.credential_fingerprint,
        principal: row.subject_kind === 'principal' ? row.subject : row.principal,
        clientIp: row.subject_kind === 'client_ip' ? row.subject : row.client_ip,
        clientIps: clean(row.client_ips),
        userAgents: clean(row.user_agents),
      },
      firstSeen: row.first_seen,
      lastSeen: row.last_seen,
      eventCount: row.event_count,
      distinctPaths: row.distinct_paths,
      details: clean(row.details),
      evidence: row.evidence,
      rule: {
        description: metadata.description,
        remediation: metadata.remediation,
        references: metadata.references,
        tags: metadata.tags,
        falsepositives: metadata.falsepositives,
      },
    };
  });
}

export async function runRules(db: Database, rules: CompiledRule[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const rule of rules) findings.push(...(await runRule(db, rule)));
  return sortFindings(findings);
}

export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      a.firstSeen.localeCompare(b.firstSeen) ||
      a.ruleId.localeCompare(b.ruleId) ||
      a.id.localeCompare(b.id),
  );
}
