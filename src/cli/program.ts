// The command line. The only place that knows about argv, stdout, stderr and exit codes:
// 0 = ran (nothing at or above --fail-on), 1 = a finding at or above --fail-on, 2 = usage, input,
// config or internal error, always with one clear line on stderr (the stack only with --debug).
import yargs from 'yargs';
import { UserError, errorMessage, redactSecrets } from '../errors.js';
import { baselineCommand } from './commands/baseline.js';
import { formatsCommand } from './commands/formats.js';
import { pruneCommand } from './commands/prune.js';
import { rulesCommand } from './commands/rules.js';
import { scanCommand } from './commands/scan.js';
import { schemaCommand } from './commands/schema.js';
import { VERSION, type CommandContext, type Io } from './context.js';
import { progressAllowed } from './progress.js';

const processIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  interactive: progressAllowed(process.stderr.isTTY, process.env),
};

const COMMANDS = [scanCommand, baselineCommand, pruneCommand, formatsCommand, rulesCommand, schemaCommand];

/** Runs the CLI; resolves to the exit code (never calls process.exit). */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let exitCode = 0;
  const context: CommandContext = { io, setExitCode: (code) => (exitCode = code) };
  const debug = argv.includes('--debug');
  let parser = yargs(argv).scriptName('apiaudit').usage('$0 <command> [options]');
  for (const command of COMMANDS) parser = command(parser, context);
  parser = parser
    .option('debug', { type: 'boolean', default: false, describe: 'print stack traces of errors' })
    .demandCommand(1, 'say which command: apiaudit --help')
    .strict()
    .version(VERSION)
    .help()
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .exitProcess(false)
    .fail((message, error) => {
      // Errors of our handlers pass through; yargs' own (a message, or a YError) are usage errors:
      // exit 2, never 1, on one line.
      if (error && error.name !== 'YError') throw error;
      const text = message || error?.message || 'usage error';
      throw new UserError('usage', text.split('\n').map((line) => line.trim()).filter(Boolean).join(' '));
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
