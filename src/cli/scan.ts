// `apiaudit scan`: files → ingest → events → rules → findings → report. Returns the report, the
// messages and the exit code; the command (commands/scan.ts) renders and prints, through `deliver`.
import path from 'node:path';
import { globToRegExp, loadConfig, type Config } from '../config/index.js';
import { UserError } from '../errors.js';
import { expandInputs, ingestFiles, type FormatChoice, type IngestResult, type InputFile } from '../ingest/index.js';
import { buildReport, type ReportV1 } from '../report/index.js';
import {
  BUILTIN_RULES_DIR,
  checkIgnores,
  compileRules,
  countScopeEvents,
  episodeGapMs,
  loadRuleFiles,
  lockDown,
  prepareScope,
  readBaseline,
  runRules,
  scopeFromConfig,
  severityRank,
  subjectActivity,
  suppress,
  trackFindings,
  type ScopeSummary,
  type Severity,
  type TrackedFinding,
} from '../rules/index.js';
import { SILENT, timed, type RunObserver } from '../observer.js';
import { Database } from '../store/index.js';

export type FailOn = Severity | 'never';

export interface ScanOptions {
  paths: string[];
  db?: string;
  config?: string;
  logType?: string;
  logPattern?: string;
  timezone?: string;
  failOn: FailOn;
  /** Like failOn, for the findings that are new in this run (cron audits over --db). */
  failOnNew?: FailOn;
  /** Detection reads only events in [since, until). */
  since?: Date;
  until?: Date;
  /** A baseline file: its findings are suppressed. */
  baseline?: string;
  /** Record the findings' lifecycle in the database (new / ongoing / resolved); default true. */
  track?: boolean;
  /** Any rejected line makes the run fail (exit 2). */
  strict?: boolean;
  /** Folders of the user's own rules, run with the shipped ones (same sandbox). */
  ruleDirs?: string[];
  version: string;
  cwd?: string;
  now?: Date;
  /** DuckDB's memory limit (default DEFAULT_MEMORY_LIMIT). */
  memoryLimit?: string;
  /** Stage timings and progress (the command prints them for --verbose and on a terminal). */
  observer?: RunObserver;
}

export interface ScanOutcome {
  report: ReportV1;
  exitCode: 0 | 1 | 2;
  /** One-line messages for stderr. */
  messages: string[];
}

/** Writes the report out. Runs before the lifecycle is committed: an undelivered finding stays new. */
export type Deliver = (report: ReportV1, findings: TrackedFinding[]) => Promise<void>;

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
      fieldMap: match?.fields ?? config.fields,
    };
  };
}

export async function runScan(options: ScanOptions, deliver: Deliver = async () => undefined): Promise<ScanOutcome> {
  if (options.since && options.until && options.since >= options.until) {
    throw new UserError('usage', `--since (${options.since.toISOString()}) must be before --until (${options.until.toISOString()})`);
  }
  const now = options.now ?? new Date();
  const cwd = options.cwd ?? process.cwd();
  const config = await loadConfig(options.config);
  const baseline = options.baseline ? await readBaseline(options.baseline) : undefined;
  const files = await expandInputs(options.paths, options.cwd);
  const ruleFiles = await loadRuleFiles([BUILTIN_RULES_DIR, ...(options.ruleDirs ?? [])]);
  checkIgnores(config.ignore, ruleFiles.map((r) => r.metadata.id));
  const observer = options.observer ?? SILENT;
  const db = await Database.open(options.db ?? null, { memoryLimit: options.memoryLimit });
  try {
    const inputs = await ingestFiles(db, files, {
      formatFor: formatChooser(config, { logType: options.logType, logPattern: options.logPattern, timezone: options.timezone }),
      observer,
    });
    const scope = await timed(observer, 'scope (shared facts for all rules)', () =>
      prepareScope(db, { ...scopeFromConfig(config), since: options.since, until: options.until }),
    );
    // The sandbox is on before any rule is compiled: compiling runs the rule's SQL (LIMIT 0).
    await lockDown(db);
    const rules = await timed(observer, 'compile rules', () => compileRules(db, ruleFiles, config), (r) => `${r.length} rule(s)`);
    const detected = await runRules(db, rules, observer);
    const eventsScanned = await countScopeEvents(db);

    const report = async () => {
      const lifecycle =
        options.track === false
          ? { findings: detected.map((f): TrackedFinding => ({ ...f, status: 'new' })), resolved: [] }
          : await trackFindings(db, detected, { runAt: now, episodeGaps: new Map(rules.map((r) => [r.rule.metadata.id, episodeGapMs(r)])) });
      const suppressOptions = { ignores: config.ignore, baseline, cwd };
      const suppression = suppress(lifecycle.findings, suppressOptions);
      const activity = await subjectActivity(db, suppression.kept);
      const report = buildReport({
        version: options.version,
        generatedAt: now,
        inputs,
        rules: rules.map((r) => r.rule),
        findings: suppression.kept,
        resolved: suppress(lifecycle.resolved, suppressOptions).kept,
        suppression: {
          ignored: suppression.ignored,
          baseline: baseline && {
            path: options.baseline!,
            entries: baseline.findings.length,
            suppressed: suppression.baselined.length,
            stale: suppression.stale,
          },
        },
        window: { since: options.since, until: options.until },
        eventsScanned,
        activity,
        scope,
      });
      await timed(observer, 'render and write the report', () => deliver(report, suppression.kept));
      return { report, kept: suppression.kept };
    };
    // The lifecycle commits only once the report is out.
    const { report: built, kept } = await timed(observer, 'findings: lifecycle, suppression, activity, report', () =>
      options.track === false ? report() : db.transaction(report),
    );

    const messages = [...inputMessages(inputs), ...allowlistMessages(scope), ...summaryMessages(built, { db: options.db, tracked: options.track !== false })];
    const atOrAbove = (level: FailOn | undefined, findings: TrackedFinding[]) =>
      level !== undefined && level !== 'never' && findings.some((f) => severityRank(f.severity) >= severityRank(level));
    const failed = atOrAbove(options.failOn, kept) || atOrAbove(options.failOnNew, kept.filter((f) => f.status === 'new'));
    const rejectedUnderStrict = options.strict === true && built.summary.rejected > 0;
    if (rejectedUnderStrict) messages.push(`error: ${built.summary.rejected} rejected line(s) with --strict`);
    const exitCode = inputs.some((i) => i.status === 'error') || rejectedUnderStrict ? 2 : failed ? 1 : 0;
    return { report: built, exitCode, messages };
  } finally {
    db.close();
  }
}

