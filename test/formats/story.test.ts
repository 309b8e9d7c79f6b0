// One traffic story (test/support/story.ts) written in thirteen log formats: every format that shows
// the credential must lead to the same findings, and every format that shows only the client
// address to the same findings keyed by address. The expected subjects come from the story itself.
// The tokens of the story must never reach the database or the report.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { runScan } from '../../src/cli/scan.js';
import { render } from '../../src/report/index.js';
import { Database } from '../../src/store/index.js';
import { fingerprint, IPS, RENDERINGS, storyEvents, TOKENS, type StoryEvent } from '../support/story.js';

const dir = mkdtempSync(path.join(tmpdir(), 'apiaudit-story-'));
const events = storyEvents();
const KNOWN_RULES = ['plain-http', 'expired-token-reuse', 'repeated-401', 'forbidden-probing'];

type Row = { rule: string; kind: string; subject: string; events: number; first: string; last: string };

/** What the story shows a format that sees (or does not see) the credential. */
function expectedFindings(seesCredential: boolean): Row[] {
  const subject = (e: StoryEvent) => (seesCredential && e.token ? { kind: 'credential', subject: fingerprint(e.token) } : { kind: 'client_ip', subject: e.ip });
  const row = (rule: string, list: StoryEvent[]): Row => ({
    rule, ...subject(list[0]!), events: list.length, first: list[0]!.t.toISOString(), last: list[list.length - 1]!.t.toISOString(),
  });
  const by = (ip: string) => events.filter((e) => e.ip === ip);
  const rows = [
    // a credential over http, or a protected path answered 2xx over http
    row('plain-http', by(IPS.alice).filter((e) => !e.https)),
    // 12 × 401 without a credential
    row('repeated-401', by(IPS.mallory)),
    // 403 on 11 distinct paths
    row('forbidden-probing', by(IPS.carol)),
  ];
  // bob's token expired before its 4 uses: visible only with the token
  if (seesCredential) rows.push(row('expired-token-reuse', by(IPS.bob)));
  return rows.sort((a, b) => a.rule.localeCompare(b.rule));
}

const config = { inputs: RENDERINGS.filter((r) => r.input).map((r) => ({ match: r.file, ...r.input })) };
writeFileSync(path.join(dir, 'apiaudit.yml'), toYaml(config));

const results = await Promise.all(RENDERINGS.map(async (r) => {
  writeFileSync(path.join(dir, r.file), `${r.render(events).join('\n')}\n`);
  const dbFile = path.join(dir, `${r.file}.duckdb`);
  const outcome = await runScan({ paths: [path.join(dir, r.file)], config: path.join(dir, 'apiaudit.yml'), db: dbFile, failOn: 'never', version: 'test', cwd: dir });
  const rendered = (await Promise.all((['json', 'html', 'csv', 'markdown'] as const).map((f) => render(outcome.report, f)))).join('\n');
  const rows: Row[] = outcome.report.findings.map((f) => ({
    rule: f.rule_id, kind: f.subject.kind,
    subject: (f.subject.kind === 'credential' ? f.subject.credential_fingerprint : f.subject.kind === 'principal' ? f.subject.principal : f.subject.client_ip) ?? '',
    events: f.event_count, first: f.first_seen, last: f.last_seen,
  })).sort((a, b) => a.rule.localeCompare(b.rule) || a.subject.localeCompare(b.subject));
  return { r, outcome, rows, dbFile, rendered };
}));

describe.each(results.map((x) => [x.r.name, x] as const))('%s', (_name, { r, outcome, rows, dbFile, rendered }) => {
  it('reads every line of the story, with the coverage the format has', () => {
    const input = outcome.report.inputs[0]!;
    expect(input).toMatchObject({ status: 'ingested', events: events.length, rejected: 0 });
    expect(input.coverage).toMatchObject({ scheme: r.sees.scheme, credential: r.sees.credential });
  });

  it('gives the findings of the story for the subjects it can see', () => {
    expect(rows.filter((x) => KNOWN_RULES.includes(x.rule))).toEqual(expectedFindings(r.sees.credential));
  });

  it('gives the same findings as every other format that sees the same', () => {
    const peer = results.find((x) => x.r.sees.credential === r.sees.credential)!;
    expect(rows).toEqual(peer.rows);
  });

  it('never stores or reports (JSON, HTML, CSV, Markdown) a token of the story', async () => {
    const db = await Database.open(dbFile);
    const tables = await db.all<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'main'`);
    let dump = '';
    for (const { name } of tables) dump += JSON.stringify(await db.all(`SELECT * FROM "${name}"`));
    db.close();
    for (const token of Object.values(TOKENS)) {
      expect(dump).not.toContain(token);
      expect(dump).not.toContain(token.split('.')[1]!);
      expect(rendered).not.toContain(token.split('.')[1]!);
    }
  });
});

