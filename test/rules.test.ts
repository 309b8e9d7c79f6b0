// Every rule in queries/ is tested the same way, ESLint-RuleTester style: its <id>.cases.yaml
// lists logs that must not fire (valid) and logs that must produce exactly the listed findings.
import { describe, expect, it } from 'vitest';
import { BUILTIN_RULES_DIR } from '../src/rules/index.js';
import { listRuleFiles, loadRuleCases } from '../src/rules/rule-cases.js';

const ruleFiles = await listRuleFiles(BUILTIN_RULES_DIR);

describe.each(ruleFiles)('%s', async (ruleFile) => {
  let cases: Awaited<ReturnType<typeof loadRuleCases>>['cases'] = [];
  let loadError: unknown;
  try {
    ({ cases } = await loadRuleCases(ruleFile));
  } catch (error) {
    loadError = error;
  }
  it('has a case file with valid and invalid cases', () => {
    if (loadError) throw loadError;
    expect(cases.some((c) => c.kind === 'valid')).toBe(true);
    expect(cases.some((c) => c.kind === 'invalid')).toBe(true);
  });
  for (const c of cases) {
    it(`${c.kind}: ${c.name}`, async () => {
      expect(await c.run()).toEqual([]);
    });
  }
});
