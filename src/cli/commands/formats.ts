import type { Argv } from 'yargs';
import { FORMATS } from '../../ingest/index.js';
import type { CommandContext } from '../context.js';

export function formatsCommand(yargs: Argv, { io }: CommandContext): Argv {
  return yargs.command('formats', 'list the log types apiaudit reads and what each carries', {}, () => {
    for (const f of FORMATS) {
      const c = f.capabilities;
      const options = [f.acceptsPattern ? '--log-pattern' : '', f.acceptsFieldMap ? 'config fields' : ''].filter(Boolean).join(', ');
      io.stdout(
        `${f.id.padEnd(16)} ${f.title}\n${' '.repeat(17)}scheme: ${c.scheme}, credential: ${c.credential}, principal: ${c.principal}, client ip: ${c.clientIp}${options ? `; ${options}` : ''}\n${wrap(f.description, 17, 110)}\n`,
      );
    }
  });
}

/** Words of `text` in lines of at most `width` characters, each indented by `indent` spaces. */
function wrap(text: string, indent: number, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((l) => ' '.repeat(indent) + l).join('\n');
}
