// Accepted findings: the config's `ignore` entries (each with a reason) and a baseline file. What
// they suppress is listed in the report and never counts towards --fail-on.
import path from 'node:path';
import type { IgnoreEntry } from '../config/index.js';
import { UserError } from '../errors.js';
import type { Baseline, BaselineEntry } from './baseline.js';
import type { Finding } from './finding.js';
import { subjectKey } from './activity.js';

export interface IgnoredFinding<T extends Finding> {
  finding: T;
  reason: string;
  /** Index of the matching entry in the config's `ignore` list. */
  ignore: number;
}

export interface Suppression<T extends Finding> {
  kept: T[];
  ignored: Array<IgnoredFinding<T>>;
  /** Findings whose id is in the baseline (and that no ignore entry matched first). */
  baselined: T[];
  /** Baseline entries that match no finding of this run. */
  stale: BaselineEntry[];
}

export function checkIgnores(ignores: IgnoreEntry[], ruleIds: string[]): void {
  ignores.forEach((entry, i) => {
    if (entry.rule && !ruleIds.includes(entry.rule)) {
      throw new UserError('config', `ignore.${i}.rule: no such rule "${entry.rule}" (known: ${ruleIds.join(', ')})`);
    }
  });
}

/** Whether an ignore entry matches a finding; paths are compared resolved against `cwd`. */
export function ignoreMatches(entry: IgnoreEntry, finding: Finding, cwd: string): boolean {
  if (entry.rule && entry.rule !== finding.ruleId) return false;
  if (entry.subject && entry.subject !== subjectKey(finding) && entry.subject !== finding.subject.principal) return false;
  if (entry.path) {
    const location = finding.evidence[0]?.file;
    if (!location) return false;
    const resolve = (p: string) => path.resolve(cwd, p).split(path.sep).join('/');
    const prefix = resolve(entry.path) + (/[\\/]$/.test(entry.path) ? '/' : '');
    if (!resolve(location).startsWith(prefix)) return false;
  }
  return true;
}

export function suppress<T extends Finding>(
  findings: T[],
  options: { ignores: IgnoreEntry[]; baseline?: Baseline; cwd: string },
): Suppression<T> {
  const baselineIds = new Set(options.baseline?.findings.map((e) => e.id));
  const out: Suppression<T> = { kept: [], ignored: [], baselined: [], stale: [] };
  for (const finding of findings) {
    const index = options.ignores.findIndex((entry) => ignoreMatches(entry, finding, options.cwd));
    if (index >= 0) out.ignored.push({ finding, reason: options.ignores[index]!.reason, ignore: index });
    else if (baselineIds.has(finding.id)) out.baselined.push(finding);
    else out.kept.push(finding);
  }
  const found = new Set(findings.map((f) => f.id));
  out.stale = options.baseline?.findings.filter((e) => !found.has(e.id)) ?? [];
  return out;
}
