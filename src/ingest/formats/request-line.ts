// "GET /path?q HTTP/1.1" → method, target, version. Garbage request lines (TLS handshakes sent to a
// plain port, "-", "") give NULL method and target: the event is kept, the request was garbage.
import type { RawField } from './format.js';

export function requestLineFields(requestExpr: string): Partial<Record<RawField, string>> {
  const parts = `regexp_extract(${requestExpr}, '^([A-Za-z][A-Za-z0-9_-]*) +(\\S+)(?: +HTTP/([0-9.]+))? *$', ['method', 'target', 'version'])`;
  return {
    method: `nullif(${parts}.method, '')`,
    target: `nullif(${parts}.target, '')`,
    http_version: `nullif(${parts}.version, '')`,
  };
}
