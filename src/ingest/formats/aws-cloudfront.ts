// Amazon CloudFront standard logs (legacy): W3C, tab-separated, `#Version` / `#Fields` header
// lines, date and time in UTC, values URL-encoded. Files without a header are read with the
// documented 33-field layout (older files stop after fewer fields).
// Reference: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logs-reference.html
import type { LogFormat, ParseContext, ParsePlan } from './format.js';
import { namesEdgeFields, w3cConstantLayout, w3cPlan, w3cSurveySql } from './w3c.js';

const CLOUDFRONT_FIELDS = [
  'date', 'time', 'x-edge-location', 'sc-bytes', 'c-ip', 'cs-method', 'cs(Host)', 'cs-uri-stem', 'sc-status', 'cs(Referer)',
  'cs(User-Agent)', 'cs-uri-query', 'cs(Cookie)', 'x-edge-result-type', 'x-edge-request-id', 'x-host-header', 'cs-protocol',
  'cs-bytes', 'time-taken', 'x-forwarded-for', 'ssl-protocol', 'ssl-cipher', 'x-edge-response-result-type', 'cs-protocol-version',
  'fle-status', 'fle-encrypted-fields', 'c-port', 'time-to-first-byte', 'x-edge-detailed-result-type', 'sc-content-type',
  'sc-content-len', 'sc-range-start', 'sc-range-end',
];

export const awsCloudfront: LogFormat = {
  id: 'aws-cloudfront',
  title: 'Amazon CloudFront standard log',
  description:
    'CloudFront standard (legacy) access logs: tab-separated W3C with #Fields, or the documented 33-field layout when the header is missing. Scheme from cs-protocol; the user agent and cookies are URL-decoded once.',
  capabilities: { scheme: 'always', credential: 'if-configured', principal: 'never', clientIp: 'always' },
  acceptsPattern: false,
  // reads #Fields lines by line number, unless one layout holds for the whole file
  parallelSafe: (context) => w3cConstantLayout(context) !== undefined,
  surveySql: w3cSurveySql,
  ownsHeaders: namesEdgeFields,
  plan(context: ParseContext): ParsePlan {
    return w3cPlan(context, {
      separator: 'tab',
      defaultFields: CLOUDFRONT_FIELDS,
      prefixOfDefaults: true,
      what: 'CloudFront',
      fields: (col) => ({
        ts: `try_strptime(${col('date')} || ' ' || ${col('time')}, '%Y-%m-%d %H:%M:%S')`,
        client_ip: col('c-ip'),
        client_port: col('c-port'),
        forwarded_for: `url_decode(${col('x-forwarded-for')})`,
        method: col('cs-method'),
        path: col('cs-uri-stem'),
        query: col('cs-uri-query'),
        scheme: `lower(${col('cs-protocol')})`,
        host: col('x-host-header', 'host'),
        http_version: `regexp_replace(${col('cs-protocol-version')}, '^HTTP/', '')`,
        status: col('sc-status'),
        bytes: col('sc-bytes'),
        duration_ms: `TRY_CAST(${col('time-taken')} AS DOUBLE) * 1000`,
        user_agent: `url_decode(${col('user-agent')})`,
        referrer: col('referer'),
        tls_version: col('ssl-protocol'),
        cookie: `url_decode(${col('cookie')})`,
      }),
    });
  },
};
