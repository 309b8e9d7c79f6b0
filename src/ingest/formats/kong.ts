// Kong Gateway's file-log plugin (the same JSON object as http-log, tcp-log, syslog): one object per
// line. request.url carries the scheme; consumer is the principal and authenticated_entity.id the
// credential Kong's auth plugin matched; Kong writes the Authorization header as "REDACTED" unless
// told otherwise (then the real value is fingerprinted like any other).
// Reference: https://developer.konghq.com/plugins/file-log/ (log format)
import { linePlan } from './compose.js';
import type { LogFormat, ParseContext, ParsePlan, RawField } from './format.js';
import { JsonDoc } from './json.js';

export const kong: LogFormat = {
  id: 'kong',
  title: 'Kong Gateway file-log (JSON)',
  description:
    'Kong file-log / http-log JSON: request.url (scheme), consumer (principal), authenticated_entity.id (gateway credential id), request.headers (authorization when not REDACTED, apikey, cookie), request.tls, latencies.',
  capabilities: { scheme: 'always', credential: 'if-configured', principal: 'if-configured', clientIp: 'always' },
  acceptsPattern: false,
  parallelSafe: true,
  plan(context: ParseContext): ParsePlan {
    const j = new JsonDoc('j');
    const req = (...path: string[]) => j.get(['request', ...path]);
    const header = (name: string) => `aa_json_first(${req('headers', name)})`;
    const url = req('url');
    const fields: Partial<Record<RawField, string>> = {
      ts: `aa_epoch_ts(TRY_CAST(${j.get(['started_at'])} AS DOUBLE) / 1000)`,
      client_ip: j.get(['client_ip']),
      forwarded_for: header('x-forwarded-for'),
      method: req('method'),
      target: `coalesce(${url}, ${req('uri')})`,
      scheme: `lower(nullif(regexp_extract(${url}, '^([A-Za-z]+)://', 1), ''))`,
      host: `regexp_replace(${header('host')}, ':[0-9]+$', '')`,
      status: j.get(['response', 'status']),
      bytes: j.get(['response', 'size']),
      duration_ms: `TRY_CAST(${j.get(['latencies', 'request'])} AS DOUBLE)`,
      user_agent: header('user-agent'),
      referrer: header('referer'),
      principal: j.first([['consumer', 'username'], ['consumer', 'custom_id'], ['consumer', 'id']]),
      credential_id: j.get(['authenticated_entity', 'id']),
      auth_header: header('authorization'),
      api_key: `coalesce(${header('apikey')}, ${header('x-api-key')})`,
      cookie: header('cookie'),
      tls_version: req('tls', 'version'),
    };
    return linePlan(context.lines, [
      j.parser('a Kong log entry', fields, {
        accept: `${j.get(['started_at'])} IS NOT NULL AND ${req('method')} IS NOT NULL AND ${j.get(['response', 'status'])} IS NOT NULL`,
      }),
    ]);
  },
};
