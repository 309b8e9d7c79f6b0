import type { Argv } from 'yargs';
import { UserError } from '../../errors.js';
import { OUTPUT_FORMATS, render, type OutputFormat } from '../../report/index.js';
import { SEVERITIES } from '../../rules/index.js';
import { VERSION, type CommandContext } from '../context.js';
import { createFolder, planOutputs, printMessages, writeFileAtomic } from '../output.js';
import { consoleObserver } from '../progress.js';
import { runScan, type FailOn } from '../scan.js';
import { inputOptions, scanInputs } from './input-options.js';

const FAIL_LEVELS = [...SEVERITIES, 'never'] as const;

export function scanCommand(yargs: Argv, { io, setExitCode }: CommandContext): Argv {
  return yargs.command(
    'scan <paths..>',
    'ingest access logs and report findings per credential',
    (y) =>
      inputOptions(y)
        .option('format', {
          requiresArg: true,
          alias: 'f',
          choices: OUTPUT_FORMATS,
          default: 'json' as OutputFormat,
          describe: 'report format; repeat it for several (with -o DIR)',
        })
        .option('output', {
          requiresArg: true,
          alias: 'o',
          type: 'string',
          describe: 'write the report to this file, or report.<ext> files to this folder (default: stdout)',
        })
        .option('evidence', { type: 'boolean', default: false, describe: 'with -f csv: one row per evidence event, not per finding' })
        .option('fail-on', {
          requiresArg: true,
          choices: FAIL_LEVELS,
          default: 'never' as FailOn,
          describe: 'exit 1 when a finding at or above this severity remains',
        })
        .option('fail-on-new', {
          requiresArg: true,
          choices: FAIL_LEVELS,
          default: 'never' as FailOn,
          describe: 'exit 1 when a finding new in this run (with --db: not reported by an earlier run) is at or above this severity',
        })
        .option('baseline', { requiresArg: true, type: 'string', describe: 'suppress the findings recorded in this baseline file (apiaudit baseline create)' })
        .option('strict', { type: 'boolean', default: false, describe: 'exit 2 when any input line was rejected' })
        .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'print nothing on stderr but errors' }),
    async (args) => {
      // -f may be repeated; checked before the scan so that a usage error costs nothing
      const formats = [...new Set([args.format].flat())] as OutputFormat[];
      if (args.evidence && !formats.includes('csv')) throw new UserError('usage', '--evidence applies to -f csv');
      const plan = await planOutputs(formats, args.output);
      const observer = consoleObserver(io, args);
      const outcome = await runScan(
        {
          ...scanInputs(args, new Date()),
          failOn: args['fail-on'],
          failOnNew: args['fail-on-new'],
          baseline: args.baseline,
          strict: args.strict,
          version: VERSION,
          observer,
        },
        // the lifecycle of --db findings is saved only once every report is written
        async (report) => {
          const rendered = await Promise.all(plan.targets.map((t) => render(report, t.format, { evidence: args.evidence, cwd: process.cwd() })));
          if (plan.folder) await createFolder(plan.folder);
          for (const [i, { file }] of plan.targets.entries()) {
            if (file) await writeFileAtomic(file, rendered[i]!);
            else io.stdout(rendered[i]!);
          }
        },
      ).finally(() => observer.finish());
      printMessages(io, outcome.messages, args.quiet);
      setExitCode(outcome.exitCode);
    },
  );
}
