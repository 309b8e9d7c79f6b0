// Writes samples/nginx-api.access.log: one day of a JWT bearer API, as nginx logs it with the
// log_format in samples/apiaudit.yml. Every shipped rule fires exactly once on it (test/samples.test.ts
// checks); the rest is traffic that must not fire: scattered 401s, a token renewed before expiry, a
// mistyped password, one person with a laptop and a phone, colleagues behind one office address,
// CORS preflights, a missing favicon, health checks, an anonymous http request answered with a
// redirect. Run: node test/support/generate-samples.mjs
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
// auth: a bearer token; header: any other Authorization value (Basic …, ApiKey …)
function req({ ts, ip, method = 'GET', path, status = 200, bytes = 512, ua, scheme = 'https', auth = null, header = null, user = '-', rt = 0.012 }) {
  const authField = auth ? `Bearer ${auth}` : header ?? '-';
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
// the same anonymous client over https: the API refuses it (this is what marks GET /api/Orders as protected)
req({ ts: `${day}T12:31:00Z`, ip: '192.0.2.200', path: '/api/Orders', status: 401, bytes: 61, ua: 'curl/8.5.0' });
req({ ts: `${day}T12:30:05Z`, ip: '10.0.3.9', path: '/health', status: 200, bytes: 2, ua: 'kube-probe/1.31', scheme: 'http' });

// a script replaying a forged token → repeated-401 (12 in four minutes).
const forged = jwt({ sub: 'admin@shop.example', iat: epoch(`${day}T13:00:00Z`), exp: epoch(`${day}T23:00:00Z`), role: 'admin' });
for (let i = 0; i < 12; i++) req({ ts: at(`${day}T13:15:00Z`, i * 20), ip: '185.220.101.4', path: i % 2 ? '/api/Admin/users' : '/api/Customers/me', status: 401, bytes: 61, ua: 'python-httpx/0.27', auth: forged });

// mallory: a valid customer token trying other customers' orders (ids she picked up here and
// there, not a sequence) → forbidden-probing.
const mallory = token('mallory@shop.example', `${day}T14:00:00Z`, 60, 'm-1');
req({ ts: `${day}T14:00:00Z`, ip: '198.18.0.66', method: 'POST', path: '/api/Auth/login', ua: WEB, bytes: 805 });
const seenIds = [1001, 1137, 1290, 1342, 1488, 1523, 1679, 1701, 1856, 1902, 2044, 2110, 2287, 2309];
for (const [i, id] of seenIds.entries()) req({ ts: at(`${day}T14:02:00Z`, i * 45), ip: '198.18.0.66', path: `/api/Orders/${id}`, status: 403, bytes: 44, ua: WEB, auth: mallory });
req({ ts: `${day}T14:20:00Z`, ip: '198.18.0.66', path: '/api/Orders/4242', ua: WEB, auth: mallory });

// ---- password attacks on the login routes ----
// The legacy login route sits behind nginx auth_basic, so nginx logs the user name ($remote_user);
// the JSON login route does not (the user name is in the body).
const basic = (user) => `Basic ${Buffer.from(`${user}:Summer2026!`).toString('base64')}`;
const TOOL = 'Mozilla/5.0 (compatible; hydra)';
// dave's password guessed on the JSON login: 14 failures in 5 minutes, then it works →
// login-bruteforce and success-after-failures; the new token is then used from the same address.
for (let i = 0; i < 14; i++) req({ ts: at(`${day}T16:00:00Z`, i * 20), ip: '203.0.113.99', method: 'POST', path: '/api/Auth/login', status: 401, bytes: 38, ua: 'python-requests/2.32.3' });
const daveStolen = token('dave@shop.example', `${day}T16:05:00Z`, 60, 'd-9');
req({ ts: `${day}T16:05:00Z`, ip: '203.0.113.99', method: 'POST', path: '/api/Auth/login', bytes: 812, ua: 'python-requests/2.32.3' });
for (let i = 0; i < 4; i++) req({ ts: at(`${day}T16:06:00Z`, i * 30), ip: '203.0.113.99', path: i ? '/api/Cards' : '/api/Customers/me', ua: 'python-requests/2.32.3', auth: daveStolen });
// a list of leaked passwords replayed on the legacy login: 12 accounts, one try each, one every
// 3 minutes (too slow for login-bruteforce) → credential-stuffing.
const leaked = ['anna', 'ben', 'chloe', 'dmitri', 'elena', 'felix', 'gita', 'hugo', 'iris', 'jonas', 'kai', 'lena'];
for (const [i, u] of leaked.entries()) req({ ts: at(`${day}T17:00:00Z`, i * 180), ip: '192.0.2.150', path: '/legacy/login', status: 401, bytes: 38, ua: TOOL, user: u, header: basic(u) });
// one password sprayed over six accounts, a round every half hour → password-spray.
const sprayed = ['olga', 'pavel', 'quinn', 'rosa', 'sven', 'tara'];
for (let round = 0; round < 3; round++) {
  for (const [i, u] of sprayed.entries()) req({ ts: at(`${day}T18:00:00Z`, round * 1800 + i * 10), ip: '192.0.2.160', path: '/legacy/login', status: 401, bytes: 38, ua: TOOL, user: u, header: basic(u) });
}
// a user who mistypes her password once and then logs in (must not fire)
req({ ts: `${day}T09:30:00Z`, ip: '198.51.100.31', path: '/legacy/login', status: 401, bytes: 38, ua: WEB, user: 'uma', header: basic('uma') });
req({ ts: `${day}T09:30:20Z`, ip: '198.51.100.31', path: '/legacy/login', bytes: 512, ua: WEB, user: 'uma', header: basic('uma') });

// ---- tokens ----
// erin's token, copied: used by her browser at home, then by two scripts in other networks within
// the hour → token-sharing.
const erin = token('erin@shop.example', `${day}T10:00:00Z`, 120, 'e-1');
req({ ts: `${day}T10:00:00Z`, ip: '198.51.100.40', method: 'POST', path: '/api/Auth/login', ua: WEB, bytes: 805 });
for (let i = 0; i < 4; i++) req({ ts: at(`${day}T10:01:00Z`, i * 300), ip: '198.51.100.40', path: '/api/Customers/me', ua: WEB, auth: erin });
req({ ts: `${day}T10:25:00Z`, ip: '45.83.64.10', path: '/api/Customers/me', ua: 'curl/8.5.0', auth: erin });
req({ ts: `${day}T10:31:00Z`, ip: '103.77.1.9', path: '/api/Cards', ua: 'python-requests/2.32.3', auth: erin });
// alice on her phone holds a token of her own (one person, two tokens: must not fire)
const alicePhone = token('alice@shop.example', `${day}T08:20:00Z`, 60, 'a-m1');
for (let i = 0; i < 5; i++) req({ ts: at(`${day}T08:20:00Z`, i * 240), ip: `100.64.12.${7 + i}`, path: '/api/Orders', ua: MOBILE, auth: alicePhone });
// three colleagues behind the office address, each with their own token (must not fire)
for (const [i, who] of ['hank', 'ines', 'jo'].entries()) {
  const t = token(`${who}@shop.example`, `${day}T09:00:00Z`, 60, `o-${i}`);
  for (let k = 0; k < 3; k++) req({ ts: at(`${day}T09:05:00Z`, i * 60 + k * 600), ip: '198.51.100.200', path: '/api/Customers/me', ua: i === 1 ? MOBILE : WEB, auth: t });
}
// frank's old app build puts his token in the URL → token-in-url (the value is redacted at ingest).
const frank = token('frank@shop.example', `${day}T11:00:00Z`, 60, 'f-1');
req({ ts: `${day}T11:10:00Z`, ip: '198.51.100.61', path: `/api/Orders/export?format=csv&access_token=${frank}`, ua: 'ShopApp/3.9.0 (Android 13)' });
req({ ts: `${day}T11:12:00Z`, ip: '198.51.100.61', path: `/api/Orders/export?format=pdf&access_token=${frank}`, ua: 'ShopApp/3.9.0 (Android 13)' });
// the partner integration's JWT: issued 46 days ago for 92 days → weak-token (lifetime) and
// stale-credential (in use longer than 30 days).
const partner = jwt({ sub: 'partner-sync', iat: epoch('2026-10-15T00:00:00Z'), exp: epoch('2027-01-15T00:00:00Z'), jti: 'p-1' });
for (let i = 0; i < 6; i++) req({ ts: at(`${day}T06:00:00Z`, i * 3600), ip: '203.0.113.200', method: 'POST', path: '/api/Stock/sync', ua: 'partner-sync/2.4', auth: partner });

// ---- enumeration, scanning, scraping ----
// ivan walks invoices with his own valid token, and the API serves them → sequential-id-walk.
const ivan = token('ivan@shop.example', `${day}T19:00:00Z`, 60, 'i-1');
for (let i = 0; i < 15; i++) req({ ts: at(`${day}T19:05:00Z`, i * 6), ip: '198.51.100.99', path: `/api/Invoices/${3001 + i}`, ua: 'python-httpx/0.27', auth: ivan });
// a scanner looking for leaked files and consoles → sensitive-path-probing.
const probes = ['/.env', '/.git/config', '/wp-login.php', '/phpmyadmin/', '/server-status', '/backup.sql', '/actuator/env', '/admin', '/login.php', '/api/swagger.json', '/.aws/credentials', '/config.php.bak', '/xmlrpc.php', '/.DS_Store'];
for (const [i, p] of probes.entries()) req({ ts: at(`${day}T20:00:00Z`, i * 4), ip: '45.155.205.233', path: p, status: p === '/server-status' ? 403 : 404, bytes: 153, ua: 'Mozilla/5.0 zgrab/0.x' });
// an anonymous scraper pulls the whole public catalogue within an hour → rate-anomaly.
for (let i = 0; i < 660; i++) req({ ts: at(`${day}T15:00:00Z`, i * 5.4), ip: '192.0.2.99', path: `/api/Products?page=${i + 1}`, bytes: 2048, ua: 'python-requests/2.32.3', rt: 0.004 });
// an internal service calls a protected route without any credential, and gets data →
// unauthenticated-success (from a private address: they are judged like any other).
for (let i = 0; i < 2; i++) req({ ts: at(`${day}T21:00:00Z`, i * 60), ip: '10.0.7.21', path: '/api/Orders', bytes: 4096, ua: 'Go-http-client/1.1' });

// browsers: CORS preflights and a missing favicon (must not fire)
for (let i = 0; i < 3; i++) req({ ts: at(`${day}T08:01:00Z`, i * 600), ip: '198.51.100.23', method: 'OPTIONS', path: '/api/Customers/me', status: 204, bytes: 0, ua: WEB });
req({ ts: `${day}T08:00:02Z`, ip: '198.51.100.23', path: '/favicon.ico', status: 404, bytes: 153, ua: WEB });

// background: health checks and public catalogue browsing, https only
for (let i = 0; i < 24; i++) req({ ts: at(`${day}T00:00:00Z`, i * 3600), ip: '10.0.3.9', path: '/health', bytes: 2, ua: 'kube-probe/1.31', rt: 0.001 });

lines.sort((a, b) => a.ts.localeCompare(b.ts));
writeFileSync(new URL('../../samples/nginx-api.access.log', import.meta.url), lines.map((l) => l.text).join('\n') + '\n');
console.log(`wrote ${lines.length} lines`);
