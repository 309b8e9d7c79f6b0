import type { Argv } from 'yargs';
import { reportJsonSchema } from '../../report/index.js';
import type { CommandContext } from '../context.js';

export function schemaCommand(yargs: Argv, { io }: CommandContext): Argv {
  return yargs.command('schema', 'print the JSON Schema of the JSON report (schema_version 1)', {}, () => {
    io.stdout(`${JSON.stringify(reportJsonSchema(), null, 2)}\n`);
  });
}
