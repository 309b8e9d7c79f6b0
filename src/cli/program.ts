// The command line. The only module that knows about argv, stdout, stderr and exit codes:
// 0 = ran (nothing at or above --fail-on), 1 = a finding at or above --fail-on, 2 = usage, input,
// config or internal error, always with one clear line on stderr (the stack only with --debug).
import { createRequire } from 'node:module';
import yargs from 'yargs';
import { UserError, errorMessage, redactSecrets } from '../errors.js';
import { FORMATS } from '../ingest/index.js';
import { reportJsonSchema } from '../report/index.js';
import { BUILTIN_RULES_DIR, loadRuleFiles, SEVERITIES } from '../rules/index.js';
import { formatRuleList, formatRuleTests } from './rules-command.js';
import { runRuleTests } from '../rules/rule-cases.js';
import { writeFileAtomic } from './output.js';
import { OUTPUT_FORMATS, runScan, type FailOn, type OutputFormat } from './scan.js';

const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };
export const VERSION = pkg.version;

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** Runs the CLI; resolves to the exit code (never calls process.exit). */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let exitCode = 0;
  const debug = argv.includes('--debug');
  const parser = yargs(argv)
    .scriptName('apiaudit')
    .usage('$0 <command> [options]')
    .command(
      'scan <paths..>',
      'ingest access logs and report findings per credential',
      (y) =>
        y
          .positional('paths', { type: 'string', array: true, demandOption: true, describe: 'log files or folders (.gz is read directly)' })
          .option('format', { alias: 'f', choices: OUTPUT_FORMATS, default: 'json' as OutputFormat, describe: 'report format' })
          .option('output', { alias: 'o', type: 'string', describe: 'write the report to this file (default: stdout)' })
          .option('db', { type: 'string', describe: 'DuckDB database file (default: in memory)' })
          .option('config', { type: 'string', describe: 'config file (YAML or JSON)' })
          .option('log-type', { type: 'string', describe: 'log type for every input (see `apiaudit formats`); default: detect' })
          .option('log-pattern', { type: 'string', describe: 'the server\'s log format string, verbatim (nginx log_format)' })
          .option('fail-on', {
            choices: [...SEVERITIES, 'never'] as const,
            default: 'never' as FailOn,
            describe: 'exit 1 when a finding at or above this severity remains',
          })
          .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'print nothing on stderr but errors' })
          .option('rules', { type: 'string', array: true, describe: 'a folder of your own rules (<id>.sql) to run as well; repeatable' }),
      async (args) => {
        const outcome = await runScan({
          paths: args.paths as string[],
          format: args.format,
          db: args.db,
          config: args.config,
          logType: args['log-type'],
          logPattern: args['log-pattern'],
          failOn: args['fail-on'],
          ruleDirs: args.rules ?? [],
          version: VERSION,
        });
        if (args.output) await writeFileAtomic(args.output, outcome.rendered);
        else io.stdout(outcome.rendered);
        for (const message of outcome.messages) {
          if (!args.quiet || message.startsWith('error:')) io.stderr(`apiaudit: ${redactSecrets(message)}\n`);
        }
        exitCode = outcome.exitCode;
      },
    )
    .command('formats', 'list the log types apiaudit reads and what each carries', {}, () => {
      for (const f of FORMATS) {
        const c = f.capabilities;
        io.stdout(
          `${f.id.padEnd(16)} ${f.title}\n${' '.repeat(17)}scheme: ${c.scheme}, credential: ${c.credential}, principal: ${c.principal}, client ip: ${c.clientIp}${f.acceptsPattern ? ', --log-pattern' : ''}\n`,
        );
      }
    })
    .command('rules', 'list or test detection rules', (y) =>
      y
        .command(
          'list',
          'id, severity, title and params (with defaults) of each rule',
          (yy) => yy.option('rules', { type: 'string', array: true, describe: 'also list the rules of this folder; repeatable' }),
          async (args) => {
            io.stdout(formatRuleList(await loadRuleFiles([BUILTIN_RULES_DIR, ...(args.rules ?? [])])));
          },
        )
        .command(
          'test [dir]',
          "run each rule's cases (<id>.cases.yaml next to <id>.sql); exit 1 if any fails",
          (yy) => yy.positional('dir', { type: 'string', describe: 'rules folder (default: the shipped rules)' }),
          async (args) => {
            const results = await runRuleTests(args.dir ?? BUILTIN_RULES_DIR);
            const { text, failed } = formatRuleTests(results);
            io.stdout(text);
            exitCode = failed ? 1 : 0;
          },
        )
        .demandCommand(1, 'say which: apiaudit rules list | apiaudit rules test [dir]'),
    )
    .command('schema', 'print the JSON Schema of the JSON report (schema_version 1)', {}, () => {
      io.stdout(`${JSON.stringify(reportJsonSchema(), null, 2)}\n`);
    })
    .option('debug', { type: 'boolean', default: false, describe: 'print stack traces of errors' })
    .demandCommand(1, 'say which command: apiaudit --help')
    .strict()
    .version(VERSION)
    .help()
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .exitProcess(false)
    .fail((message, error) => {
      // yargs' own usage errors must exit 2, like ours, never 1
      throw error ?? new UserError('usage', message);
    });

  try {
    await parser.parseAsync();
    return exitCode;
  } catch (error) {
    const message = error instanceof UserError ? error.message : `internal error: ${errorMessage(error).split('\n')[0]}`;
    io.stderr(`apiaudit: ${redactSecrets(message)}\n`);
    if (debug && error instanceof Error && error.stack) io.stderr(`${redactSecrets(error.stack)}\n`);
    return 2;
  }
}
