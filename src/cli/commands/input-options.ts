// The options that say what to scan and how, shared by `scan` and `baseline create`.
import type { Argv } from 'yargs';
import { checkTimezone } from '../../ingest/formats/time.js';
import { UserError } from '../../errors.js';
import { DEFAULT_MEMORY_LIMIT } from '../../store/index.js';
import { parseTimeBound } from '../time-bounds.js';

export function inputOptions<T>(yargs: Argv<T>) {
  return yargs
    .positional('paths', { type: 'string', array: true, demandOption: true, describe: 'log files or folders (.gz is read directly)' })
    .option('db', { requiresArg: true, type: 'string', describe: 'DuckDB database file (default: in memory); kept from run to run, ingested incrementally' })
    .option('config', { requiresArg: true, type: 'string', describe: 'config file (YAML or JSON)' })
    .option('log-type', { requiresArg: true, type: 'string', describe: 'log type for every input (see `apiaudit formats`); default: detect' })
    .option('log-pattern', { requiresArg: true, type: 'string', describe: "the server's log format string, verbatim (nginx log_format, Apache LogFormat, Envoy format, API Gateway format)" })
    .option('timezone', { requiresArg: true, type: 'string', describe: 'zone of log times written without one (HAProxy, zone-less exports): IANA name or ±HH:MM; default UTC' })
    .option('since', { requiresArg: true, type: 'string', describe: 'detect only on events from then on: a duration back from now (24h, 7d) or a timestamp (UTC unless it says)' })
    .option('until', { requiresArg: true, type: 'string', describe: 'detect only on events before then (a duration back from now or a timestamp)' })
    .option('rules', { requiresArg: true, type: 'string', array: true, describe: 'a folder of your own rules (<id>.sql) to run as well; repeatable' })
    .option('memory-limit', {
      requiresArg: true,
      type: 'string',
      default: DEFAULT_MEMORY_LIMIT,
      describe: "DuckDB's memory limit (e.g. 4GB); beyond it, work spills to a private folder under TMPDIR instead of growing",
    })
    .option('verbose', { type: 'boolean', default: false, describe: 'print how long each stage took on stderr (ingest per file, each rule, the report)' });
}

interface InputArgs {
  paths?: unknown;
  db?: string;
  config?: string;
  'log-type'?: string;
  'log-pattern'?: string;
  timezone?: string;
  since?: string;
  until?: string;
  rules?: string[];
  'memory-limit'?: string;
}

/** What to scan, as runScan takes it; --since / --until are counted back from `now`. */
export function scanInputs(args: InputArgs, now: Date) {
  return {
    paths: args.paths as string[],
    db: args.db,
    config: args.config,
    logType: args['log-type'],
    logPattern: args['log-pattern'],
    timezone: args.timezone === undefined ? undefined : checkedTimezone(args.timezone),
    since: args.since === undefined ? undefined : parseTimeBound(args.since, now, '--since'),
    until: args.until === undefined ? undefined : parseTimeBound(args.until, now, '--until'),
    ruleDirs: args.rules ?? [],
    memoryLimit: args['memory-limit'] === undefined ? undefined : checkedMemoryLimit(args['memory-limit']),
    now,
  };
}

function checkedTimezone(zone: string): string {
  checkTimezone(zone); // a usage error naming the zone
  return zone;
}

function checkedMemoryLimit(limit: string): string {
  if (!/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(limit.trim())) {
    throw new UserError('usage', `--memory-limit must be a size such as 512MB or 4GB, not ${JSON.stringify(limit)}`);
  }
  return limit.trim();
}
