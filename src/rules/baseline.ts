// A baseline: the findings accepted at one point (`apiaudit baseline create`), so that a CI gate
// fails only on findings that are not in it. Sorted by id and free of timestamps of its own, so
// re-creating it from the same logs gives the same bytes and a review shows only real changes.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { UserError } from '../errors.js';
import type { Finding } from './finding.js';
import { subjectKey } from './activity.js';
import { formatIssues } from './rule-file.js';

export const BASELINE_KIND = 'apiaudit-baseline';
export const DEFAULT_BASELINE_REASON = 'present when the baseline was created';

export const BaselineEntry = z.object({
  id: z.string().regex(/^[0-9a-f]{32}$/, 'a finding id (32 hex digits)'),
  rule_id: z.string().min(1),
  subject_kind: z.enum(['credential', 'principal', 'client_ip']),
  subject: z.string(),
  principal: z.string().nullable().default(null),
  first_seen: z.string(),
  reason: z.string(),
});
export type BaselineEntry = z.infer<typeof BaselineEntry>;

export const Baseline = z.object({
  kind: z.literal(BASELINE_KIND),
  schema_version: z.literal(1),
  findings: z.array(BaselineEntry),
});
export type Baseline = z.infer<typeof Baseline>;

export function createBaseline(findings: Finding[], reason = DEFAULT_BASELINE_REASON): Baseline {
  const entries = findings.map((f) => ({
    id: f.id,
    rule_id: f.ruleId,
    subject_kind: f.subject.kind,
    subject: subjectKey(f),
    principal: f.subject.principal,
    first_seen: f.firstSeen,
    reason,
  }));
  entries.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { kind: BASELINE_KIND, schema_version: 1, findings: entries };
}

export function serializeBaseline(baseline: Baseline): string {
  return `${JSON.stringify(baseline, null, 2)}\n`;
}

export async function readBaseline(file: string): Promise<Baseline> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UserError('config', `cannot read baseline ${file}: ${(error as NodeJS.ErrnoException).code ?? 'read error'}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new UserError('config', `baseline ${file}: not valid JSON`);
  }
  const parsed = Baseline.safeParse(raw);
  if (!parsed.success) throw new UserError('config', `baseline ${file}: ${formatIssues(parsed.error)}`);
  return parsed.data;
}
