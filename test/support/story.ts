// One day of API traffic, told once and written in many log formats, for the test that every
// format leads to the same findings for the subjects it can see.
import { createHash } from 'node:crypto';

export interface StoryEvent {
  t: Date;
  ip: string;
  port: number;
  method: string;
  path: string;
  status: number;
  https: boolean;
  bytes: number;
  ua: string;
  token?: string;
}

const b64url = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
export const jwt = (sub: string, exp: Date) =>
  `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub, exp: Math.floor(exp.getTime() / 1000), iat: Math.floor(exp.getTime() / 1000) - 3600 })}.c2lnbmF0dXJl`;
export const fingerprint = (token: string) => createHash('sha256').update(token).digest('hex');

const BASE = Date.parse('2026-03-02T10:00:00Z');
const at = (seconds: number) => new Date(BASE + seconds * 1000);

/** alice: over http once; bob: an expired token; mallory: 401s without a credential; carol: 403 on many paths. */
export const TOKENS = {
  alice: jwt('alice', at(3600)),
  bob: jwt('bob', at(-600)),
  carol: jwt('carol', at(7200)),
};

export const IPS = { alice: '198.51.100.10', bob: '198.51.100.20', carol: '198.51.100.30', mallory: '203.0.113.66', probe: '10.0.0.9' };

export function storyEvents(): StoryEvent[] {
  const events: StoryEvent[] = [];
  const add = (seconds: number, e: Omit<StoryEvent, 't' | 'port' | 'bytes' | 'ua'> & Partial<StoryEvent>) =>
    events.push({ t: at(seconds), port: 40000 + events.length, bytes: 100 + events.length, ua: 'story-client/1.0', ...e });
  for (let i = 0; i < 3; i++) add(i * 60, { ip: IPS.probe, method: 'GET', path: '/health', status: 200, https: true, ua: 'kube-probe/1.31' });
  for (let i = 1; i <= 5; i++) add(100 + i * 10, { ip: IPS.alice, method: 'GET', path: `/api/orders/${i}`, status: 200, https: true, token: TOKENS.alice });
  add(200, { ip: IPS.alice, method: 'GET', path: '/api/orders/6', status: 200, https: false, token: TOKENS.alice });
  for (let i = 0; i < 4; i++) add(300 + i * 30, { ip: IPS.bob, method: 'GET', path: '/api/profile', status: 401, https: true, token: TOKENS.bob });
  for (let i = 0; i < 12; i++) add(600 + i * 15, { ip: IPS.mallory, method: 'GET', path: '/api/admin', status: 401, https: true, ua: 'scanner/0.1' });
  for (let i = 1; i <= 11; i++) add(1200 + i * 20, { ip: IPS.carol, method: 'GET', path: `/api/users/${i}`, status: 403, https: true, token: TOKENS.carol });
  return events;
}

// ---- renderings ----------------------------------------------------------------------------------

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number) => String(n).padStart(2, '0');
const clf = (t: Date) => `${p2(t.getUTCDate())}/${MONTHS[t.getUTCMonth()]}/${t.getUTCFullYear()}:${p2(t.getUTCHours())}:${p2(t.getUTCMinutes())}:${p2(t.getUTCSeconds())} +0000`;
const iso = (t: Date) => t.toISOString();
const scheme = (e: StoryEvent) => (e.https ? 'https' : 'http');
const auth = (e: StoryEvent) => (e.token ? `Bearer ${e.token}` : '-');
const url = (e: StoryEvent) => `${scheme(e)}://api.shop.example${e.path}`;

export interface Rendering {
  name: string;
  file: string;
  /** What this format shows: findings are expected for these subjects only. */
  sees: { credential: boolean; scheme: boolean };
  /** Config `inputs` entry for this file (log type and pattern), when it cannot be auto-detected. */
  input?: { log_type: string; log_pattern?: string };
  render: (events: StoryEvent[]) => string[];
}

