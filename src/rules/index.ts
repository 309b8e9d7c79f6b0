export { BUILTIN_RULES_DIR, loadRuleFiles } from './catalog.js';
export {
  compileRules,
  countScopeEvents,
  EVIDENCE_LIMIT,
  findingId,
  lockDown,
  pathPatternToLike,
  prepareScope,
  runRule,
  runRules,
  scopeFromConfig,
  sortFindings,
  useRuleScope,
  type AllowlistEntry,
  type CompiledRule,
  type Scope,
  type ScopeSummary,
} from './engine.js';
export type { Evidence, Finding, SubjectKind } from './finding.js';
export {
  MESSAGE_FIELDS,
  parseRuleText,
  readRuleFile,
  RuleMetadata,
  SEVERITIES,
  severityRank,
  type RuleFile,
  type Severity,
} from './rule-file.js';
export {
  ACTIVITY_SUBJECT_LIMIT,
  STATUS_CLASSES,
  subjectActivity,
  subjectKey,
  type Activity,
  type StatusClass,
  type StatusCounts,
  type SubjectActivity,
} from './activity.js';
export { Baseline, BaselineEntry, createBaseline, DEFAULT_BASELINE_REASON, readBaseline, serializeBaseline } from './baseline.js';
export { episodeGapMs, FINDING_STATUSES, trackFindings, type FindingStatus, type Lifecycle, type TrackedFinding } from './lifecycle.js';
export { checkIgnores, ignoreMatches, suppress, type IgnoredFinding, type Suppression } from './suppression.js';
