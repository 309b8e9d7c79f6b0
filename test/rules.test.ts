// Every rule in queries/ is tested the same way, ESLint-RuleTester style: its <id>.cases.yaml
// lists logs that must not fire (valid) and logs that must produce exactly the listed findings.
import { describe, expect, it } from 'vitest';
import { BUILTIN_RULES_DIR, loadRuleFiles } from '../src/rules/index.js';
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

// What the issue asks of every shipped rule's metadata: OWASP API Top 10 2023 and ATT&CK tags, a
// message built from the finding (not a fixed text), references and known false positives.
describe('shipped rule metadata', async () => {
  const rules = await loadRuleFiles([BUILTIN_RULES_DIR]);
  it.each(rules.map((r) => [r.metadata.id, r] as const))('%s is complete', (_, rule) => {
    const m = rule.metadata;
    expect(m.tags.owasp.length).toBeGreaterThan(0);
    expect(m.tags.attack.length).toBeGreaterThan(0);
    expect(m.references.length).toBeGreaterThan(0);
    expect(m.falsepositives.length).toBeGreaterThan(0);
    expect(m.message).toMatch(/\{\{\s*event_count\s*\}\}/);
    for (const [name, spec] of Object.entries(m.params)) expect(spec.description, name).not.toBe('');
  });
});
