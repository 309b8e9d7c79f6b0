// Runs a Node script in this process and reports its peak RSS on exit (stderr, one marked line),
// so the benchmark measures whole processes, start-up included.
import { pathToFileURL } from 'node:url';

const [target, ...args] = process.argv.slice(2);
process.argv = [process.argv[0], target, ...args];
process.on('exit', (code) => {
  process.stderr.write(`\n@@bench ${JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS, code })}\n`);
});
await import(pathToFileURL(target).href);
