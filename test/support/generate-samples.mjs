// Writes samples/nginx-api.access.log: one day of a JWT bearer API, as nginx logs it with the
// log_format in samples/apiaudit.yml. Every shipped rule fires exactly once on it; the rest is
// traffic that must not fire (scattered 401s, a token renewed before expiry, https only, an
// anonymous http request answered with a redirect). Run: node test/support/generate-samples.mjs
import { writeFileSync } from 'node:fs';

const b64url = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
export const jwt = (claims, alg = 'HS256') =>
  `${b64url({ alg, typ: 'JWT' })}.${b64url(claims)}.${b64url(`sig-${claims.jti ?? claims.sub}`)}`;
const epoch = (iso) => Math.floor(Date.parse(iso) / 1000);
const token = (sub, iat, lifetimeMinutes, jti) => jwt({ sub, iat: epoch(iat), exp: epoch(iat) + lifetimeMinutes * 60, jti });

const lines = [];
const clf = (iso) => {
  const d = new Date(iso);
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
  const p = (n) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${mon}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
};
const at = (base, seconds) => new Date(Date.parse(base) + seconds * 1000).toISOString();
function req({ ts, ip, method = 'GET', path, status = 200, bytes = 512, ua, scheme = 'https', auth = null, user = '-', rt = 0.012 }) {
  const authField = auth ? `Bearer ${auth}` : '-';
  lines.push({ ts, text: `${ip} - ${user} [${clf(ts)}] "${method} ${path} HTTP/1.1" ${status} ${bytes} "-" "${ua}" ${scheme} api.shop.example ${rt.toFixed(3)} "${authField}"` });
}

const WEB = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';
const MOBILE = 'ShopApp/4.2.1 (iPhone; iOS 18.1)';
const day = '2026-11-30';

// alice: logs in, works all morning, renews her token before it expires (must not fire), and
// gets two scattered 401s (a tab left open with an old token) that must not fire either.
const alice1 = token('alice@shop.example', `${day}T08:00:05Z`, 60, 'a-1');
const alice2 = token('alice@shop.example', `${day}T08:55:00Z`, 60, 'a-2');
req({ ts: `${day}T08:00:04Z`, ip: '198.51.100.23', method: 'POST', path: '/api/Auth/login', ua: WEB, bytes: 812 });
for (let i = 0; i < 20; i++) req({ ts: at(`${day}T08:01:00Z`, i * 150), ip: '198.51.100.23', path: i % 3 ? '/api/Customers/me' : `/api/Orders/${5000 + i}`, ua: WEB, auth: alice1 });
req({ ts: `${day}T08:40:10Z`, ip: '198.51.100.23', path: '/api/Customers/me', status: 401, ua: WEB, auth: 'stale-session-token-from-old-tab' });
req({ ts: `${day}T08:55:00Z`, ip: '198.51.100.23', method: 'POST', path: '/api/Auth/login', ua: WEB, bytes: 812 });
for (let i = 0; i < 15; i++) req({ ts: at(`${day}T08:56:00Z`, i * 180), ip: '198.51.100.23', path: '/api/Customers/me', ua: WEB, auth: alice2 });
req({ ts: `${day}T11:02:00Z`, ip: '198.51.100.23', path: '/api/Basket/7', status: 401, ua: WEB, auth: 'stale-session-token-from-old-tab' });

// bob: his sync job keeps sending a token that expired at 10:00 → expired-token-reuse.
const bob = token('bob@shop.example', `${day}T09:00:00Z`, 60, 'b-1');
for (let i = 0; i < 12; i++) req({ ts: at(`${day}T09:05:00Z`, i * 240), ip: '203.0.113.40', path: '/api/Orders', ua: 'sync-job/1.3 python-requests/2.32', auth: bob });
for (let i = 0; i < 6; i++) req({ ts: at(`${day}T10:01:00Z`, i * 120), ip: '203.0.113.40', path: '/api/Orders', status: 401, bytes: 61, ua: 'sync-job/1.3 python-requests/2.32', auth: bob });

// carol: an old mobile build talks plain http with her token → plain-http.
const carol = token('carol@shop.example', `${day}T12:00:00Z`, 60, 'c-1');
req({ ts: `${day}T12:00:00Z`, ip: '192.0.2.77', method: 'POST', path: '/api/Auth/login', ua: MOBILE, bytes: 790 });
for (let i = 0; i < 3; i++) req({ ts: at(`${day}T12:01:00Z`, i * 90), ip: '192.0.2.77', path: '/api/Customers/me', ua: MOBILE, scheme: 'http', auth: carol });
for (let i = 0; i < 5; i++) req({ ts: at(`${day}T12:10:00Z`, i * 60), ip: '192.0.2.77', path: '/api/Products?page=' + (i + 1), ua: MOBILE, auth: carol });
// anonymous plain-http requests that are handled correctly: a redirect, and the public health check
req({ ts: `${day}T12:30:00Z`, ip: '192.0.2.200', path: '/api/Customers/me', status: 301, bytes: 162, ua: 'curl/8.5.0', scheme: 'http' });
req({ ts: `${day}T12:30:05Z`, ip: '10.0.3.9', path: '/health', status: 200, bytes: 2, ua: 'kube-probe/1.31', scheme: 'http' });

// a script replaying a forged token → repeated-401 (12 in four minutes).
const forged = jwt({ sub: 'admin@shop.example', iat: epoch(`${day}T13:00:00Z`), exp: epoch(`${day}T23:00:00Z`), role: 'admin' });
for (let i = 0; i < 12; i++) req({ ts: at(`${day}T13:15:00Z`, i * 20), ip: '185.220.101.4', path: i % 2 ? '/api/Admin/users' : '/api/Customers/me', status: 401, bytes: 61, ua: 'python-httpx/0.27', auth: forged });

// mallory: a valid customer token walking other customers' orders → forbidden-probing.
const mallory = token('mallory@shop.example', `${day}T14:00:00Z`, 60, 'm-1');
req({ ts: `${day}T14:00:00Z`, ip: '198.18.0.66', method: 'POST', path: '/api/Auth/login', ua: WEB, bytes: 805 });
for (let i = 0; i < 14; i++) req({ ts: at(`${day}T14:02:00Z`, i * 45), ip: '198.18.0.66', path: `/api/Orders/${1001 + i}`, status: 403, bytes: 44, ua: WEB, auth: mallory });
req({ ts: `${day}T14:20:00Z`, ip: '198.18.0.66', path: '/api/Orders/4242', ua: WEB, auth: mallory });

// background: health checks and public catalogue browsing, https only
for (let i = 0; i < 24; i++) req({ ts: at(`${day}T00:00:00Z`, i * 3600), ip: '10.0.3.9', path: '/health', bytes: 2, ua: 'kube-probe/1.31', rt: 0.001 });

lines.sort((a, b) => a.ts.localeCompare(b.ts));
writeFileSync(new URL('../../samples/nginx-api.access.log', import.meta.url), lines.map((l) => l.text).join('\n') + '\n');
console.log(`wrote ${lines.length} lines`);
