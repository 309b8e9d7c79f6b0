// A rule is one SQL file: a YAML metadata header in the leading /* … */ comment (Sigma-style
// fields), then one SELECT over `scan_events` that returns the events that are evidence, each with
// the subject it is evidence against. Grouping into findings is the engine's job.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { UserError } from '../errors.js';

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);

export const PARAM_TYPES = ['integer', 'number', 'string', 'boolean', 'interval', 'string_list'] as const;
export type ParamType = (typeof PARAM_TYPES)[number];

const ParamSpec = z
  .object({
    type: z.enum(PARAM_TYPES),
    default: z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]).optional(),
    /**
     * string_list only: the default is read from this data file next to the rule (one entry a
     * line; blank lines and lines starting with # are skipped). A plain file name ending in .txt:
     * a rule can only ship data from its own folder, never read other files through this.
     */
    default_file: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*\.txt$/, 'a .txt file name in the rule\'s own folder (no path)')
      .optional(),
    description: z.string().min(1),
  })
  .strict()
  .superRefine((spec, ctx) => {
    if ((spec.default === undefined) === (spec.default_file === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of default, default_file' });
    }
    if (spec.default_file !== undefined && spec.type !== 'string_list') {
      ctx.addIssue({ code: 'custom', message: 'default_file is only for string_list params' });
    }
  });

/** Placeholders a rule's message may use; {{param.<name>}} is also allowed. */
export const MESSAGE_FIELDS = [
  'event_count', 'first_seen', 'last_seen', 'subject', 'subject_kind', 'principal', 'client_ip',
  'distinct_paths', 'distinct_client_ips', 'distinct_user_agents', 'distinct_principals', 'details',
] as const;

export const RuleMetadata = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
    title: z.string().trim().min(1),
    severity: z.enum(SEVERITIES),
    // YAML's folded `>` blocks end with a newline that has no place in a one-line report field
    description: z.string().trim().min(1),
    message: z.string().trim().min(1),
    remediation: z.string().trim().min(1),
    references: z.array(z.url().regex(/^https?:\/\//, 'an http(s) URL')).default([]),
    tags: z
      .object({
        owasp: z.array(z.string().regex(/^API([1-9]|10):2023$/, 'an OWASP API Top 10 2023 id such as API2:2023')).default([]),
        attack: z.array(z.string().regex(/^T[0-9]{4}(\.[0-9]{3})?$/, 'an ATT&CK technique id such as T1110.001')).default([]),
      })
      .strict(),
    falsepositives: z.array(z.string()).default([]),
    /** Hits of one subject further apart than this start a new finding (an interval or a param name). */
    episode_gap: z.string().default('1 hour'),
    params: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/), ParamSpec).default({}),
  })
  .strict();
export type RuleMetadata = z.infer<typeof RuleMetadata>;

export interface RuleFile {
  metadata: RuleMetadata;
  sql: string;
  file: string;
}

export function parseRuleText(text: string, file: string): RuleFile {
  const trimmed = text.trimStart();
  const end = trimmed.indexOf('*/');
  if (!trimmed.startsWith('/*') || end < 0) {
    throw new UserError('rule', `${file}: a rule starts with a /* … */ comment holding its YAML metadata`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(trimmed.slice(2, end));
  } catch (error) {
    throw new UserError('rule', `${file}: metadata is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const parsed = RuleMetadata.safeParse(raw);
  if (!parsed.success) throw new UserError('rule', `${file}: ${formatIssues(parsed.error)}`);
  const metadata = parsed.data;
  const stem = path.basename(file).replace(/\.sql$/, '');
  if (metadata.id !== stem) throw new UserError('rule', `${file}: id "${metadata.id}" must equal the file name "${stem}"`);
  for (const match of metadata.message.matchAll(/\{\{\s*([a-z_.]+)\s*\}\}/g)) {
    const key = match[1]!;
    const ok = (MESSAGE_FIELDS as readonly string[]).includes(key) || (key.startsWith('param.') && key.slice(6) in metadata.params);
    if (!ok) throw new UserError('rule', `${file}: message uses unknown placeholder {{${key}}}`);
  }
  const sql = trimmed.slice(end + 2).trim().replace(/;\s*$/, '');
  if (!/^(with|select|from)\b/i.test(sql.replace(/^(--[^\n]*\n\s*)+/, ''))) {
    throw new UserError('rule', `${file}: the rule body must be one SELECT (or WITH … SELECT) statement`);
  }
  return { metadata, sql, file };
}

/** Reads a rule and the data files its params take their defaults from. */
export async function readRuleFile(file: string): Promise<RuleFile> {
  const rule = parseRuleText(await readFile(file, 'utf8'), file);
  for (const [name, spec] of Object.entries(rule.metadata.params)) {
    if (spec.default_file === undefined) continue;
    const dataFile = path.join(path.dirname(file), spec.default_file);
    let text: string;
    try {
      text = await readFile(dataFile, 'utf8');
    } catch {
      throw new UserError('rule', `${file}: params.${name}: cannot read its data file ${dataFile}`);
    }
    spec.default = parseDataFile(text);
  }
  return rule;
}

/** One entry a line; surrounding blanks trimmed; empty lines and # comments skipped. */
export function parseDataFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(top level)'}: ${issue.message}`)
    .join('; ');
}
