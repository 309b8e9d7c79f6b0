// The credential model: what is fingerprinted, what is decoded, what is redacted, what the subject is.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingest, type EventRow } from './support/ingest.js';
import { epoch, makeJwt, sha256 } from './support/jwt.js';

const PATTERN = '$time_iso8601 $remote_addr $scheme "$request" $status "$http_referer" "$http_authorization" "$http_x_api_key"';
const dir = mkdtempSync(path.join(tmpdir(), 'apiaudit-cred-'));

const alice = makeJwt({ sub: 'alice', iss: 'https://idp.example', jti: 'j-1', iat: epoch('2026-01-05T09:00:00Z'), exp: epoch('2026-01-05T10:00:00Z') });
const noneAlg = makeJwt({ sub: 'mallory' }, { alg: 'none' });
const basic = Buffer.from('bob:hunter2-secret').toString('base64');

const lines = [
  `2026-01-05T09:10:00Z 203.0.113.5 https "GET /api/Customers/me HTTP/1.1" 200 "-" "Bearer ${alice}" "-"`,
  `2026-01-05T09:10:01Z 203.0.113.5 https "GET /api/Customers/me HTTP/1.1" 200 "-" "bearer    ${alice}" "-"`,
  `2026-01-05T09:10:02Z 203.0.113.6 https "GET /api/Reports HTTP/1.1" 200 "-" "Basic ${basic}" "-"`,
  `2026-01-05T09:10:03Z 203.0.113.7 https "GET /api/Items?page=2&access_token=${alice}&password=pw123 HTTP/1.1" 200 "https://app.example/cb?token=${alice}" "-" "-"`,
  `2026-01-05T09:10:04Z 203.0.113.8 https "GET /api/Items HTTP/1.1" 200 "-" "-" "key-123-abc"`,
  `2026-01-05T09:10:05Z 203.0.113.9 https "GET /api/Items HTTP/1.1" 401 "-" "Bearer null" "-"`,
  `2026-01-05T09:10:06Z 203.0.113.9 https "GET /api/verify/${alice} HTTP/1.1" 200 "-" "-" "-"`,
  `2026-01-05T09:10:07Z 203.0.113.10 https "GET /api/Items HTTP/1.1" 200 "-" "Bearer ${noneAlg}" "-"`,
  `2026-01-05T09:10:08Z 203.0.113.11 https "GET /api/Items HTTP/1.1" 200 "-" "Bearer opaque-token-xyz" "-"`,
];
const file = path.join(dir, 'access.log');
writeFileSync(file, `${lines.join('\n')}\n`);

describe('credentials at ingest', async () => {
  const { db, results, events } = await ingest([file], { logType: 'nginx', logPattern: PATTERN });
  afterAll(() => db.close());
  const line = (n: number): EventRow => events.find((e) => e.line_no === n)!;

  it('parses every line', () => {
    expect(results[0]).toMatchObject({ events: lines.length, rejected: 0 });
  });

  it('fingerprints a bearer token as the SHA-256 of the token without the scheme word', () => {
    expect(line(1)).toMatchObject({ credential_kind: 'bearer', credential_source: 'header', credential_fingerprint: sha256(alice) });
    expect(line(2).credential_fingerprint).toBe(sha256(alice)); // scheme case and spacing do not matter
  });

  it('decodes the JWT claims without verifying', () => {
    expect(line(1)).toMatchObject({
      jwt_alg: 'HS256', jwt_sub: 'alice', jwt_iss: 'https://idp.example', jwt_jti: 'j-1',
      jwt_iat: '2026-01-05T09:00:00Z', jwt_exp: '2026-01-05T10:00:00Z', principal: 'alice',
      subject_kind: 'credential', subject: sha256(alice),
    });
    expect(line(8)).toMatchObject({ jwt_alg: 'none', jwt_sub: 'mallory', jwt_exp: null });
  });

  it('keys a basic credential on its user name and never keeps the password', () => {
    expect(line(3)).toMatchObject({ credential_kind: 'basic', credential_fingerprint: sha256(basic), principal: 'bob', subject_kind: 'principal', subject: 'bob' });
  });

  it('takes a token from the query string when no header carries one, and redacts URL secrets', () => {
    expect(line(4)).toMatchObject({
      credential_kind: 'bearer', credential_source: 'query', credential_fingerprint: sha256(alice),
      path: '/api/Items', query: 'page=2&access_token=REDACTED&password=REDACTED',
      referrer: 'https://app.example/cb?token=REDACTED',
    });
    expect(line(4).secret_params).toEqual(['access_token', 'password']);
  });

  it('fingerprints an API key header', () => {
    expect(line(5)).toMatchObject({ credential_kind: 'api-key', credential_fingerprint: sha256('key-123-abc'), subject_kind: 'credential' });
  });

  it('treats placeholder bearer values as no credential', () => {
    expect(line(6)).toMatchObject({ credential_kind: 'none', credential_fingerprint: null, subject_kind: 'client_ip', subject: '203.0.113.9' });
  });

  it('redacts a JWT in the path and flags it', () => {
    expect(line(7)).toMatchObject({ path: '/api/verify/REDACTED', secret_params: ['(path)'] });
  });

  it('keeps an opaque bearer token as a credential without claims', () => {
    expect(line(9)).toMatchObject({ credential_kind: 'bearer', credential_fingerprint: sha256('opaque-token-xyz'), jwt_alg: null, principal: null });
  });
});
