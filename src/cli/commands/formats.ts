import type { Argv } from 'yargs';
import { FORMATS } from '../../ingest/index.js';
import type { CommandContext } from '../context.js';

export function formatsCommand(yargs: Argv, { io }: CommandContext): Argv {
  return yargs.command('formats', 'list the log types apiaudit reads and what each carries', {}, () => {
    for (const f of FORMATS) {
      const c = f.capabilities;
      io.stdout(
        `${f.id.padEnd(16)} ${f.title}\n${' '.repeat(17)}scheme: ${c.scheme}, credential: ${c.credential}, principal: ${c.principal}, client ip: ${c.clientIp}${f.acceptsPattern ? ', --log-pattern' : ''}\n`,
      );
    }
  });
}
