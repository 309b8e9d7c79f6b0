// Test helper: unsigned-looking JWTs (apiaudit decodes claims, it never verifies signatures).
import { createHash } from 'node:crypto';

const b64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

export function makeJwt(claims: Record<string, unknown>, header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' }): string {
  return `${b64url(header)}.${b64url(claims)}.${b64url(`sig:${JSON.stringify(claims)}`)}`;
}

export const epoch = (iso: string) => Math.floor(Date.parse(iso) / 1000);
export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
