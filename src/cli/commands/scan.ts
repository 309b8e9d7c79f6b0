import type { Argv } from 'yargs';
import { redactSecrets, UserError } from '../../errors.js';
import { OUTPUT_FORMATS, render, type OutputFormat } from '../../report/index.js';
import { SEVERITIES } from '../../rules/index.js';
import { VERSION, type CommandContext } from '../context.js';
import { createFolder, planOutputs, writeFileAtomic } from '../output.js';
import { runScan, type FailOn } from '../scan.js';

export function scanCommand(yargs: Argv, { io, setExitCode }: CommandContext): Argv {
  return yargs.command(
    'scan <paths..>',
    'ingest access logs and report findings per credential',
    (y) =>
      y
        .positional('paths', { type: 'string', array: true, demandOption: true, describe: 'log files or folders (.gz is read directly)' })
        .option('format', {
          alias: 'f',
          choices: OUTPUT_FORMATS,
          default: 'json' as OutputFormat,
          describe: 'report format; repeat it for several (with -o DIR)',
        })
        .option('output', {
          alias: 'o',
          type: 'string',
          describe: 'write the report to this file, or report.<ext> files to this folder (default: stdout)',
        })
        .option('evidence', { type: 'boolean', default: false, describe: 'with -f csv: one row per evidence event, not per finding' })
        .option('db', { type: 'string', describe: 'DuckDB database file (default: in memory)' })
        .option('config', { type: 'string', describe: 'config file (YAML or JSON)' })
        .option('log-type', { type: 'string', describe: 'log type for every input (see `apiaudit formats`); default: detect' })
        .option('log-pattern', { type: 'string', describe: "the server's log format string, verbatim (nginx log_format)" })
        .option('fail-on', {
          choices: [...SEVERITIES, 'never'] as const,
          default: 'never' as FailOn,
          describe: 'exit 1 when a finding at or above this severity remains',
        })
        .option('strict', { type: 'boolean', default: false, describe: 'exit 2 when any input line was rejected' })
        .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'print nothing on stderr but errors' })
        .option('rules', { type: 'string', array: true, describe: 'a folder of your own rules (<id>.sql) to run as well; repeatable' }),
    async (args) => {
      // -f may be repeated; checked before the scan so that a usage error costs nothing
      const formats = [...new Set([args.format].flat())] as OutputFormat[];
      if (args.evidence && !formats.includes('csv')) throw new UserError('usage', '--evidence applies to -f csv');
      const plan = await planOutputs(formats, args.output);
      const outcome = await runScan({
        paths: args.paths as string[],
        db: args.db,
        config: args.config,
        logType: args['log-type'],
        logPattern: args['log-pattern'],
        failOn: args['fail-on'],
        strict: args.strict,
        ruleDirs: args.rules ?? [],
        version: VERSION,
      });
      const rendered = await Promise.all(plan.targets.map((t) => render(outcome.report, t.format, { evidence: args.evidence })));
      if (plan.folder) await createFolder(plan.folder);
      for (const [i, { file }] of plan.targets.entries()) {
        if (file) await writeFileAtomic(file, rendered[i]!);
        else io.stdout(rendered[i]!);
      }
      for (const message of outcome.messages) {
        if (!args.quiet || message.startsWith('error:')) io.stderr(`apiaudit: ${redactSecrets(message)}\n`);
      }
      setExitCode(outcome.exitCode);
    },
  );
}
