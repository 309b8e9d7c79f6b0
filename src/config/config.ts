// The config file (--config, YAML or JSON): defaults for inputs, the public paths, rule params.
// Validated with zod; every error names the key that is wrong.
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { RAW_FIELDS } from '../ingest/formats/format.js';
import { checkTimezone } from '../ingest/formats/time.js';

export const DEFAULT_PUBLIC_PATHS = [
  '/api/Auth/login',
  '/api/Auth/reset-password*',
  '/api/Auth/forgot-password*',
  '/health',
  '/healthz',
];
export const DEFAULT_LOGIN_PATHS = ['/api/Auth/login'];

const PathPattern = z.string().min(1).startsWith('/', 'a path pattern starts with /');

/** IANA zone or ±HH:MM, for logs whose times carry no offset (HAProxy, zone-less exports). */
const Timezone = z.string().min(1).refine((zone) => {
  try {
    checkTimezone(zone);
    return true;
  } catch {
    return false;
  }
}, 'not a time zone: use an IANA name (Europe/Paris) or an offset (+02:00)');

/** For the generic csv and jsonl types: raw field (or `request`, a request line) → column or key name. */
const FieldMap = z.partialRecord(z.enum([...RAW_FIELDS, 'request']), z.string().min(1));

const InputRule = z
  .object({
    match: z.string().min(1),
    log_type: z.string().min(1).optional(),
    log_pattern: z.string().min(1).optional(),
    timezone: Timezone.optional(),
    fields: FieldMap.optional(),
  })
  .strict();

const RuleSettings = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]));

export const ConfigSchema = z
  .object({
    version: z.literal(1).default(1),
    log_type: z.string().min(1).optional(),
    log_pattern: z.string().min(1).optional(),
    timezone: Timezone.optional(),
    fields: FieldMap.optional(),
    inputs: z.array(InputRule).default([]),
    /** Paths (glob: * matches anything) that need no credential: login, password reset, health. */
    public_paths: z.array(PathPattern).default(DEFAULT_PUBLIC_PATHS),
    /** The login routes (for the login rules). */
    login_paths: z.array(PathPattern).default(DEFAULT_LOGIN_PATHS),
    /** Per rule id: param overrides, plus `enabled: false`. */
    rules: z.record(z.string(), RuleSettings).default({}),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;

export function defaultConfig(): Config {
  return ConfigSchema.parse({});
}

export function parseConfig(raw: unknown, source: string): Config {
  const parsed = ConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    const key = first.path.length ? first.path.join('.') : '(top level)';
    throw new UserError('config', `${source}: ${key}: ${first.message}`);
  }
  return parsed.data;
}

export async function loadConfig(file: string | undefined): Promise<Config> {
  if (!file) return defaultConfig();
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UserError('config', `cannot read config file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'read error'}`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new UserError('config', `${file}: not valid YAML/JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  return parseConfig(raw, file);
}

/** A glob with * (within a path segment), ** (across segments) and ?, matched against a display path. */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*' && glob[i + 1] === '*') {
      out += '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (ch === '*') out += '[^/]*';
    else if (ch === '?') out += '[^/]';
    else out += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}
