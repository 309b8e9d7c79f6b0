// Where rules come from: the shipped queries/ folder, plus any --rules folders of the user's.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors.js';
import { readRuleFile, type RuleFile } from './rule-file.js';

/** dist/rules/catalog.js → <package>/queries */
export const BUILTIN_RULES_DIR = fileURLToPath(new URL('../../queries/', import.meta.url));

export async function loadRuleFiles(directories: string[]): Promise<RuleFile[]> {
  const rules: RuleFile[] = [];
  const seen = new Map<string, string>();
  for (const directory of directories) {
    let names: string[];
    try {
      names = (await readdir(directory)).filter((n) => n.endsWith('.sql')).sort();
    } catch {
      throw new UserError('rule', `cannot read rules folder ${directory}`);
    }
    for (const name of names) {
      const rule = await readRuleFile(path.join(directory, name));
      const earlier = seen.get(rule.metadata.id);
      if (earlier) throw new UserError('rule', `${rule.file}: rule id "${rule.metadata.id}" is already defined in ${earlier}`);
      seen.set(rule.metadata.id, rule.file);
      rules.push(rule);
    }
  }
  return rules;
}
