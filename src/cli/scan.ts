// `apiaudit scan`: files → ingest → events → rules → findings → report. Returns the report, the
// messages and the exit code; the command (commands/scan.ts) renders and prints.
import path from 'node:path';
import { globToRegExp, loadConfig, type Config } from '../config/index.js';
import { expandInputs, ingestFiles, type FormatChoice, type InputFile } from '../ingest/index.js';
import { buildReport, type ReportV1 } from '../report/index.js';
import {
  BUILTIN_RULES_DIR,
  compileRules,
  loadRuleFiles,
  lockDown,
  prepareScope,
  runRules,
  scopeFromConfig,
  severityRank,
  subjectActivity,
  type Severity,
} from '../rules/index.js';
import { Database } from '../store/index.js';

export type FailOn = Severity | 'never';

export interface ScanOptions {
  paths: string[];
  db?: string;
  config?: string;
  logType?: string;
  logPattern?: string;
  failOn: FailOn;
  /** Any rejected line makes the run fail (exit 2). */
  strict?: boolean;
  /** Folders of the user's own rules, run with the shipped ones (same sandbox). */
  ruleDirs?: string[];
  version: string;
  cwd?: string;
  now?: Date;
}

export interface ScanOutcome {
  report: ReportV1;
  exitCode: 0 | 1 | 2;
  /** One-line messages for stderr. */
  messages: string[];
}

/** CLI flags win over the config's per-file `inputs`, which win over its top-level defaults. */
export function formatChooser(config: Config, flags: FormatChoice): (file: InputFile) => FormatChoice {
  const rules = config.inputs.map((input) => ({ input, re: globToRegExp(input.match) }));
  return (file) => {
    const name = file.displayPath;
    const match = rules.find(({ input, re }) => re.test(input.match.includes('/') ? name : path.posix.basename(name)))?.input;
    return {
      logType: flags.logType ?? match?.log_type ?? config.log_type,
      logPattern: flags.logPattern ?? match?.log_pattern ?? config.log_pattern,
      timezone: flags.timezone ?? match?.timezone ?? config.timezone,
    };
  };
}

export async function runScan(options: ScanOptions): Promise<ScanOutcome> {
  const config = await loadConfig(options.config);
  const files = await expandInputs(options.paths, options.cwd);
  const ruleFiles = await loadRuleFiles([BUILTIN_RULES_DIR, ...(options.ruleDirs ?? [])]);
  const db = await Database.open(options.db ?? null);
  try {
    const inputs = await ingestFiles(db, files, {
      formatFor: formatChooser(config, { logType: options.logType, logPattern: options.logPattern }),
    });
    const scope = await prepareScope(db, scopeFromConfig(config));
    await lockDown(db);
    const rules = await compileRules(db, ruleFiles, config);
    const findings = await runRules(db, rules);
    const activity = await subjectActivity(db, findings);
    const report = buildReport({
      version: options.version,
      generatedAt: options.now ?? new Date(),
      inputs,
      rules: rules.map((r) => r.rule),
      findings,
      activity,
      scope,
    });

    const messages: string[] = [];
    for (const input of inputs) {
      if (input.status === 'error') messages.push(`error: ${input.error}`);
      if (input.status === 'duplicate') messages.push(`skipped ${input.path}: same content as ${input.duplicateOf}, already ingested`);
      if (input.rejected > 0) {
        const first = input.rejectedLines[0]!;
        messages.push(`${input.path}: ${input.rejected} rejected line(s), first at line ${first.line}: ${first.reason}`);
      }
    }
    if (scope.allowlist.length) {
      const matched = scope.allowlist.reduce((n, e) => n + e.events, 0);
      messages.push(`allow-list: ${scope.allowlist.length} entr${scope.allowlist.length === 1 ? 'y' : 'ies'} matched ${matched} event(s), excluded from the rules they name (listed in the report)`);
    }
    const s = report.summary;
    const bySeverity = Object.entries(s.by_severity).filter(([, n]) => n > 0).map(([sev, n]) => `${n} ${sev}`).join(', ');
    messages.push(
      `${s.files} file(s), ${s.events} events, ${s.rejected} rejected line(s); ${s.findings} finding(s)${bySeverity ? ` (${bySeverity})` : ''}`,
    );
    const failed = options.failOn !== 'never' && report.findings.some((f) => severityRank(f.severity) >= severityRank(options.failOn as Severity));
    const rejectedUnderStrict = options.strict === true && s.rejected > 0;
    if (rejectedUnderStrict) messages.push(`error: ${s.rejected} rejected line(s) with --strict`);
    const exitCode = inputs.some((i) => i.status === 'error') || rejectedUnderStrict ? 2 : failed ? 1 : 0;
    return { report, exitCode, messages };
  } finally {
    db.close();
  }
}
