import type { Argv } from 'yargs';
import { createBaseline, DEFAULT_BASELINE_REASON, serializeBaseline } from '../../rules/index.js';
import { VERSION, type CommandContext } from '../context.js';
import { printMessages, writeFileAtomic } from '../output.js';
import { consoleObserver } from '../progress.js';
import { runScan } from '../scan.js';
import { inputOptions, scanInputs } from './input-options.js';

export function baselineCommand(yargs: Argv, { io, setExitCode }: CommandContext): Argv {
  return yargs.command('baseline', 'accept the findings of today (for scan --baseline)', (y) =>
    y
      .command(
        'create <paths..>',
        "scan like `apiaudit scan` and record the findings' ids in a baseline file",
        (c) =>
          inputOptions(c)
            .option('output', { requiresArg: true, alias: 'o', type: 'string', demandOption: true, describe: 'the baseline file to write' })
            .option('reason', { requiresArg: true, type: 'string', default: DEFAULT_BASELINE_REASON, describe: 'the reason recorded with every entry' })
            .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'print nothing on stderr but errors' }),
        async (args) => {
          let written: number | undefined;
          const observer = consoleObserver(io, args);
          const outcome = await runScan(
            {
              ...scanInputs(args, new Date()),
              failOn: 'never',
              track: false, // a baseline records what is there; it does not move the lifecycle on
              version: VERSION,
              observer,
            },
            async (report, findings) => {
              if (report.inputs.some((i) => i.status === 'error')) return; // never a baseline of part of the logs
              await writeFileAtomic(args.output, serializeBaseline(createBaseline(findings, args.reason)));
              written = findings.length;
            },
          ).finally(() => observer.finish());
          const result = written === undefined ? `error: ${args.output} not written: an input could not be read` : `baseline ${args.output}: ${written} finding(s) recorded`;
          printMessages(io, [...outcome.messages, result], args.quiet);
          setExitCode(outcome.exitCode);
        },
      )
      .demandCommand(1, 'say which: apiaudit baseline create -o FILE <paths..>'),
  );
}
