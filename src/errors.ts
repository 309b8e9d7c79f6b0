// Errors a user can act on (bad input, bad config, bad usage). The CLI prints their message as one
// line and exits 2; anything else is an internal error. Messages never carry raw log content.

export type UserErrorKind = 'usage' | 'input' | 'config' | 'rule' | 'database';

export class UserError extends Error {
  constructor(
    readonly kind: UserErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'UserError';
  }
}

// DuckDB error texts can quote the offending input ("Original Line: …"), and an input line can
// hold a bearer token. Everything we print goes through this, as defence in depth.
const SECRET_PATTERNS: Array<[RegExp, string]> = [
  [/Original Line:[\s\S]*?(?=\n\s*\n|\n[A-Z][a-z]+ [A-Za-z]+:|$)/g, 'Original Line: [redacted]'],
  [/\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, '[redacted-jwt]'],
  [/\b(Bearer|Basic|Digest|Token|ApiKey|Api-Key)\s+[A-Za-z0-9._~+/=:-]{6,}/gi, '$1 [redacted]'],
  [
    /([?&;\s"'](?:access_?token|id_token|refresh_token|oauth_token|auth_token|session_token|token|jwt|api_?key|apikey|key|password|passwd|pwd|secret|client_secret|signature|sig|auth)=)[^&\s"';]+/gi,
    '$1[redacted]',
  ],
];

export function redactSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

export function errorMessage(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  return redactSecrets(raw);
}
