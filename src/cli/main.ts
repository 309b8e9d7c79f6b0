#!/usr/bin/env node
import { hideBin } from 'yargs/helpers';
import { errorMessage } from '../errors.js';
import { main } from './program.js';

// Anything that escapes main() is an internal error: exit 2 with one redacted line, never a crash
// with exit 1 (which CI would read as "findings").
const crash = (error: unknown) => {
  process.stderr.write(`apiaudit: internal error: ${errorMessage(error).split('\n')[0]}\n`);
  process.exit(2);
};
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);

process.exitCode = await main(hideBin(process.argv));