/** What happened to each input: errors, what was skipped and why, rejected lines. */
function inputMessages(inputs: IngestResult[]): string[] {
  const messages: string[] = [];
  for (const input of inputs) {
    if (input.status === 'error') messages.push(`error: ${input.error}`);
    if (input.status === 'duplicate') messages.push(`skipped ${input.path}: same content as ${input.duplicateOf}, already ingested`);
    if (input.continues !== undefined && input.firstLine !== undefined) {
      const last = input.firstLine + input.lines - 1;
      messages.push(
        `${input.path}: grew since ${input.continues} was ingested; read lines ${input.firstLine}–${last} only (lines before were ingested by an earlier run)`,
      );
    }
    if (input.rejected > 0) {
      const first = input.rejectedLines[0]!;
      messages.push(`${input.path}: ${input.rejected} rejected line(s), first at line ${first.line}: ${first.reason}`);
    }
  }
  return messages;
}

function allowlistMessages(scope: ScopeSummary): string[] {
  if (scope.allowlist.length === 0) return [];
  const matched = scope.allowlist.reduce((n, e) => n + e.events, 0);
  const entries = `${scope.allowlist.length} entr${scope.allowlist.length === 1 ? 'y' : 'ies'}`;
  return [`allow-list: ${entries} matched ${matched} event(s), excluded from the rules they name (listed in the report)`];
}

function summaryMessages(report: ReportV1, run: { db?: string; tracked: boolean }): string[] {
  const s = report.summary;
  const bySeverity = Object.entries(s.by_severity).filter(([, n]) => n > 0).map(([sev, n]) => `${n} ${sev}`).join(', ');
  const messages = [
    `${s.files} file(s), ${s.events} events, ${s.rejected} rejected line(s); ${s.findings} finding(s)${bySeverity ? ` (${bySeverity})` : ''}`,
  ];
  const window = s.window && (s.window.since || s.window.until)
    ? `${s.window.since ? ` since ${s.window.since}` : ''}${s.window.until ? ` until ${s.window.until}` : ''}`
    : '';
  if (run.db || window) messages.push(`rules read ${s.events_scanned ?? 0} event(s)${run.db ? ' in the database' : ''}${window}`);
  if (run.db && run.tracked && s.by_status) {
    messages.push(`since the last run: ${s.by_status.new} new, ${s.by_status.ongoing} ongoing, ${s.by_status.resolved} resolved`);
  }
  const suppressed = report.suppressed;
  if (suppressed?.ignored.length) messages.push(`${suppressed.ignored.length} finding(s) ignored by the config's ignore list (listed in the report)`);
  if (suppressed?.baseline) {
    const b = suppressed.baseline;
    const stale = b.stale.map((e) => `${e.id} (${e.rule_id})`).join(', ');
    messages.push(
      `baseline ${b.path}: ${b.suppressed} finding(s) suppressed${b.stale.length ? `; ${b.stale.length} stale entr${b.stale.length === 1 ? 'y' : 'ies'} no longer found: ${stale}` : ''}`,
    );
  }
  return messages;
}