export const RENDERINGS: Rendering[] = [
  {
    name: 'nginx log_format', file: 'nginx.log', sees: { credential: true, scheme: true },
    input: { log_type: 'nginx', log_pattern: '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $scheme "$http_authorization"' },
    render: (es) => es.map((e) => `${e.ip} - - [${clf(e.t)}] "${e.method} ${e.path} HTTP/1.1" ${e.status} ${e.bytes} "-" "${e.ua}" ${scheme(e)} "${auth(e)}"`),
  },
  {
    name: 'nginx escape=json', file: 'nginx.json', sees: { credential: true, scheme: true },
    render: (es) => es.map((e) => JSON.stringify({ time_iso8601: iso(e.t), remote_addr: e.ip, request: `${e.method} ${e.path} HTTP/1.1`, status: e.status,
      body_bytes_sent: e.bytes, http_user_agent: e.ua, scheme: scheme(e), http_authorization: e.token ? auth(e) : '' })),
  },
  {
    name: 'Apache LogFormat', file: 'apache.log', sees: { credential: true, scheme: true },
    input: { log_type: 'apache', log_pattern: '%a %l %u %t \\"%r\\" %>s %b \\"%{Referer}i\\" \\"%{User-Agent}i\\" %{HTTPS}x \\"%{Authorization}i\\"' },
    render: (es) => es.map((e) => `${e.ip} - - [${clf(e.t)}] "${e.method} ${e.path} HTTP/1.1" ${e.status} ${e.bytes} "-" "${e.ua}" ${e.https ? 'on' : '-'} "${auth(e)}"`),
  },
  {
    name: 'IIS W3C', file: 'u_ex260302.log', sees: { credential: true, scheme: true },
    render: (es) => [
      '#Software: Microsoft Internet Information Services 10.0',
      '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status time-taken Authorization',
      ...es.map((e) => `${iso(e.t).slice(0, 10)} ${iso(e.t).slice(11, 19)} 10.0.0.1 ${e.method} ${e.path} - ${e.https ? 443 : 80} - ${e.ip} ${e.ua.replace(/ /g, '+')} ${e.status} 0 0 5 ${auth(e).replace(' ', '+')}`),
    ],
  },
  {
    name: 'Envoy format string', file: 'envoy.log', sees: { credential: true, scheme: true },
    input: { log_type: 'envoy', log_pattern: '[%START_TIME%] %DOWNSTREAM_REMOTE_ADDRESS% "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% %BYTES_SENT% "%REQ(USER-AGENT)%" %REQ(:SCHEME)% "%REQ(AUTHORIZATION)%"' },
    render: (es) => es.map((e) => `[${iso(e.t)}] ${e.ip}:${e.port} "${e.method} ${e.path} HTTP/1.1" ${e.status} ${e.bytes} "${e.ua}" ${scheme(e)} "${auth(e)}"`),
  },
  {
    name: 'Traefik JSON', file: 'traefik.json', sees: { credential: true, scheme: true },
    render: (es) => es.map((e) => JSON.stringify({ ClientAddr: `${e.ip}:${e.port}`, ClientHost: e.ip, ClientUsername: '-', DownstreamStatus: e.status, DownstreamContentSize: e.bytes,
      RequestMethod: e.method, RequestPath: e.path, RequestProtocol: 'HTTP/1.1', RequestScheme: scheme(e), StartUTC: iso(e.t), 'request_User-Agent': e.ua,
      ...(e.token ? { request_Authorization: auth(e) } : {}) })),
  },
  {
    name: 'Caddy JSON', file: 'caddy.log', sees: { credential: true, scheme: true },
    render: (es) => es.map((e) => JSON.stringify({ level: 'info', ts: e.t.getTime() / 1000, logger: 'http.log.access', msg: 'handled request',
      request: { remote_ip: e.ip, remote_port: String(e.port), client_ip: e.ip, proto: 'HTTP/1.1', method: e.method, host: 'api.shop.example', uri: e.path,
        headers: { 'User-Agent': [e.ua], ...(e.token ? { Authorization: [auth(e)] } : {}) }, ...(e.https ? { tls: { version: 772, cipher_suite: 4865 } } : {}) },
      user_id: '', duration: 0.001, size: e.bytes, status: e.status, resp_headers: {} })),
  },
  {
    name: 'Kong file-log', file: 'kong.log', sees: { credential: true, scheme: true },
    render: (es) => es.map((e) => JSON.stringify({ request: { method: e.method, uri: e.path, url: url(e), headers: { host: 'api.shop.example', 'user-agent': e.ua, ...(e.token ? { authorization: auth(e) } : {}) } },
      response: { status: e.status, size: e.bytes }, latencies: { request: 3 }, client_ip: e.ip, started_at: e.t.getTime() })),
  },
  {
    name: 'CSV export', file: 'export.csv', sees: { credential: true, scheme: true },
    render: (es) => ['timestamp,client_ip,method,url,status,user_agent,authorization',
      ...es.map((e) => `${iso(e.t)},${e.ip},${e.method},${url(e)},${e.status},"${e.ua}",${e.token ? auth(e) : ''}`)],
  },
  {
    name: 'JSON lines export (ECS)', file: 'export.ndjson', sees: { credential: true, scheme: true },
    render: (es) => es.map((e) => JSON.stringify({ '@timestamp': iso(e.t), source: { ip: e.ip }, http: { request: { method: e.method }, response: { status_code: e.status } },
      url: { full: url(e) }, user_agent: { original: e.ua }, ...(e.token ? { authorization: auth(e) } : {}) })),
  },
  {
    name: 'AWS ALB', file: 'alb.log', sees: { credential: false, scheme: true },
    render: (es) => es.map((e) => `${e.https ? 'https' : 'http'} ${iso(e.t)} app/lb/1 ${e.ip}:${e.port} 10.0.0.1:80 0.001 0.001 0.000 ${e.status} ${e.status} 80 ${e.bytes} "${e.method} ${scheme(e)}://api.shop.example:${e.https ? 443 : 80}${e.path} HTTP/1.1" "${e.ua}" ${e.https ? 'ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2' : '- -'} arn:aws:tg "Root=1" "api.shop.example" "-" 1 ${iso(e.t)} "forward" "-" "-" "10.0.0.1:80" "${e.status}" "-" "-"`),
  },
  {
    name: 'HAProxy', file: 'haproxy.log', sees: { credential: false, scheme: true },
    render: (es) => es.map((e) => `Mar  2 ${iso(e.t).slice(11, 19)} lb1 haproxy[7]: ${e.ip}:${e.port} [${clf(e.t).slice(0, 20)}.000] ${e.https ? 'fe-https~' : 'fe-http'} api/srv1 0/0/1/2/3 ${e.status} ${e.bytes} - - ---- 1/1/0/0/0 0/0 "${e.method} ${e.path} HTTP/1.1"`),
  },
  {
    name: 'GCP load balancer', file: 'gcp.json', sees: { credential: false, scheme: true },
    render: (es) => es.map((e) => JSON.stringify({ httpRequest: { requestMethod: e.method, requestUrl: url(e), status: e.status, responseSize: String(e.bytes), userAgent: e.ua, remoteIp: e.ip, latency: '0.003s' },
      jsonPayload: { '@type': 'type.googleapis.com/google.cloud.loadbalancing.type.LoadBalancerLogEntry', statusDetails: 'response_sent_by_backend' }, timestamp: iso(e.t) })),
  },
];
