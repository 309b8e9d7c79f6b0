import type { Argv } from 'yargs';
import { BUILTIN_RULES_DIR, loadRuleFiles } from '../../rules/index.js';
import { runRuleTests } from '../../rules/rule-cases.js';
import type { CommandContext } from '../context.js';
import { formatRuleList, formatRuleTests } from '../rules-command.js';

export function rulesCommand(yargs: Argv, { io, setExitCode }: CommandContext): Argv {
  return yargs.command('rules', 'list or test detection rules', (y) =>
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
          const { text, failed } = formatRuleTests(await runRuleTests(args.dir ?? BUILTIN_RULES_DIR));
          io.stdout(text);
          setExitCode(failed ? 1 : 0);
        },
      )
      .demandCommand(1, 'say which: apiaudit rules list | apiaudit rules test [dir]'),
  );
}
