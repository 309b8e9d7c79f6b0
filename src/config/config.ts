// The config file (--config, YAML or JSON): defaults for inputs, the public paths, rule params.
// Validated with zod; every error names the key that is wrong.
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
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

/**
 * A finding the config accepts, with the reason why: every key given must match (rule id, the
 * subject's fingerprint, principal or client IP, a prefix of the log file path of its first
 * evidence row — the location SARIF reports).
 */
const IgnoreEntry = z
  .object({
    rule: z.string().min(1).optional(),
    subject: z.string().min(1).optional(),
    path: z.string().min(1).optional(),
    reason: z.string().trim().min(1, 'say why it is ignored'),
  })
  .strict()
  .refine((entry) => entry.rule || entry.subject || entry.path, 'give a rule, a subject or a path');

// ---- false-positive guards and the allow-list (used by the rules layer) ----

/** Health-check paths: requests to them are monitoring, not use (rate-anomaly, unauthenticated-success). */
export const DEFAULT_MONITOR_PATHS = ['/health', '/health/*', '/healthz', '/livez', '/readyz', '/ping'];
/** User agents of well-known health checkers and uptime monitors (globs, case-insensitive). */
export const DEFAULT_MONITOR_USER_AGENTS = [
  'kube-probe/*', 'ELB-HealthChecker/*', 'GoogleHC/*', 'Amazon-Route53-Health-Check-Service*', 'Consul Health Check*',
  'Blackbox Exporter/*', 'Prometheus/*', 'Azure Traffic Manager Endpoint Monitor*', '*Pingdom*', '*UptimeRobot/*',
  '*StatusCake*', 'Datadog/Synthetics*', '*Site24x7*', 'NewRelicPinger/*',
];

const Monitors = z
  .object({
    paths: z.array(PathPattern).default(DEFAULT_MONITOR_PATHS),
    user_agents: z.array(z.string().min(1)).default(DEFAULT_MONITOR_USER_AGENTS),
  })
  .strict();

/** An IP address, or a network in CIDR notation. */
export function parseCidr(text: string): { address: string; prefix: number } | null {
  const [address = '', bits, ...rest] = text.trim().split('/');
  const family = isIP(address);
  if (!family || rest.length) return null;
  const max = family === 4 ? 32 : 128;
  if (bits === undefined) return { address, prefix: max };
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > max) return null;
  return { address, prefix: Number(bits) };
}

export const ALLOW_KINDS = ['client_ip', 'credential', 'principal', 'path'] as const;

/** One explicit allow-list entry: events it matches are not judged by the listed rules (all when omitted). */
const AllowEntry = z
  .object({
    client_ip: z.string().refine((v) => parseCidr(v) !== null, 'an IP address or a CIDR network such as 10.20.0.0/16').optional(),
    credential: z.string().regex(/^[0-9a-fA-F]{64}$/, 'a credential fingerprint (SHA-256, 64 hex digits)').transform((v) => v.toLowerCase()).optional(),
    principal: z.string().min(1).optional(),
    path: PathPattern.optional(),
    reason: z.string().min(1, 'say why this traffic is allowed'),
    rules: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict()
  .superRefine((entry, ctx) => {
    const kinds = ALLOW_KINDS.filter((k) => entry[k] !== undefined);
    if (kinds.length !== 1) ctx.addIssue({ code: 'custom', message: `give exactly one of ${ALLOW_KINDS.join(', ')}` });
  });
export type AllowEntry = z.infer<typeof AllowEntry>;

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
    /** Accepted findings, each with its reason (see IgnoreEntry). */
    ignore: z.array(IgnoreEntry).default([]),
    /** Health checks and monitors (false-positive guard of some rules; their traffic is still judged by the others). */
    monitors: Monitors.prefault({}),
    /** Explicit exclusions, each with a reason; every entry is reported with the number of events it excluded. */
    allowlist: z.array(AllowEntry).default([]),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;
export type IgnoreEntry = z.infer<typeof IgnoreEntry>;

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
