// Issue 7: --verbose prints a timing per stage; progress is drawn on stderr only when it is a
// terminal (and not with --quiet or in CI), and cleared before the run's messages.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/program.js';
import { ingestFiles } from '../src/ingest/index.js';
import { Database } from '../src/store/index.js';
import { progressAllowed, progressLine } from '../src/cli/progress.js';
import { BUILTIN_RULES_DIR, loadRuleFiles } from '../src/rules/index.js';

const SAMPLE = 'samples/nginx-api.access.log';
const CONFIG = 'samples/apiaudit.yml';

async function scan(args: string[], interactive: boolean) {
  let stdout = '';
  let stderr = '';
  const code = await main(['scan', SAMPLE, '--config', CONFIG, '-f', 'json', ...args], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    interactive,
  });
  return { code, stdout, stderr };
}

describe('--verbose', () => {
  it('prints the time of the ingest of each file, of every rule and of the report', async () => {
    const { code, stderr } = await scan(['--verbose'], false);
    expect(code).toBe(0);
    expect(stderr).toMatch(/apiaudit: +\d+\.\d\d s {2}ingest samples\/nginx-api\.access\.log \(nginx, [\d.]+ MB, 896 lines, \d+ events, 0 rejected\)/);
    const rules = await loadRuleFiles([BUILTIN_RULES_DIR]);
    for (const rule of rules) expect(stderr).toMatch(new RegExp(`s {2}rule ${rule.metadata.id} \\(\\d+ finding\\(s\\)\\)`));
    expect(stderr).toMatch(/s {2}scope \(shared facts for all rules\)/);
    expect(stderr).toMatch(/s {2}render and write the report/);
    expect(stderr).not.toContain('\r');
  });

  it('prints no stage timings without it, nor with --quiet', async () => {
    for (const args of [[], ['--verbose', '--quiet']]) {
      const { stderr } = await scan(args, false);
      expect(stderr).not.toMatch(/ s {2}rule /);
    }
  });
});

describe('progress', () => {
  it('is drawn on a terminal, through ingest and rules, and cleared before the summary', async () => {
    const { code, stderr } = await scan([], true);
    expect(code).toBe(0);
    expect(stderr).toMatch(/\r\x1b\[Kapiaudit: ingest samples\/nginx-api\.access\.log {2}0\.0\/0\.\d MB/);
    expect(stderr).toMatch(/\r\x1b\[Kapiaudit: rules 1\/\d+ /);
    const summary = stderr.indexOf('apiaudit: 1 file(s)');
    expect(summary).toBeGreaterThan(0);
    expect(stderr.slice(0, summary).endsWith('\r\x1b[K')).toBe(true);
  });

  it('is not drawn when stderr is not a terminal, nor with --quiet', async () => {
    expect((await scan([], false)).stderr).not.toContain('\r');
    expect((await scan(['--quiet'], true)).stderr).toBe('');
  });

  it('counts the bytes of the files done, whether files are read alone or together', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'apiaudit-progress-'));
    const lines = readFileSync(SAMPLE, 'utf8').split('\n').filter((l) => l !== '');
    // three small files of one shape (read together), then a JSON document (read alone)
    const names = ['a.log', 'b.log', 'c.log', 'd.json'];
    names.forEach((name, i) => writeFileSync(path.join(folder, name), i < 3 ? `${lines.slice(i * 100, (i + 1) * 100).join('\n')}\n` : JSON.stringify([{ time: '2026-01-05T09:00:00Z', status: 200, path: '/' }])));
    const files = names.map((name) => ({ absolutePath: path.join(folder, name), displayPath: name }));
    const sizes = files.map((f) => statSync(f.absolutePath).size);
    const updates: Array<{ label: string; done: number; total: number }> = [];
    const db = await Database.open(null);
    try {
      const observer = { wantsProgress: true, progress: (u: { label: string; done: number; total: number }) => updates.push(u), stage: () => undefined };
      await ingestFiles(db, files, { formatFor: () => ({}), observer });
    } finally {
      db.close();
    }
    const total = sizes.reduce((a, b) => a + b, 0);
    expect(updates.every((u) => u.total === total && u.done <= total)).toBe(true);
    expect(updates.map((u) => u.done)).toEqual([...updates.map((u) => u.done)].sort((a, b) => a - b));
    // each file's first update: the bytes of the files before it
    expect(names.map((name) => updates.find((u) => u.label === name)?.done)).toEqual([0, sizes[0], sizes[0]! + sizes[1]!, total - sizes[3]!]);
  });

  it('is off in CI even on a terminal', () => {
    expect(progressAllowed(true, {})).toBe(true);
    expect(progressAllowed(true, { CI: 'true' })).toBe(false);
    expect(progressAllowed(false, {})).toBe(false);
    expect(progressAllowed(undefined, {})).toBe(false);
  });

  it('shows bytes done, the rate and an ETA', () => {
    const line = progressLine({ phase: 'ingest', label: 'a.log', done: 50e6, total: 200e6, unit: 'bytes' }, 2000);
    expect(line).toBe('apiaudit: ingest a.log  50.0/200.0 MB  25.0 MB/s  ETA 6 s');
    expect(progressLine({ phase: 'rules', label: 'plain-http', done: 4, total: 16, unit: 'rules' }, 0)).toBe('apiaudit: rules 5/16 plain-http');
  });
});
