// Deterministic synthetic access logs for the benchmark: same seed, same bytes, every run.
// One generator per log type; each returns a line for index i.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/** Small fast PRNG (mulberry32), so files are identical across machines and runs. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const UAS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'ShopApp/4.2.1 (iPhone; iOS 18.1; Scale/3.00)',
  'python-requests/2.32.3',
  'curl/8.5.0',
  'kube-probe/1.31',
];
const PATHS = ['/api/Customers/me', '/api/Orders', '/api/Products', '/api/Basket/', '/api/Auth/login', '/health', '/api/Orders/'];
const STATUSES = [200, 200, 200, 200, 200, 200, 201, 204, 301, 304, 400, 401, 401, 403, 404, 500];

function request(r) {
  const p = PATHS[Math.floor(r() * PATHS.length)];
  const withId = p.endsWith('/') ? `${p}${Math.floor(r() * 100000)}` : p;
  const query = r() < 0.2 ? `?page=${Math.floor(r() * 50)}&sort=name` : '';
  const method = p === '/api/Auth/login' ? 'POST' : r() < 0.9 ? 'GET' : 'PUT';
  return { method, target: withId + query };
}

function clfTime(t) {
  const d = new Date(t);
  const pad = (n) => String(n).padStart(2, '0');
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

function randomIpv4(r) {
  return `${1 + Math.floor(r() * 223)}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.${1 + Math.floor(r() * 254)}`;
}

/**
 * Clients come from a fixed population of 20,000 addresses, skewed (a few busy clients, a long
 * tail), as an API's traffic is: a fresh random address per line would be a flood of one-request
 * clients that no rule looks twice at, and would measure hash tables of ten million addresses.
 */
const CLIENTS = (() => {
  const r = prng(7);
  return Array.from({ length: 20_000 }, () => randomIpv4(r));
})();

function ipv4(r) {
  return CLIENTS[Math.floor(CLIENTS.length * r() ** 2)];
}

const pick = (r, list) => list[Math.floor(r() * list.length)];

/** The fields the IIS default layout logs, in order (the first line of the file says so). */
export const IIS_HEADER = [
  '#Software: Microsoft Internet Information Services 10.0',
  '#Version: 1.0',
  '#Date: 2026-11-30 00:00:00',
  '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken',
].join('\n');

export const GENERATORS = {
  /** nginx `combined`, about 170 bytes a line. */
  nginx(i, r, t) {
    const ip = ipv4(r);
    const { method, target } = request(r);
    const status = STATUSES[Math.floor(r() * STATUSES.length)];
    const user = r() < 0.05 ? `user${Math.floor(r() * 500)}` : '-';
    return `${ip} - ${user} [${clfTime(t)}] "${method} ${target} HTTP/1.1" ${status} ${Math.floor(r() * 20000)} "-" "${UAS[Math.floor(r() * UAS.length)]}"`;
  },
  /** nginx `log_format … escape=json` with the usual variable names as keys, about 330 bytes a line. */
  'nginx-json'(i, r, t) {
    const { method, target } = request(r);
    const [uri, args = ''] = target.split('?');
    return JSON.stringify({
      time_iso8601: `${new Date(t).toISOString().slice(0, 19)}+00:00`,
      remote_addr: ipv4(r),
      remote_user: r() < 0.05 ? `user${Math.floor(r() * 500)}` : '',
      request_method: method,
      request_uri: target,
      uri,
      args,
      server_protocol: 'HTTP/1.1',
      scheme: r() < 0.97 ? 'https' : 'http',
      host: 'api.example.com',
      status: String(pick(r, STATUSES)),
      body_bytes_sent: String(Math.floor(r() * 20000)),
      request_time: (r() * 0.5).toFixed(3),
      http_referer: '',
      http_user_agent: pick(r, UAS),
    });
  },
  /** IIS W3C extended, default fields (the #Fields header comes first), about 190 bytes a line. */
  iis(i, r, t) {
    const { method, target } = request(r);
    const [stem, query = '-'] = target.split('?');
    const stamp = new Date(t).toISOString();
    const user = r() < 0.05 ? `CORP\\user${Math.floor(r() * 500)}` : '-';
    const status = pick(r, STATUSES);
    const sub = status === 401 ? pick(r, [1, 2, 2]) : 0;
    return `${stamp.slice(0, 10)} ${stamp.slice(11, 19)} 10.0.0.5 ${method} ${stem} ${query} 443 ${user} ${ipv4(r)} ${pick(r, UAS).replaceAll(' ', '+')} - ${status} ${sub} 0 ${Math.floor(r() * 900)}`;
  },
};

/** What apiaudit is told with --log-type for each generated kind. */
export const APIAUDIT_LOG_TYPE = { nginx: 'nginx', 'nginx-json': 'nginx', iis: 'iis' };
/** Lines written before the first record. */
const HEADERS = { iis: IIS_HEADER };

/** Writes `lines` lines of `logType` to `file`; resolves to its size in bytes. */
export async function generate(file, logType, lines, seed = 20261203) {
  const line = GENERATORS[logType];
  if (!line) throw new Error(`no generator for log type ${logType} (have: ${Object.keys(GENERATORS).join(', ')})`);
  const r = prng(seed);
  const start = Date.parse('2026-11-30T00:00:00Z');
  const out = createWriteStream(file);
  let bytes = 0;
  let batch = HEADERS[logType] ? [HEADERS[logType]] : [];
  for (let i = 0; i < lines; i++) {
    const text = line(i, r, start + Math.floor((i * 86_400_000) / lines));
    batch.push(text);
    bytes += Buffer.byteLength(text) + 1;
    if (batch.length === 10_000 || i === lines - 1) {
      if (!out.write(`${batch.join('\n')}\n`)) await once(out, 'drain');
      batch = [];
    }
  }
  out.end();
  await once(out, 'finish');
  return bytes;
}
