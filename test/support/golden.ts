// Field-by-field comparison of our events with an upstream project's expected values. Every
// comparison is counted, so the closing table (format → lines parsed / fields equal) comes from
// the tests themselves: APIAUDIT_TALLY=1 npx vitest run prints it.
import { afterAll, expect } from 'vitest';
import type { EventRow } from './ingest.js';

const tally = new Map<string, { lines: Set<string>; fields: number }>();

/** Expects every [field, got, want] to be equal, and counts it for `label` (a fixture). */
export function expectFields(label: string, line: number, pairs: Array<[string, unknown, unknown]>): void {
  const entry = tally.get(label) ?? { lines: new Set<string>(), fields: 0 };
  tally.set(label, entry);
  for (const [field, got, want] of pairs) {
    expect(got, `${label} line ${line}: ${field}`).toEqual(want);
    entry.fields++;
  }
  entry.lines.add(String(line));
}

if (process.env.APIAUDIT_TALLY) {
  afterAll(() => {
    for (const [label, { lines, fields }] of tally) console.log(`TALLY\t${label}\t${lines.size}\t${fields}`);
  });
}

const dashNull = (v: unknown) => (v === '-' || v === '' ? null : v);

/** The ECS fields of an elastic/beats `*-expected.json` event that our events carry. */
export function beatsPairs(got: EventRow, want: Record<string, unknown>): Array<[string, unknown, unknown]> {
  const pairs: Array<[string, unknown, unknown]> = [];
  const add = (key: string, ours: unknown, theirs: unknown = want[key]) => {
    if (key in want) pairs.push([key, ours, theirs]);
  };
  add('@timestamp', got.ts);
  if ('source.ip' in want) add('source.ip', got.client_ip);
  else add('source.address', got.client_ip);
  add('http.request.method', got.method);
  add('url.original', got.query === null ? got.path : `${got.path}?${got.query}`);
  add('http.version', got.http_version);
  add('http.response.status_code', got.status);
  add('http.response.body.bytes', got.bytes);
  add('user_agent.original', got.user_agent, dashNull(want['user_agent.original']));
  add('user.name', got.principal, dashNull(want['user.name']));
  add('http.request.referrer', got.referrer, dashNull(want['http.request.referrer']));
  add('tls.version', got.tls_version, want['tls.version'] === undefined ? undefined : `TLSv${String(want['tls.version'])}`);
  add('url.domain', got.host);
  add('source.port', got.client_port);
  return pairs;
}

export interface OtelRecord {
  /** Attribute values as the YAML gives them (intValue as a string). */
  attrs: Record<string, unknown>;
  /** timeUnixNano as an ISO string with milliseconds, as our events show `ts`. */
  time: string | null;
}

/** The log records of an opentelemetry-collector-contrib `*_expected.yaml`, in order. */
export function otelRecords(yamlText: string, parse: (text: string) => unknown): OtelRecord[] {
  type Attr = { key: string; value: Record<string, unknown> };
  const doc = parse(yamlText) as { resourceLogs: Array<{ scopeLogs: Array<{ logRecords: Array<{ attributes?: Attr[]; timeUnixNano?: string }> }> }> };
  const value = (v: Record<string, unknown>): unknown => {
    if ('kvlistValue' in v) {
      const list = (v.kvlistValue as { values?: Attr[] }).values ?? [];
      return Object.fromEntries(list.map((a) => [a.key, value(a.value)]));
    }
    return Object.values(v)[0];
  };
  return doc.resourceLogs.flatMap((rl) =>
    rl.scopeLogs.flatMap((sl) =>
      sl.logRecords.map((r) => ({
        attrs: Object.fromEntries((r.attributes ?? []).map((a) => [a.key, value(a.value)])),
        time: r.timeUnixNano ? new Date(Number(BigInt(r.timeUnixNano) / 1000000n)).toISOString() : null,
      })),
    ),
  );
}

/**
 * The fields of a logstash-patterns-core ECS expectation that our events carry. Raw timestamps
 * (ISO-8601, or W3C "date<TAB>time" in UTC) are compared as instants.
 */
export function ecsPairs(got: EventRow, want: Record<string, unknown>): Array<[string, unknown, unknown]> {
  const pairs = beatsPairs(got, want).filter(([key]) => key !== 'url.original' || !/^[a-z]+:\/\//.test(String(want[key])));
  const add = (key: string, ours: unknown, theirs: unknown = want[key]) => {
    if (key in want) pairs.push([key, ours, theirs]);
  };
  const ts = want.timestamp;
  if (typeof ts === 'string' && /^\d{4}-\d\d-\d\d[T\t ]/.test(ts)) {
    const iso = ts.replace('\t', 'T').replace(/^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)$/, '$1Z');
    add('timestamp', got.ts, new Date(iso).toISOString());
  }
  add('url.scheme', got.scheme);
  add('url.path', got.path);
  add('url.query', got.query);
  add('http.response.status_code', got.status);
  return pairs.filter(([key], i) => pairs.findIndex(([k]) => k === key) === i);
}
