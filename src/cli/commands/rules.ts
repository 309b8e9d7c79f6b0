import type { Argv } from 'yargs';
import { BUILTIN_RULES_DIR, loadRuleFiles } from '../../rules/index.js';
import type { CommandContext } from '../context.js';

export function rulesCommand(yargs: Argv, { io }: CommandContext): Argv {
  return yargs.command('rules', 'list the detection rules', (y) =>
    y
      .command('list', 'id, severity, title and params of each rule', {}, async () => {
        for (const rule of await loadRuleFiles([BUILTIN_RULES_DIR])) {
          const m = rule.metadata;
          const params = Object.entries(m.params).map(([k, p]) => `${k}=${Array.isArray(p.default) ? p.default.join(',') : p.default}`);
          io.stdout(`${m.id.padEnd(22)} ${m.severity.padEnd(8)} ${m.title}${params.length ? `\n${' '.repeat(32)}${params.join('  ')}` : ''}\n`);
        }
      })
      .demandCommand(1, 'say which: apiaudit rules list'),
  );
}
