import { existsSync } from 'node:fs';
import type { Argv } from 'yargs';
import { UserError } from '../../errors.js';
import { Database, pruneOlderThan } from '../../store/index.js';
import type { CommandContext } from '../context.js';
import { parseTimeBound } from '../time-bounds.js';

export function pruneCommand(yargs: Argv, { io }: CommandContext): Argv {
  return yargs.command(
    'prune',
    'delete events and findings older than a cutoff from a --db database (retention)',
    (y) =>
      y
        .option('db', { requiresArg: true, type: 'string', demandOption: true, describe: 'the DuckDB database file' })
        .option('older-than', {
          requiresArg: true,
          type: 'string',
          demandOption: true,
          describe: 'a duration back from now (90d) or a timestamp: what is older is deleted',
        }),
    async (args) => {
      const cutoff = parseTimeBound(args['older-than'], new Date(), '--older-than');
      if (!existsSync(args.db)) throw new UserError('input', `no such database: ${args.db}`);
      const db = await Database.open(args.db);
      try {
        const pruned = await pruneOlderThan(db, cutoff);
        io.stdout(
          `pruned ${pruned.events} event(s), ${pruned.rejects} rejected line(s) and ${pruned.findings} finding(s) older than ${cutoff.toISOString()} from ${args.db}\n`,
        );
      } finally {
        db.close();
      }
    },
  );
}
