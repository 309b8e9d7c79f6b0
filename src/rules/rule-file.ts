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
    default: z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]),
    description: z.string().min(1),
  })
  .strict();

/** Placeholders a rule's message may use; {{param.<name>}} is also allowed. */
export const MESSAGE_FIELDS = [
  'event_count', 'first_seen', 'last_seen', 'subject', 'subject_kind', 'principal', 'client_ip',
  'distinct_paths', 'distinct_client_ips', 'distinct_user_agents', 'details',
] as const;

export const RuleMetadata = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
    title: z.string().min(1),
    severity: z.enum(SEVERITIES),
    description: z.string().min(1),
    message: z.string().min(1),
    remediation: z.string().min(1),
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

export async function readRuleFile(file: string): Promise<RuleFile> {
  return parseRuleText(await readFile(file, 'utf8'), file);
}

export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(top level)'}: ${issue.message}`)
    .join('; ');
}
