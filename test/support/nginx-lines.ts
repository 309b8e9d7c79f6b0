// Test helper: nginx access-log lines in the log_format of test/fixtures/story/apiaudit.yml.
import { readFileSync } from 'node:fs';
import { REPO } from './cli.js';

export const SAMPLE_LOG = `${REPO}test/fixtures/story/nginx-api.access.log`;
export const SAMPLE_CONFIG = `${REPO}test/fixtures/story/apiaudit.yml`;
export const SAMPLE_PATTERN =
  '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $scheme $host $request_time "$http_authorization"';

/** The sample log's lines (without the final newline). */
export const sampleLines = (): string[] => readFileSync(SAMPLE_LOG, 'utf8').trimEnd().split('\n');

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

export function clf(date: Date): string {
  return `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

/** `30/Nov/2026:12:01:00 +0000` → Date (UTC offsets only, as the samples write). */
export function parseClf(text: string): Date {
  const [, d, mon, y, h, m, sec] = /^(\d{2})\/(\w{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) \+0000$/.exec(text)!;
  return new Date(Date.UTC(Number(y), MONTHS.indexOf(mon!), Number(d), Number(h), Number(m), Number(sec)));
}

export interface Request {
  ts: Date;
  ip?: string;
  method?: string;
  path?: string;
  status?: number;
  ua?: string;
  scheme?: 'http' | 'https';
  /** The whole Authorization header value, e.g. `Bearer …`. */
  auth?: string;
}

export function nginxLine(r: Request): string {
  return `${r.ip ?? '203.0.113.9'} - - [${clf(r.ts)}] "${r.method ?? 'GET'} ${r.path ?? '/api/Orders'} HTTP/1.1" ${r.status ?? 200} 64 "-" "${r.ua ?? 'test-client/1.0'}" ${r.scheme ?? 'https'} api.shop.example 0.010 "${r.auth ?? '-'}"`;
}

/** `count` requests `everySeconds` apart from `start`. */
export function burst(start: Date, count: number, everySeconds: number, request: Omit<Request, 'ts'>): string[] {
  return Array.from({ length: count }, (_, i) => nginxLine({ ...request, ts: new Date(start.getTime() + i * everySeconds * 1000) }));
}
