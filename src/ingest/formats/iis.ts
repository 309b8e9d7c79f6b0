// Microsoft IIS W3C extended logs: columns from the latest `#Fields:` directive (IIS rewrites it
// when the logging fields change, so one file can hold several layouts), spaces inside values
// written as `+`, times in UTC. `sc-status.sc-substatus` is kept as status_detail ("401.2" is the
// challenge before Windows authentication, not a failure) with the Win32 status after it.
// References: https://learn.microsoft.com/en-us/windows/win32/http/w3c-logging
//             https://learn.microsoft.com/en-us/iis/get-started/whats-new-in-iis-85/enhanced-logging-for-iis85
import type { LogFormat, ParseContext, ParsePlan } from './format.js';
import { localToUtc, zoneNote } from './time.js';
import { namesEdgeFields, w3cConstantLayout, w3cPlan, w3cSurveySql } from './w3c.js';

/** The IIS default field set, assumed when a file has no `#Fields:` line. */
const IIS_DEFAULT_FIELDS = [
  'date', 'time', 's-ip', 'cs-method', 'cs-uri-stem', 'cs-uri-query', 's-port', 'cs-username', 'c-ip',
  'cs(User-Agent)', 'cs(Referer)', 'sc-status', 'sc-substatus', 'sc-win32-status', 'time-taken',
];

const plus = (v: string) => `replace(${v}, '+', ' ')`;

export const iis: LogFormat = {
  id: 'iis',
  title: 'Microsoft IIS W3C extended log',
  description:
    'IIS W3C extended logs (any #Fields layout, changing mid-file; custom fields such as an Authorization or X-Forwarded-For request header; IIS Advanced Logging quoted values and date-local/time-local). status_detail is "<status>.<substatus>" plus the Win32 status; s-port 443/80 is read as a scheme hint.',
  capabilities: { scheme: 'if-configured', credential: 'if-configured', principal: 'always', clientIp: 'always' },
  acceptsPattern: false,
  // reads #Fields lines by line number, unless one layout holds for the whole file
  parallelSafe: (context) => w3cConstantLayout(context) !== undefined,
  surveySql: w3cSurveySql,
  // IIS names itself in #Software; a #Fields line without CloudFront's x-edge- columns is IIS's
  ownsHeaders: (lines) =>
    lines.some((line) => line.startsWith('#Software: Microsoft Internet Information Services')) ||
    (lines.some((line) => line.startsWith('#Fields:')) && !namesEdgeFields(lines)),
  plan(context: ParseContext): ParsePlan {
    const zone = context.timezone;
    return w3cPlan(context, {
      separator: 'space',
      defaultFields: IIS_DEFAULT_FIELDS,
      prefixOfDefaults: false,
      what: 'IIS',
      notes: [
        'scheme from s-port when logged (443 → https, 80 → http; other ports unknown), unless an HTTPS or X-Forwarded-Proto field is logged',
        ...(zone ? [zoneNote('date-local/time-local columns', zone)] : []),
      ],
      fields: (col) => {
        const status = col('sc-status');
        const sub = col('sc-substatus');
        const win32 = col('sc-win32-status');
        const auth = col('authorization', 'http_authorization');
        return {
          ts: `coalesce(
                 try_strptime(coalesce(${col('date')}, dir_date) || ' ' || ${col('time')}, ['%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M:%S.%g']),
                 ${localToUtc(`try_strptime(${col('date-local')} || ' ' || ${col('time-local')}, ['%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M:%S.%g'])`, zone)})`,
          client_ip: col('c-ip'),
          client_port: col('c-port'),
          forwarded_for: col('x-forwarded-for', 'x_forwarded_for'),
          method: col('cs-method'),
          path: col('cs-uri-stem'),
          query: col('cs-uri-query'),
          target: col('cs-uri'),
          http_version: `regexp_replace(${col('cs-version')}, '^HTTP/', '')`,
          scheme: `coalesce(CASE lower(${col('https')}) WHEN 'on' THEN 'https' WHEN 'off' THEN 'http' END,
                            lower(${col('x-forwarded-proto')}), aa_port_scheme(${col('s-port')}))`,
          host: `regexp_replace(${col('host', 'cs-host')}, ':[0-9]+$', '')`,
          status,
          status_detail: `CASE WHEN ${sub} IS NOT NULL THEN ${status} || '.' || ${sub} || coalesce(' win32=' || ${win32}, '') END`,
          bytes: col('sc-bytes', 'bytes'),
          duration_ms: `TRY_CAST(${col('time-taken', 'timetakenms')} AS DOUBLE)`,
          user_agent: plus(col('user-agent')),
          referrer: col('referer', 'referrer'),
          principal: col('cs-username', 'c-auth-id'),
          // the scheme word is followed by a "+" (IIS's space); a "+" inside Basic base64 is kept
          auth_header: `regexp_replace(${auth}, '^([A-Za-z0-9_-]+)\\+', '\\1 ')`,
          api_key: col('x-api-key', 'api-key'),
          cookie: `replace(${col('cookie')}, ';+', '; ')`,
        };
      },
    });
  },
};
