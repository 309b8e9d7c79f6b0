// Azure resource logs, as diagnostic settings write them (JSON lines in a storage account, or
// `{"records": [...]}` documents from Event Hubs), and as Log Analytics exports their tables
// (flat PascalCase columns). Application Gateway: ApplicationGatewayAccessLog / AGWAccessLogs.
// API Management: GatewayLogs / ApiManagementGatewayLogs.
// References: https://learn.microsoft.com/en-us/azure/application-gateway/monitor-application-gateway-reference
//             https://learn.microsoft.com/en-us/azure/api-management/gateway-log-schema-reference
import { linePlan } from './compose.js';
import type { LogFormat, ParseContext, ParsePlan, RawField } from './format.js';
import { JsonDoc, type JsonPath } from './json.js';

/** A field under `properties` in a resource log, or a flat column in a Log Analytics export. */
function resourceLog(j: JsonDoc) {
  return (property: string, column = property[0]!.toUpperCase() + property.slice(1)) =>
    j.first([['properties', property], [property], [column]] as JsonPath[]);
}

export const azureAppGateway: LogFormat = {
  id: 'azure-appgw',
  title: 'Azure Application Gateway access log',
  description:
    'ApplicationGatewayAccessLog resource logs (v1 and v2; JSON lines or {"records": [...]}) and AGWAccessLogs exports. Scheme from sslEnabled; timeTaken is read in seconds for v2 instances (appgw_*), milliseconds for v1.',
  capabilities: { scheme: 'always', credential: 'never', principal: 'never', clientIp: 'always' },
  acceptsPattern: false,
  parallelSafe: true,
  plan(context: ParseContext): ParsePlan {
    const j = new JsonDoc('j');
    const p = resourceLog(j);
    const ssl = `lower(${p('sslEnabled')})`;
    const errorInfo = p('error_info', 'ErrorInfo');
    const fields: Partial<Record<RawField, string>> = {
      ts: `aa_iso_ts(${j.first([['time'], ['timeStamp'], ['timestamp'], ['TimeGenerated']])})`,
      client_ip: p('clientIP', 'ClientIp'),
      client_port: p('clientPort'),
      method: p('httpMethod'),
      path: `coalesce(${p('requestUri')}, split_part(${p('originalRequestUriWithArgs')}, '?', 1))`,
      query: `coalesce(${p('requestQuery')}, nullif(substr(${p('originalRequestUriWithArgs')}, strpos(${p('originalRequestUriWithArgs')}, '?') + 1), ${p('originalRequestUriWithArgs')}))`,
      http_version: `regexp_replace(${p('httpVersion')}, '^HTTP/', '')`,
      scheme: `CASE ${ssl} WHEN 'on' THEN 'https' WHEN 'off' THEN 'http' END`,
      host: `regexp_replace(coalesce(${p('originalHost')}, ${p('host')}), ':[0-9]+$', '')`,
      status: p('httpStatus'),
      status_detail: `CASE WHEN ${errorInfo} <> 'ERRORINFO_NO_ERROR' THEN ${errorInfo} END`,
      bytes: p('sentBytes'),
      duration_ms: `TRY_CAST(${p('timeTaken')} AS DOUBLE) * CASE WHEN starts_with(${p('instanceId')}, 'appgw_') THEN 1000 ELSE 1 END`,
      user_agent: p('userAgent'),
      tls_version: p('sslProtocol'),
    };
    return linePlan(context.lines, [
      j.parser('an Application Gateway access log record', fields, {
        accept: `coalesce(${j.first([['category'], ['Category']])}, '') IN ('ApplicationGatewayAccessLog', '') AND ${p('httpStatus')} IS NOT NULL AND ${p('clientIP', 'ClientIp')} IS NOT NULL`,
      }),
    ]);
  },
};

export const azureApim: LogFormat = {
  id: 'azure-apim',
  title: 'Azure API Management gateway log',
  description:
    'GatewayLogs resource logs (JSON lines or {"records": [...]}) and ApiManagementGatewayLogs exports: Url gives the scheme; apimSubscriptionId is the gateway credential id, userId the principal; lastError (validate-jwt, authentication, subscription key) becomes auth_error; Authorization and Ocp-Apim-Subscription-Key request headers, when logged, are fingerprinted.',
  capabilities: { scheme: 'always', credential: 'always', principal: 'if-configured', clientIp: 'always' },
  acceptsPattern: false,
  parallelSafe: true,
  plan(context: ParseContext): ParsePlan {
    const j = new JsonDoc('j');
    const p = resourceLog(j);
    const err = (key: string) => j.first([['properties', 'lastError', key], [`LastError${key[0]!.toUpperCase()}${key.slice(1)}`]]);
    const header = (name: string) => j.first([['properties', 'requestHeaders', name], ['RequestHeaders', name], ['properties', 'requestHeaders', name.toLowerCase()], ['RequestHeaders', name.toLowerCase()]]);
    const url = p('url');
    const status = p('responseCode');
    const fields: Partial<Record<RawField, string>> = {
      ts: `aa_iso_ts(${j.first([['time'], ['TimeGenerated']])})`,
      client_ip: j.first([['callerIpAddress'], ['CallerIpAddress']]),
      method: p('method'),
      target: url,
      scheme: `lower(nullif(regexp_extract(${url}, '^([A-Za-z]+)://', 1), ''))`,
      http_version: `regexp_replace(${p('clientProtocol')}, '^HTTP/', '')`,
      status,
      bytes: p('responseSize'),
      duration_ms: `TRY_CAST(${j.first([['durationMs'], ['TotalTime'], ['DurationMs']])} AS DOUBLE)`,
      tls_version: `CASE WHEN regexp_matches(${p('clientTlsVersion')}, '^[0-9.]+$') THEN 'TLSv' || ${p('clientTlsVersion')} ELSE ${p('clientTlsVersion')} END`,
      principal: p('userId'),
      credential_id: p('apimSubscriptionId'),
      auth_error: `CASE WHEN ${err('source')} IS NOT NULL
                         AND (regexp_matches(lower(concat_ws(' ', ${err('source')}, ${err('reason')})), 'jwt|auth|token|subscription|key|certificate')
                              OR TRY_CAST(${status} AS INTEGER) IN (401, 403))
                        THEN concat_ws(': ', ${err('source')}, ${err('reason')}, ${err('message')}) END`,
      auth_header: header('Authorization'),
      api_key: header('Ocp-Apim-Subscription-Key'),
      cookie: header('Cookie'),
      user_agent: header('User-Agent'),
    };
    return linePlan(context.lines, [
      j.parser('an API Management gateway log record', fields, {
        accept: `(coalesce(${j.first([['category'], ['Category']])}, 'GatewayLogs') = 'GatewayLogs') AND ${url} IS NOT NULL AND ${p('method')} IS NOT NULL`,
      }),
    ]);
  },
};
