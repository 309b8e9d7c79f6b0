// npm run bench [-- --lines N --log-type X --rounds R --gzip --scale --files K --json FILE]
// Generates a deterministic synthetic log in a temporary folder (never committed), then runs the
// baseline (DuckDB parsing the file into a typed table) and `apiaudit scan` (ingest + every
// shipped rule + JSON report), each as its own process, alternating, for several rounds, and
// prints lines, MB, seconds (median, min, max), lines/s, MB/s, peak RSS and the ratio to the
// baseline. The table is also written as JSON so results can be compared over time.
// --files K splits the log into K files in one folder (each W3C part keeps the # header), the
// shape of a review of many exported logs: apiaudit then scans the folder and detects each
// file's type itself, as it would for a pile it is given; the baseline reads them with a glob.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { APIAUDIT_LOG_TYPE, generate } from './generate.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const { values: opts } = parseArgs({
  options: {
    lines: { type: 'string', default: '1000000' },
    'log-type': { type: 'string', default: 'nginx' },
    rounds: { type: 'string', default: '3' },
    gzip: { type: 'boolean', default: false },
    scale: { type: 'boolean', default: false },
    files: { type: 'string', default: '1' },
    json: { type: 'string' },
    dir: { type: 'string', default: path.join(os.tmpdir(), 'apiaudit-bench') },
  },
});
const logType = opts['log-type'];
const rounds = Number(opts.rounds);
const files = Number(opts.files);
const sizes = opts.scale ? [1_000_000, 5_000_000, 10_000_000] : [Number(opts.lines)];
mkdirSync(opts.dir, { recursive: true });

function run(args) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [path.join(here, 'measure.mjs'), ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stdout.resume();
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const marker = /@@bench (\{.*\})/.exec(stderr);
      if (code !== 0 || !marker) return reject(new Error(`${args.join(' ')} exited ${code}: ${stderr.slice(-500)}`));
      resolve({ seconds, maxRssMb: JSON.parse(marker[1]).maxRssKb / 1024 });
    });
  });
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s.at(-1) };
};

async function logFile(lines, gzip) {
  const plain = path.join(opts.dir, `${logType}-${lines}.log`);
  if (!existsSync(plain)) {
    process.stderr.write(`generating ${lines} ${logType} lines…\n`);
    await generate(plain, logType, lines);
  }
  if (files > 1) return splitInto(plain, files, gzip);
  if (!gzip) return plain;
  const gz = `${plain}.gz`;
  if (!existsSync(gz)) await pipeline(createReadStream(plain), createGzip({ level: 6 }), createWriteStream(gz));
  return gz;
}

/** The log as `count` files in a folder (W3C parts repeat the # header); returns a glob of them. */
async function splitInto(plain, count, gzip) {
  const folder = `${plain.replace(/\.log$/, '')}-in-${count}${gzip ? '-gz' : ''}`;
  const extension = gzip ? '.log.gz' : '.log';
  if (!existsSync(folder) || readdirSync(folder).length !== count) {
    mkdirSync(folder, { recursive: true });
    const lines = readFileSync(plain, 'utf8').split('\n').filter((line) => line !== '');
    const header = lines.filter((line) => line.startsWith('#'));
    const body = lines.filter((line) => !line.startsWith('#'));
    const per = Math.ceil(body.length / count);
    for (let i = 0; i < count; i++) {
      const part = path.join(folder, `part-${String(i + 1).padStart(5, '0')}${extension}`);
      const text = [...header, ...body.slice(i * per, (i + 1) * per)].join('\n') + '\n';
      if (!gzip) writeFileSync(part, text);
      else await pipeline(async function* () { yield text; }, createGzip({ level: 6 }), createWriteStream(part));
    }
  }
  return path.join(folder, `*${extension}`);
}

const results = [];
for (const lines of sizes) {
  for (const gzip of opts.gzip ? [false, true] : [false]) {
    const file = await logFile(lines, gzip);
    const mb = statSync(path.join(opts.dir, `${logType}-${lines}.log`)).size / 1e6;
    const runs = { baseline: [], apiaudit: [] };
    for (let round = 0; round < rounds; round++) {
      if (!gzip) runs.baseline.push(await run([path.join(here, 'baseline.mjs'), logType, file]));
      const input = files > 1 ? [path.dirname(file)] : [file, '--log-type', APIAUDIT_LOG_TYPE[logType]];
      runs.apiaudit.push(await run([path.join(repo, 'dist/cli/main.js'), 'scan', ...input, '-f', 'json', '-o', '/dev/null', '-q']));
    }
    for (const [tool, measured] of Object.entries(runs)) {
      if (measured.length === 0) continue;
      const secs = stats(measured.map((m) => m.seconds));
      results.push({
        tool, logType, lines, files, mb: Number(mb.toFixed(1)), gzip,
        seconds: secs, linesPerSecond: Math.round(lines / secs.median), mbPerSecond: Number((mb / secs.median).toFixed(1)),
        peakRssMb: Math.round(Math.max(...measured.map((m) => m.maxRssMb))),
      });
    }
  }
}

for (const r of results) {
  const base = results.find((b) => b.tool === 'baseline' && b.lines === r.lines && b.logType === r.logType);
  r.ratioToBaseline = base ? Number((r.seconds.median / base.seconds.median).toFixed(2)) : null;
}

const header = ['tool', 'log type', 'lines', 'files', 'MB', 'gz', 's median', 's min', 's max', 'lines/s', 'MB/s', 'peak RSS MB', 'ratio'];
const rows = results.map((r) => [
  r.tool, r.logType, r.lines.toLocaleString('en-US'), r.files, r.mb, r.gzip ? 'yes' : 'no', r.seconds.median.toFixed(2), r.seconds.min.toFixed(2),
  r.seconds.max.toFixed(2), r.linesPerSecond.toLocaleString('en-US'), r.mbPerSecond, r.peakRssMb, r.ratioToBaseline ?? '',
]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => String(row[i]).length)));
const fmt = (row) => row.map((c, i) => String(c).padStart(widths[i])).join('  ');
process.stdout.write(`${fmt(header)}\n${rows.map(fmt).join('\n')}\n`);
process.stdout.write(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}\n`);

const jsonFile = opts.json ?? path.join(repo, 'test-output', `bench-${logType}-${new Date().toISOString().slice(0, 10)}.json`);
mkdirSync(path.dirname(jsonFile), { recursive: true });
writeFileSync(jsonFile, `${JSON.stringify({ date: new Date().toISOString(), machine: { cores: os.cpus().length, memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version }, results }, null, 2)}\n`);
process.stdout.write(`written ${path.relative(repo, jsonFile)}\n`);
