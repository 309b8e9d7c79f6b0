// Rule test cases, in the spirit of ESLint's RuleTester and Semgrep's rule tests: next to each
// queries/<id>.sql lives <id>.cases.yaml with `valid` logs (must not fire) and `invalid` logs
// (must produce exactly the listed findings). `apiaudit rules test DIR` and `npm test` run them
// the same way, so a user's own rule folder is tested like the shipped one.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseConfig } from '../config/index.js';
import { UserError } from '../errors.js';
import { ingestFiles } from '../ingest/index.js';
import { Database } from '../store/index.js';
import { compileRules, lockDown, prepareScope, runRule, scopeFromConfig } from './engine.js';
import type { Finding } from './finding.js';
import { formatIssues, readRuleFile, type RuleFile } from './rule-file.js';

const TokenSpec = z.union([
  z.string().min(1), // an opaque token, used as written
  z.object({ alg: z.string().default('HS256') }).catchall(z.unknown()), // JWT claims; iat/exp/nbf may be ISO times
]);

const Expected = z
  .object({
    subject: z.string().regex(/^(token|principal|client_ip):.+$/, 'token:<name>, principal:<name> or client_ip:<address>'),
    event_count: z.number().int().positive().optional(),
    first_seen: z.string().optional(),
    last_seen: z.string().optional(),
    details: z.array(z.string()).optional(),
    /** Text the rendered message must contain. */
    message_includes: z.string().min(1).optional(),
  })
  .strict();

const Case = z
  .object({
    name: z.string().min(1),
    log: z.string(),
    params: z.record(z.string(), z.unknown()).optional(),
    log_type: z.string().optional(),
    log_pattern: z.string().optional(),
  })
  .strict();

export const CaseFile = z
  .object({
    rule: z.string(),
    log_type: z.string().default('nginx'),
    log_pattern: z.string().optional(),
    /** Config keys (public_paths, login_paths, …) for every case. */
    config: z.record(z.string(), z.unknown()).default({}),
    params: z.record(z.string(), z.unknown()).default({}),
    tokens: z.record(z.string(), TokenSpec).default({}),
    valid: z.array(Case).default([]),
    invalid: z.array(Case.extend({ findings: z.array(Expected).min(1) }).strict()).default([]),
  })
  .strict();
export type CaseFile = z.infer<typeof CaseFile>;

export interface CaseResult {
  rule: string;
  kind: 'valid' | 'invalid';
  name: string;
  ok: boolean;
  problems: string[];
}

const b64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const toEpoch = (v: unknown) => (typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v) ? Math.floor(Date.parse(v) / 1000) : v);

/** An unsigned-looking JWT (the signature is never checked by apiaudit) or the opaque string itself. */
export function buildToken(spec: z.infer<typeof TokenSpec>, name: string): string {
  if (typeof spec === 'string') return spec;
  const { alg, ...claims } = spec;
  for (const key of ['iat', 'exp', 'nbf']) if (key in claims) claims[key] = toEpoch(claims[key]);
  return `${b64url({ alg, typ: 'JWT' })}.${b64url(claims)}.${b64url(`test-signature-${name}`)}`;
}

