// Caddy's structured access log (JSON, `http.log.access` logger). The request's `tls` object is
// only present on TLS connections, so the scheme is known for every entry. Header values are
// arrays; Caddy logs the Authorization header redacted (`[]`) unless told otherwise.
// Reference: https://caddyserver.com/docs/caddyfile/directives/log
import { linePlan } from './compose.js';
import type { LogFormat, ParseContext, ParsePlan, RawField } from './format.js';
import { JsonDoc } from './json.js';

/** Go's crypto/tls version numbers. */
const TLS_VERSIONS = `MAP {'769': 'TLSv1.0', '770': 'TLSv1.1', '771': 'TLSv1.2', '772': 'TLSv1.3'}`;

export const caddy: LogFormat = {
  id: 'caddy',
  title: 'Caddy JSON access log',
  description:
    'Caddy v2 structured access logs (`http.log.access`): client_ip, user_id (the authenticated user), headers, tls (present only on TLS, so the scheme is known). A status of 0 (no handler wrote a response) is kept as unknown.',
  capabilities: { scheme: 'always', credential: 'if-configured', principal: 'always', clientIp: 'always' },
  acceptsPattern: false,
  parallelSafe: true,
  plan(context: ParseContext): ParsePlan {
    const j = new JsonDoc('j');
    const req = (...path: string[]) => j.get(['request', ...path]);
    const header = (name: string) => `aa_json_first(${req('headers', name)})`;
    const tlsVersion = req('tls', 'version');
    const tlsPresent = `coalesce(${tlsVersion}, ${req('tls', 'cipher_suite')}, ${req('tls', 'proto')}) IS NOT NULL`;
    const fields: Partial<Record<RawField, string>> = {
      ts: `aa_epoch_ts(TRY_CAST(${j.get(['ts'])} AS DOUBLE))`,
      client_ip: `coalesce(nullif(${req('client_ip')}, ''), ${req('remote_ip')})`,
      client_port: req('remote_port'),
      forwarded_for: header('X-Forwarded-For'),
      method: req('method'),
      target: req('uri'),
      http_version: `regexp_replace(${req('proto')}, '^HTTP/', '')`,
      scheme: `CASE WHEN ${tlsPresent} THEN 'https' ELSE 'http' END`,
      host: `regexp_replace(${req('host')}, ':[0-9]+$', '')`,
      status: `nullif(${j.get(['status'])}, '0')`,
      bytes: j.get(['size']),
      duration_ms: `TRY_CAST(${j.get(['duration'])} AS DOUBLE) * 1000`,
      user_agent: header('User-Agent'),
      referrer: header('Referer'),
      principal: j.get(['user_id']),
      auth_header: header('Authorization'),
      api_key: header('X-Api-Key'),
      cookie: header('Cookie'),
      tls_version: `coalesce(${TLS_VERSIONS}[${tlsVersion}], ${tlsVersion})`,
    };
    return linePlan(context.lines, [
      j.parser('a Caddy access log entry', fields, {
        accept: `${j.get(['request', 'method'])} IS NOT NULL AND ${j.get(['status'])} IS NOT NULL AND ${j.get(['ts'])} IS NOT NULL`,
      }),
    ]);
  },
};
