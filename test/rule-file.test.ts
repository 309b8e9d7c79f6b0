// Loading a rule file fails early, naming the file, for every way a rule can be wrong.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../src/config/index.js';
import { compileRules, prepareScope, readRuleFile } from '../src/rules/index.js';
import { Database } from '../src/store/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'apiaudit-rulefile-'));
const header = (extra = '', id = 'my-rule') => `/*
id: ${id}
title: A test rule
severity: low
description: Something.
message: "{{event_count}} events"
remediation: Fix it.
tags: { owasp: [API2:2023], attack: [T1110] }
${extra}*/`;
const write = (name: string, text: string) => {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
};
const GOOD_BODY = 'SELECT subject_kind, subject, file_id, line_no FROM scan_events WHERE status = $code';

describe('rule files', async () => {
  const db = await Database.open(null);
  await prepareScope(db, { publicPaths: [], loginPaths: [] });
  afterAll(() => db.close());
  const compile = async (file: string) => compileRules(db, [await readRuleFile(file)], defaultConfig());

  it('loads a valid rule and binds its params', async () => {
    const file = write('my-rule.sql', `${header('params:\n  code: { type: integer, default: 401, description: the status }\n')}\n${GOOD_BODY}`);
    const [compiled] = await compile(file);
    expect(compiled!.rule.metadata.id).toBe('my-rule');
    expect(Object.keys(compiled!.params)).toEqual(['code']);
  });

  it('trims the newline a folded YAML block leaves at the end of title, description, message and remediation', async () => {
    const folded = header()
      .replace('message: "{{event_count}} events"', 'message: >\n  {{event_count}}\n  events')
      .replace('remediation: Fix it.', 'remediation: >\n  Fix it.');
    const file = write('my-rule.sql', `${folded}\n${GOOD_BODY}`);
    const rule = await readRuleFile(file);
    expect(rule.metadata.message).toBe('{{event_count}} events');
    expect(rule.metadata.remediation).toBe('Fix it.');
  });

  it.each([
    ['no header', 'SELECT 1', /my-rule\.sql: a rule starts with a \/\* … \*\/ comment/],
    ['bad YAML', '/*\nid: [unclosed\n*/\nSELECT 1', /my-rule\.sql: metadata is not valid YAML/],
    ['an unknown metadata key', `${header('colour: red\n')}\n${GOOD_BODY}`, /my-rule\.sql: .*colour/],
    ['a bad severity', header().replace('severity: low', 'severity: severe') + GOOD_BODY, /my-rule\.sql: severity/],
    ['an id that is not the file name', `${header('', 'other-rule')}\n${GOOD_BODY}`, /id "other-rule" must equal the file name "my-rule"/],
    ['a non-SELECT body', `${header()}\nDELETE FROM events`, /my-rule\.sql: the rule body must be one SELECT/],
    ['an unknown message placeholder', header().replace('{{event_count}}', '{{evnt_count}}') + GOOD_BODY, /unknown placeholder \{\{evnt_count\}\}/],
    ['a javascript: reference', `${header('references: ["javascript:alert(1)"]\n')}\n${GOOD_BODY}`, /references\.0/],
  ])('rejects %s', async (_, text, message) => {
    const file = write('my-rule.sql', text);
    await expect(compile(file)).rejects.toThrow(message);
  });

  it('rejects a parameter the header does not declare', async () => {
    const file = write('my-rule.sql', `${header()}\n${GOOD_BODY}`);
    await expect(compile(file)).rejects.toThrow(/my-rule\.sql: uses undeclared parameter \$code/);
  });

  it('rejects a SELECT without the required columns', async () => {
    const file = write('my-rule.sql', `${header()}\nSELECT file_id, line_no FROM scan_events`);
    await expect(compile(file)).rejects.toThrow(/my-rule\.sql: the SELECT must return subject_kind, subject/);
  });

  it('rejects SQL that does not bind, naming the file', async () => {
    const file = write('my-rule.sql', `${header()}\nSELECT subject_kind, subject, file_id, line_no FROM no_such_table`);
    await expect(compile(file)).rejects.toThrow(/my-rule\.sql: .*no_such_table/);
  });

  it('rejects a second statement smuggled after the SELECT', async () => {
    const file = write('my-rule.sql', `${header()}\n${GOOD_BODY.replace(' = $code', ' = 401')}; DROP TABLE events`);
    await expect(compile(file)).rejects.toThrow(/my-rule\.sql/);
    expect((await db.all(`SELECT count(*) AS n FROM events`)).length).toBe(1);
  });
});
