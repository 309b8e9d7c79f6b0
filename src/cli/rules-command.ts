// Text output of `apiaudit rules list` and `apiaudit rules test`.
import path from 'node:path';
import type { RuleFile } from '../rules/index.js';
import type { RuleTestResult } from '../rules/rule-cases.js';

function defaultText(spec: RuleFile['metadata']['params'][string]): string {
  if (spec.default_file) return `<${Array.isArray(spec.default) ? spec.default.length : 0} entries from ${spec.default_file}>`;
  return Array.isArray(spec.default) ? `[${spec.default.join(', ')}]` : String(spec.default);
}

export function formatRuleList(rules: RuleFile[]): string {
  return rules
    .map((rule) => {
      const m = rule.metadata;
      const head = `${m.id.padEnd(24)} ${m.severity.padEnd(8)} ${m.title}`;
      const params = Object.entries(m.params).map(([name, spec]) => `${' '.repeat(34)}${name} = ${defaultText(spec)}  (${spec.type})`);
      return [head, ...params].join('\n') + '\n';
    })
    .join('');
}

export function formatRuleTests(results: RuleTestResult[]): { text: string; failed: boolean } {
  const lines: string[] = [];
  let cases = 0;
  let failedCases = 0;
  let failedRules = 0;
  for (const result of results) {
    const name = result.rule ?? path.basename(result.file, '.sql');
    if (result.error !== null) {
      failedRules++;
      lines.push(`FAIL ${name}: ${result.error}`);
      continue;
    }
    const failures = result.cases.filter((c) => !c.ok);
    cases += result.cases.length;
    failedCases += failures.length;
    if (failures.length) failedRules++;
    lines.push(`${failures.length ? 'FAIL' : 'ok  '} ${name} (${result.cases.length} cases${failures.length ? `, ${failures.length} failed` : ''})`);
    for (const failure of failures) {
      lines.push(`       ${failure.kind}: ${failure.name}`);
      for (const problem of failure.problems) lines.push(`         - ${problem}`);
    }
  }
  lines.push(
    `${results.length} rule(s), ${cases} case(s): ${failedRules === 0 ? 'all passed' : `${failedRules} rule(s) and ${failedCases} case(s) failed`}`,
  );
  return { text: lines.join('\n') + '\n', failed: failedRules > 0 };
}
