// AWS Elastic Load Balancing access logs: Application Load Balancer and Classic Load Balancer.
// Space-separated, some fields double-quoted; new fields are appended at the end over the years,
// so trailing fields are optional and anything after the known ones is ignored.
// References: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html
//             https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/access-log-collection.html
import { linePlan, regexParser } from './compose.js';
import type { LogFormat, ParseContext, ParsePlan, RawField } from './format.js';
import { requestLineFields } from './request-line.js';

const Q = '"([^"]*)"';
const ADDR = '(\\[[^\\]]+\\]|[^ :]+):([0-9]+)'; // ip:port, IPv6 in brackets
const ADDR_OR_DASH = '(?:(\\[[^\\]]+\\]|[^ :]+):([0-9]+)|-)';

const ALB = {
  regex:
    '^((h2|https|http|wss|ws|grpcs) ([^ ]+) ([^ ]+) ' + // type time elb
    `${ADDR} ${ADDR_OR_DASH} ` + // client:port target:port
    '(-?[0-9.]+) (-?[0-9.]+) (-?[0-9.]+) ' + // request/target/response processing times (s)
    '([0-9]{3}|-) ([0-9]{3}|-) ([0-9]+|-) ([0-9]+|-) ' + // elb_status target_status received sent
    `${Q} ${Q} ([^ ]+) ([^ ]+)` + // "request" "user_agent" ssl_cipher ssl_protocol
    `(?: ([^ ]+) ${Q}` + // target_group_arn "trace_id"
    `(?: ${Q} ${Q} ([^ ]+) ([^ ]+) ${Q} ${Q} ${Q})?)?` + // "domain_name" "chosen_cert_arn" priority creation_time "actions" "redirect_url" "error_reason"
    '(.*))$',
  names: [
    'matched', 'type', 'time', 'elb', 'client', 'client_port', 'target', 'target_port', 'request_time', 'target_time', 'response_time',
    'elb_status', 'target_status', 'received', 'sent', 'request', 'user_agent', 'ssl_cipher', 'ssl_protocol', 'target_group', 'trace_id',
    'domain_name', 'chosen_cert', 'priority', 'creation_time', 'actions', 'redirect_url', 'error_reason', 'rest',
  ],
};

const CLB = {
  regex:
    '^(([0-9]{4}-[0-9]{2}-[0-9]{2}T[^ ]+) ([^ ]+) ' + // time elb
    `${ADDR} ${ADDR_OR_DASH} ` + // client:port backend:port
    '(-?[0-9.]+) (-?[0-9.]+) (-?[0-9.]+) ' +
    '([0-9]{3}|-) ([0-9]{3}|-) ([0-9]+|-) ([0-9]+|-) ' + // elb_status backend_status received sent
    `${Q}` + // "request"
    `(?: ${Q} ([^ ]+) ([^ ]+))?` + // "user_agent" ssl_cipher ssl_protocol (since 2015)
    '(.*))$',
  names: [
    'matched', 'time', 'elb', 'client', 'client_port', 'target', 'target_port', 'request_time', 'target_time', 'response_time',
    'elb_status', 'target_status', 'received', 'sent', 'request', 'user_agent', 'ssl_cipher', 'ssl_protocol', 'rest',
  ],
};

/** Fields both load balancers log the same way. */
function common(): Partial<Record<RawField, string>> {
  const phases = ['m.request_time', 'm.target_time', 'm.response_time'].map((p) => `TRY_CAST(${p} AS DOUBLE)`);
  return {
    client_ip: `trim(m.client, '[]')`,
    client_port: `m.client_port`,
    ...requestLineFields(`m.request`),
    status: `m.elb_status`,
    bytes: `m.sent`,
    // -1 for a phase means the request never reached a target: no duration
    duration_ms: `CASE WHEN least(${phases.join(', ')}) >= 0 THEN (${phases.join(' + ')}) * 1000 END`,
    user_agent: `m.user_agent`,
    tls_version: `m.ssl_protocol`,
  };
}

export const awsAlb: LogFormat = {
  id: 'aws-alb',
  title: 'AWS Application Load Balancer access log',
  description:
    'ALB access log entries (http, https, h2, grpcs, ws, wss; IPv6 clients; WAF and authenticate actions; new trailing fields ignored). Scheme from the listener type; OIDC `Auth*` error reasons become auth_error. The time is the request creation time when logged.',
  capabilities: { scheme: 'always', credential: 'never', principal: 'never', clientIp: 'always' },
  acceptsPattern: false,
  parallelSafe: true,
  plan(context: ParseContext): ParsePlan {
    return linePlan(context.lines, [
      regexParser(ALB, 'AWS ALB access log', {
        ...common(),
        ts: `coalesce(aa_iso_ts(nullif(m.creation_time, '-')), aa_iso_ts(m.time))`,
        scheme: `CASE WHEN list_contains(['https', 'h2', 'wss', 'grpcs'], m.type) THEN 'https' WHEN m.type IN ('http', 'ws') THEN 'http' END`,
        auth_error: `CASE WHEN starts_with(m.error_reason, 'Auth') THEN m.error_reason END`,
      }),
    ]);
  },
};

export const awsElb: LogFormat = {
  id: 'aws-elb',
  title: 'AWS Classic Load Balancer access log',
  description:
    'Classic ELB access log entries, with or without the user agent and TLS fields; TCP listener lines ("- - - ") are kept without a request. Scheme from the absolute URL in the request line.',
  capabilities: { scheme: 'always', credential: 'never', principal: 'never', clientIp: 'always' },
  acceptsPattern: false,
  parallelSafe: true,
  plan(context: ParseContext): ParsePlan {
    return linePlan(context.lines, [
      regexParser(CLB, 'AWS Classic ELB access log', {
        ...common(),
        ts: `aa_iso_ts(m.time)`,
        scheme: `lower(regexp_extract(m.request, '^[A-Z]+ ([A-Za-z]+)://', 1))`,
      }),
    ]);
  },
};
