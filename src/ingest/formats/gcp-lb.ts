// Google Cloud external/internal Application Load Balancer request logs: Cloud Logging LogEntry
// JSON (one per line, as sinks export them, or a JSON array as `gcloud logging read --format=json`
// prints). Any LogEntry with an `httpRequest` (Cloud Run, App Engine) reads the same way.
// References: https://cloud.google.com/load-balancing/docs/https/https-logging-monitoring
//             https://cloud.google.com/logging/docs/reference/v2/rest/v2/LogEntry#HttpRequest
import { linePlan } from './compose.js';
import type { LogFormat, ParseContext, ParsePlan, RawField } from './format.js';
import { JsonDoc } from './json.js';

export const gcpLb: LogFormat = {
  id: 'gcp-lb',
  title: 'Google Cloud HTTP(S) load balancer log (LogEntry JSON)',
  description:
    'Cloud Logging LogEntry JSON with an httpRequest (Application Load Balancer, Cloud Run, App Engine): requestUrl gives scheme, host, path and query; jsonPayload.statusDetails becomes status_detail; jsonPayload.tls the TLS version.',
  capabilities: { scheme: 'always', credential: 'never', principal: 'never', clientIp: 'always' },
  acceptsPattern: false,
  parallelSafe: true,
  plan(context: ParseContext): ParsePlan {
    const j = new JsonDoc('j');
    const http = (key: string) => j.get(['httpRequest', key]);
    const url = http('requestUrl');
    const fields: Partial<Record<RawField, string>> = {
      ts: `aa_iso_ts(coalesce(${j.get(['timestamp'])}, ${j.get(['receiveTimestamp'])}))`,
      client_ip: `coalesce(${http('remoteIp')}, ${j.get(['jsonPayload', 'remoteIp'])})`,
      method: http('requestMethod'),
      target: url,
      scheme: `lower(nullif(regexp_extract(${url}, '^([A-Za-z]+)://', 1), ''))`,
      http_version: `regexp_replace(${http('protocol')}, '^HTTP/', '')`,
      status: http('status'),
      status_detail: j.get(['jsonPayload', 'statusDetails']),
      bytes: http('responseSize'),
      duration_ms: `TRY_CAST(rtrim(${http('latency')}, 's') AS DOUBLE) * 1000`,
      user_agent: http('userAgent'),
      referrer: http('referer'),
      tls_version: j.get(['jsonPayload', 'tls', 'protocol']),
    };
    return linePlan(context.lines, [
      j.parser('a Cloud Logging entry with an httpRequest', fields, { accept: `${http('requestMethod')} IS NOT NULL OR ${http('status')} IS NOT NULL` }),
    ]);
  },
};
