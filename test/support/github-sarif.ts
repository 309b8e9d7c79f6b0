// Test helper: what GitHub code scanning requires of an uploaded SARIF file beyond the schema
// ("SARIF support for code scanning"), as a list of violations (empty when the file is fine).

const LEVELS = ['none', 'note', 'warning', 'error'];

export function githubSarifViolations(sarif: any): string[] {
  const out: string[] = [];
  const check = (ok: unknown, what: string) => {
    if (!ok) out.push(what);
  };
  check(sarif.version === '2.1.0', 'version must be 2.1.0');
  check(typeof sarif.$schema === 'string', '$schema should name the SARIF schema');
  check(Array.isArray(sarif.runs) && sarif.runs.length >= 1 && sarif.runs.length <= 20, '1 to 20 runs');
  (sarif.runs ?? []).forEach((run: any, r: number) => {
    const driver = run.tool?.driver;
    check(typeof driver?.name === 'string' && driver.name.length > 0, `runs[${r}].tool.driver.name is required`);
    const rules: any[] = driver?.rules ?? [];
    check(rules.length <= 25_000, `runs[${r}]: at most 25,000 rules`);
    check(new Set(rules.map((x) => x.id)).size === rules.length, `runs[${r}]: rule ids must be unique`);
    rules.forEach((rule, i) => {
      const where = `runs[${r}].tool.driver.rules[${i}]`;
      check(typeof rule.id === 'string' && rule.id.length > 0, `${where}.id is required`);
      for (const key of ['shortDescription', 'fullDescription', 'help']) {
        check(typeof rule[key]?.text === 'string' && rule[key].text.trim().length > 0, `${where}.${key}.text is required`);
      }
      const tags = rule.properties?.tags ?? [];
      check(Array.isArray(tags) && tags.every((t: unknown) => typeof t === 'string') && tags.length <= 20, `${where}.properties.tags: at most 20 strings`);
      const score = rule.properties?.['security-severity'];
      if (score !== undefined) {
        check(typeof score === 'string' && /^\d+(\.\d+)?$/.test(score) && Number(score) >= 0 && Number(score) <= 10, `${where}: security-severity is a string score from 0.0 to 10.0`);
        check(tags.includes('security'), `${where}: a rule with a security-severity is tagged "security"`);
      }
    });
    const results: any[] = run.results ?? [];
    check(results.length <= 25_000, `runs[${r}]: at most 25,000 results`);
    results.forEach((result, i) => {
      const where = `runs[${r}].results[${i}]`;
      const rule = rules.find((x) => x.id === result.ruleId);
      check(rule, `${where}.ruleId must name a rule of the driver`);
      if (result.ruleIndex !== undefined) check(rules[result.ruleIndex]?.id === result.ruleId, `${where}.ruleIndex must point at its rule`);
      check(result.level === undefined || LEVELS.includes(result.level), `${where}.level must be none, note, warning or error`);
      check(typeof result.message?.text === 'string' && result.message.text.length > 0, `${where}.message.text is required`);
      const locations: any[] = result.locations ?? [];
      check(locations.length >= 1 && locations.length <= 10, `${where}: 1 to 10 locations (code scanning shows no result without one)`);
      locations.forEach((location, l) => {
        const physical = location.physicalLocation;
        const uri = physical?.artifactLocation?.uri;
        check(typeof uri === 'string' && uri.length > 0, `${where}.locations[${l}]: artifactLocation.uri is required`);
        check(Number.isInteger(physical?.region?.startLine) && physical.region.startLine >= 1, `${where}.locations[${l}]: region.startLine >= 1`);
      });
      const fingerprints = result.partialFingerprints ?? {};
      check(Object.keys(fingerprints).length > 0 && Object.values(fingerprints).every((v) => typeof v === 'string' && v.length > 0),
        `${where}.partialFingerprints: at least one non-empty string`);
    });
  });
  return out;
}