export async function readCaseFile(file: string): Promise<CaseFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new UserError('rule', `no test cases: cannot read ${file}`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new UserError('rule', `${file}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const parsed = CaseFile.safeParse(raw);
  if (!parsed.success) throw new UserError('rule', `${file}: ${formatIssues(parsed.error)}`);
  return parsed.data;
}

function subjectOf(expected: string, tokens: Record<string, string>): { kind: string; value: string } {
  const [kind, ...rest] = expected.split(':');
  const name = rest.join(':');
  if (kind === 'token') {
    const token = tokens[name];
    if (token === undefined) throw new UserError('rule', `unknown token "${name}" in an expected subject`);
    return { kind: 'credential', value: createHash('sha256').update(token).digest('hex') };
  }
  return { kind: kind!, value: name };
}

async function runCase(rule: RuleFile, cases: CaseFile, c: z.infer<typeof Case>, log: string): Promise<Finding[]> {
  const workDir = await mkdtemp(path.join(tmpdir(), 'apiaudit-case-'));
  const logFile = path.join(workDir, 'case.log');
  await writeFile(logFile, log);
  const db = await Database.open(null);
  try {
    const [ingest] = await ingestFiles(db, [{ absolutePath: logFile, displayPath: 'case.log' }], {
      formatFor: () => ({ logType: c.log_type ?? cases.log_type, logPattern: c.log_pattern ?? cases.log_pattern }),
    });
    if (!ingest || ingest.status !== 'ingested') throw new UserError('rule', `case log could not be ingested: ${ingest?.error ?? 'unknown'}`);
    if (ingest.rejected > 0) {
      const first = ingest.rejectedLines[0]!;
      throw new UserError('rule', `case log line ${first.line} was rejected: ${first.reason}`);
    }
    const config = parseConfig({ ...cases.config, rules: { [rule.metadata.id]: { ...cases.params, ...c.params } } }, 'case file');
    await prepareScope(db, scopeFromConfig(config));
    await lockDown(db);
    const [compiled] = await compileRules(db, [rule], config);
    return compiled ? await runRule(db, compiled) : [];
  } finally {
    db.close();
    await rm(workDir, { recursive: true, force: true });
  }
}

function compare(actual: Finding[], expected: z.infer<typeof Expected>[], tokens: Record<string, string>): string[] {
  const problems: string[] = [];
  const remaining = [...actual];
  for (const want of expected) {
    const subject = subjectOf(want.subject, tokens);
    const index = remaining.findIndex(
      (f) =>
        f.subject.kind === subject.kind &&
        (subject.kind === 'credential' ? f.subject.credentialFingerprint : subject.kind === 'principal' ? f.subject.principal : f.subject.clientIp) ===
          subject.value &&
        (want.first_seen === undefined || Date.parse(f.firstSeen) === Date.parse(want.first_seen)),
    );
    if (index < 0) {
      problems.push(`expected a finding for ${want.subject}${want.first_seen ? ` starting ${want.first_seen}` : ''}, got none`);
      continue;
    }
    const [got] = remaining.splice(index, 1);
    if (want.event_count !== undefined && got!.eventCount !== want.event_count) {
      problems.push(`${want.subject}: expected event_count ${want.event_count}, got ${got!.eventCount}`);
    }
    if (want.last_seen !== undefined && Date.parse(got!.lastSeen) !== Date.parse(want.last_seen)) {
      problems.push(`${want.subject}: expected last_seen ${want.last_seen}, got ${got!.lastSeen}`);
    }
    if (want.details !== undefined && JSON.stringify(got!.details) !== JSON.stringify(want.details)) {
      problems.push(`${want.subject}: expected details ${JSON.stringify(want.details)}, got ${JSON.stringify(got!.details)}`);
    }
    if (want.message_includes !== undefined && !got!.message.includes(want.message_includes)) {
      problems.push(`${want.subject}: expected the message to include ${JSON.stringify(want.message_includes)}, got ${JSON.stringify(got!.message)}`);
    }
  }
  for (const extra of remaining) {
    problems.push(`unexpected finding for ${extra.subject.kind} ${extra.subject.principal ?? extra.subject.clientIp ?? ''} (${extra.eventCount} events from ${extra.firstSeen})`);
  }
  return problems;
}

export interface RuleCase {
  kind: 'valid' | 'invalid';
  name: string;
  /** Resolves to the problems found: empty when the case passes. */
  run: () => Promise<string[]>;
}

/** The cases of one rule, ready to run. A rule without a case file is itself an error. */
export async function loadRuleCases(ruleFile: string): Promise<{ rule: RuleFile; cases: RuleCase[] }> {
  const rule = await readRuleFile(ruleFile);
  const caseFile = ruleFile.replace(/\.sql$/, '.cases.yaml');
  const spec = await readCaseFile(caseFile);
  if (spec.rule !== rule.metadata.id) throw new UserError('rule', `${caseFile}: rule "${spec.rule}" does not match ${rule.metadata.id}`);
  if (spec.valid.length === 0 || spec.invalid.length === 0) {
    throw new UserError('rule', `${caseFile}: needs at least one valid and one invalid case`);
  }
  const tokens = Object.fromEntries(Object.entries(spec.tokens).map(([name, t]) => [name, buildToken(t, name)]));
  const expand = (log: string) =>
    log.replace(/\{\{\s*token\.([A-Za-z0-9_-]+)\s*\}\}/g, (_, name: string) => {
      const token = tokens[name];
      if (token === undefined) throw new UserError('rule', `${caseFile}: unknown token "${name}"`);
      return token;
    });
  const make = (kind: 'valid' | 'invalid', c: z.infer<typeof Case>, expected: z.infer<typeof Expected>[]): RuleCase => ({
    kind,
    name: c.name,
    run: async () => {
      try {
        return compare(await runCase(rule, spec, c, expand(c.log)), expected, tokens);
      } catch (error) {
        return [error instanceof Error ? error.message : String(error)];
      }
    },
  });
  return {
    rule,
    cases: [...spec.valid.map((c) => make('valid', c, [])), ...spec.invalid.map((c) => make('invalid', c, c.findings))],
  };
}

export async function runRuleCases(ruleFile: string): Promise<CaseResult[]> {
  const { rule, cases } = await loadRuleCases(ruleFile);
  const results: CaseResult[] = [];
  for (const c of cases) {
    const problems = await c.run();
    results.push({ rule: rule.metadata.id, kind: c.kind, name: c.name, ok: problems.length === 0, problems });
  }
  return results;
}

export async function listRuleFiles(directory: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch {
    throw new UserError('input', `cannot read rules folder ${directory}`);
  }
  return names.filter((n) => n.endsWith('.sql')).sort().map((n) => path.join(directory, n));
}

export interface RuleTestResult {
  file: string;
  /** The rule id, when the rule file could be read. */
  rule: string | null;
  /** Why the rule's cases could not be run at all (bad rule file, missing or bad case file). */
  error: string | null;
  cases: CaseResult[];
}

/** `apiaudit rules test DIR`: every rule of a folder against its case file, one rule after another. */
export async function runRuleTests(directory: string): Promise<RuleTestResult[]> {
  const results: RuleTestResult[] = [];
  for (const file of await listRuleFiles(directory)) {
    try {
      const cases = await runRuleCases(file);
      results.push({ file, rule: cases[0]?.rule ?? null, error: null, cases });
    } catch (error) {
      results.push({ file, rule: null, error: error instanceof Error ? error.message : String(error), cases: [] });
    }
  }
  return results;
}
