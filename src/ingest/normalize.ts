// Turns a format's raw fields into `events` rows, inside one SQL statement: typing, '-' as absent,
// request-target splitting, query/referrer redaction, credential fingerprinting, JWT decoding,
// the client address, the subject, and the reason a line is rejected. The raw Authorization
// value and URL secrets exist only inside this query; none of its output columns carries them.
import { RAW_FIELDS, sqlConstant, type ParsePlan, type RawField } from './formats/format.js';

/** Output of normalizeSql(): every `events` column except file_id, plus reject_reason. */
export const EVENT_COLUMNS = [
  'line_no', 'ts', 'client_ip', 'client_port', 'forwarded_for', 'method', 'scheme', 'host', 'path', 'query',
  'http_version', 'status', 'status_detail', 'bytes', 'duration_ms', 'user_agent', 'referrer', 'tls_version',
  'auth_error', 'credential_kind', 'credential_source', 'credential_fingerprint', 'principal', 'jwt_alg', 'jwt_sub',
  'jwt_iss', 'jwt_jti', 'jwt_exp', 'jwt_iat', 'secret_params', 'subject_kind', 'subject',
] as const;

const TYPED_FIELDS = new Set<RawField>(['ts', 'duration_ms', 'claim_exp', 'claim_iat']);
const SQL_TYPE: Partial<Record<RawField, string>> = { ts: 'TIMESTAMP', duration_ms: 'DOUBLE', claim_exp: 'TIMESTAMP', claim_iat: 'TIMESTAMP' };

/** Bearer values that clients send when they have no token: not a credential. */
const PLACEHOLDER_TOKENS = `['', '-', 'null', 'undefined', 'none', 'nil', '[]', 'redacted', '<redacted>', '***']`;
// Long IN (…) lists become hash joins in DuckDB, which may reorder rows; list_contains stays a
// scalar, so the whole parse is order-preserving projections (line numbers come from that order).
const isPlaceholder = (x: string) => `list_contains(${PLACEHOLDER_TOKENS}, ${x})`;

// The directly connected client, when the log shows a chain of addresses: the right-most public
// address (what our edge saw; entries to its left are client-claimed and spoofable), else the
// left-most entry. Private, loopback and link-local hops are treated as our own proxies.
const PRIVATE_IP_RE = String.raw`'^(10\.|127\.|0\.|169\.254\.|192\.168\.|172\.(1[6-9]|2[0-9]|3[01])\.|::1$|::$|[fF][cCdD][0-9a-fA-F]{2}:|[fF][eE][89aAbB][0-9a-fA-F]:)'`;
const IP_RE = String.raw`'^([0-9]{1,3}(\.[0-9]{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*)$'`;
// Only addresses with a ':' or a '[' can carry a port (or brackets): the common case skips the regexes.
const stripPort = (x: string) =>
  String.raw`CASE WHEN NOT (contains(${x}, ':') OR contains(${x}, '[') OR contains(${x}, ' ')) THEN ${x}
    ELSE regexp_replace(regexp_replace(trim(${x}), '^\[([^\]]+)\](:[0-9]+)?$', '\1'), '^([0-9]{1,3}(\.[0-9]{1,3}){3}):[0-9]+$', '\1') END`;

function clientIpSql(forwarded: string, remote: string): string {
  const chain = `list_filter(list_transform(string_split(concat_ws(',', ${forwarded}, ${remote}), ','), lambda x: ${stripPort('x')}), lambda x: x NOT IN ('', '-'))`;
  const isPublic = `regexp_matches(x, ${IP_RE}) AND NOT regexp_matches(x, ${PRIVATE_IP_RE})`;
  return `CASE WHEN ${remote} IS NULL AND ${forwarded} IS NULL THEN NULL
       WHEN ${forwarded} IS NULL AND NOT contains(${remote}, ',') THEN ${stripPort(remote)}
       ELSE coalesce(list_filter(${chain}, lambda x: ${isPublic})[-1], ${chain}[1]) END`;
}

/** The parse of each line into raw fields (all of them, or only those named): the `parsed` and `raw` CTEs. */
function rawFieldsSql(plan: ParsePlan, fields: readonly RawField[] = RAW_FIELDS, source = plan.source): string {
  // Each raw field is computed once (parsed) and only then cleaned (raw): a macro such as
  // aa_null_dash repeats its argument, and DuckDB does not share repeated work inside CASE.
  const parsed = fields.map((field) => {
    const expr = plan.fields[field];
    if (!expr) return `NULL::${SQL_TYPE[field] ?? 'VARCHAR'} AS ${field}`;
    return TYPED_FIELDS.has(field) ? `(${expr}) AS ${field}` : `(${expr})::VARCHAR AS ${field}`;
  });
  const raw = fields.map((field) => (TYPED_FIELDS.has(field) || !plan.fields[field] ? field : `aa_null_dash(${field}) AS ${field}`));
  const rejectCase = (plan.reject ?? []).map((r) => `WHEN ${r.when} THEN ${sqlConstant(r.reason)}`).join('\n        ');
  return `src AS (${source}),
parsed AS (
  SELECT line_no,
    coalesce(${plan.skip ?? 'false'}, false) AS _skip,
    CASE ${rejectCase || 'WHEN false THEN NULL'} END AS _format_reject,
    ${parsed.join(',\n    ')}
  FROM src
),
raw AS (
  SELECT line_no, _skip, _format_reject,
    ${raw.join(',\n    ')}
  FROM parsed
)`;
}

/** Why a line is not an event ('skip' for lines the format skips), from _skip, _format_reject, ts, status and _status. */
const REJECT_REASON = `CASE WHEN _skip THEN 'skip'
       WHEN _format_reject IS NOT NULL THEN _format_reject
       WHEN ts IS NULL THEN 'missing or invalid timestamp'
       WHEN ts < TIMESTAMP '1970-01-01' OR ts > TIMESTAMP '2200-01-01' THEN 'timestamp out of range'
       WHEN status IS NOT NULL AND (_status IS NULL OR _status NOT BETWEEN 100 AND 999) THEN 'invalid status code'
  END`;

/**
 * line_no and reject_reason only, exactly as normalizeSql() decides them, from the few fields that
 * decide it. Auto-detection runs this for every format: DuckDB's cost there is binding and
 * optimizing the query (the sample is 50 lines), which grows with the fields it has to parse.
 */
export function rejectReasonSql(plan: ParsePlan): string {
  const fields: RawField[] = ['ts', 'status'];
  return `
WITH ${rawFieldsSql(plan, fields, plan.sourceFor?.(fields))}
SELECT line_no, ${REJECT_REASON} AS reject_reason
FROM (SELECT *, TRY_CAST(status AS INTEGER) AS _status FROM raw)`;
}

export function normalizeSql(plan: ParsePlan): string {
  return `
WITH ${rawFieldsSql(plan)},
url AS (
  SELECT *,
    -- an absolute-form target gives its path; its scheme is what the client asked for, not how it connected
    CASE WHEN target IS NOT NULL AND regexp_matches(target, '^[A-Za-z][A-Za-z0-9+.-]*://')
         THEN regexp_extract(target, '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*([^#]*)', 1) ELSE target END AS _origin_target,
    -- and its host, when the format logs no other
    coalesce(host, CASE WHEN contains(target, '://') THEN nullif(regexp_extract(target, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)', 1), '') END) AS _host
  FROM raw
),
req AS (
  SELECT *,
    coalesce(path, CASE WHEN contains(_origin_target, '?') THEN split_part(_origin_target, '?', 1) ELSE _origin_target END) AS _path,
    coalesce(query, CASE WHEN contains(_origin_target, '?') THEN substr(_origin_target, strpos(_origin_target, '?') + 1) END) AS _query,
    CASE WHEN regexp_matches(auth_header, '^\\s*[A-Za-z0-9_.-]+\\s+\\S') THEN lower(regexp_extract(auth_header, '^\\s*([A-Za-z0-9_.-]+)', 1)) END AS _auth_scheme,
    CASE WHEN regexp_matches(auth_header, '^\\s*[A-Za-z0-9_.-]+\\s+\\S') THEN trim(regexp_extract(auth_header, '^\\s*[A-Za-z0-9_.-]+\\s+(.*)$', 1))
         ELSE trim(auth_header) END AS _auth_value
  FROM url
),
cred AS (
  SELECT *,
    CASE WHEN ${isPlaceholder('lower(_auth_value)')} THEN NULL ELSE _auth_value END AS _header_token,
    CASE WHEN ${isPlaceholder('lower(trim(api_key))')} THEN NULL ELSE trim(api_key) END AS _key_token,
    CASE WHEN ${isPlaceholder('lower(trim(credential_id))')} THEN NULL ELSE trim(credential_id) END AS _gateway_id,
    aa_cookie_jwt(cookie) AS _cookie_jwt,
    aa_cookie_session(cookie) AS _cookie_session,
    CASE WHEN NOT ${isPlaceholder('lower(_query_value)')} THEN _query_value END AS _query_token
  FROM (SELECT *, aa_query_token(_query) AS _query_value FROM req)
),
-- One credential per request, the most direct evidence first: the Authorization header, an API-key
-- header, a gateway's credential id, a JWT cookie, a token in the URL, a session cookie; claims a
-- gateway logged without the token still say a JWT was used (kind bearer, no fingerprint).
tok AS (
  SELECT *,
    CASE WHEN _header_token IS NOT NULL THEN
           CASE WHEN _auth_scheme = 'bearer' THEN 'bearer'
                WHEN _auth_scheme = 'basic' THEN 'basic'
                WHEN _auth_scheme IS NULL OR list_contains(['apikey', 'api-key', 'api_key', 'key', 'token', 'sharedaccesssignature'], _auth_scheme) THEN 'api-key'
                ELSE 'other' END
         WHEN _key_token IS NOT NULL OR _gateway_id IS NOT NULL THEN 'api-key'
         WHEN _cookie_jwt IS NOT NULL THEN 'bearer'
         WHEN _query_token IS NOT NULL THEN CASE WHEN aa_is_jwt(_query_token) THEN 'bearer' ELSE 'api-key' END
         WHEN _cookie_session IS NOT NULL THEN 'session'
         WHEN coalesce(claim_sub, claim_jti, claim_iss) IS NOT NULL OR claim_exp IS NOT NULL THEN 'bearer'
         ELSE 'none' END AS credential_kind,
    coalesce(_header_token, _key_token, _gateway_id, _cookie_jwt, _query_token, _cookie_session) AS _token,
    CASE WHEN _header_token IS NOT NULL OR _key_token IS NOT NULL THEN 'header'
         WHEN _gateway_id IS NOT NULL THEN 'gateway'
         WHEN _cookie_jwt IS NOT NULL THEN 'cookie'
         WHEN _query_token IS NOT NULL THEN 'query'
         WHEN _cookie_session IS NOT NULL THEN 'cookie'
         WHEN coalesce(claim_sub, claim_jti, claim_iss) IS NOT NULL OR claim_exp IS NOT NULL THEN 'gateway' END AS credential_source
  FROM cred
),
jwt AS (
  SELECT *,
    CASE WHEN aa_is_jwt(_token) THEN aa_b64url_text(split_part(_token, '.', 1)) END AS _jwt_header_text,
    CASE WHEN aa_is_jwt(_token) THEN aa_b64url_text(split_part(_token, '.', 2)) END AS _jwt_payload_text,
    CASE WHEN credential_kind = 'basic' THEN try(decode(from_base64(_token))) END AS _basic_text
  FROM tok
),
claims AS (
  SELECT *,
    CASE WHEN json_valid(_jwt_header_text) AND json_valid(_jwt_payload_text)
              AND json_type(_jwt_payload_text) = 'OBJECT' AND json_extract_string(_jwt_header_text, '$.alg') IS NOT NULL
         THEN true ELSE false END AS _is_jwt
  FROM jwt
),
norm AS (
  SELECT *,
    CASE WHEN _is_jwt THEN json_extract_string(_jwt_header_text, '$.alg') END AS jwt_alg,
    CASE WHEN _is_jwt THEN json_extract_string(_jwt_payload_text, '$.sub') ELSE claim_sub END AS jwt_sub,
    CASE WHEN _is_jwt THEN json_extract_string(_jwt_payload_text, '$.iss') ELSE claim_iss END AS jwt_iss,
    CASE WHEN _is_jwt THEN json_extract_string(_jwt_payload_text, '$.jti') ELSE claim_jti END AS jwt_jti,
    CASE WHEN _is_jwt THEN aa_epoch_ts(TRY_CAST(json_extract_string(_jwt_payload_text, '$.exp') AS DOUBLE)) ELSE claim_exp END AS jwt_exp,
    CASE WHEN _is_jwt THEN aa_epoch_ts(TRY_CAST(json_extract_string(_jwt_payload_text, '$.iat') AS DOUBLE)) ELSE claim_iat END AS jwt_iat,
    coalesce(
      principal,
      CASE WHEN contains(_basic_text, ':') THEN nullif(split_part(_basic_text, ':', 1), '') END,
      CASE WHEN _auth_scheme = 'digest' THEN nullif(regexp_extract(auth_header, 'username="([^"]*)"', 1), '') END,
      CASE WHEN _auth_scheme = 'aws4-hmac-sha256' THEN nullif(regexp_extract(auth_header, 'Credential=([A-Za-z0-9]+)/', 1), '') END,
      CASE WHEN _is_jwt THEN json_extract_string(_jwt_payload_text, '$.sub') END,
      claim_sub
    ) AS _principal,
    ${clientIpSql('forwarded_for', 'client_ip')} AS _client_ip,
    TRY_CAST(status AS INTEGER) AS _status,
    lower(scheme) AS _scheme
  FROM claims
)
SELECT
  line_no,
  ${REJECT_REASON} AS reject_reason,
  ts,
  _client_ip AS client_ip,
  TRY_CAST(client_port AS INTEGER) AS client_port,
  forwarded_for,
  method,
  CASE WHEN _scheme IN ('https', 'wss') THEN 'https' WHEN _scheme IN ('http', 'ws') THEN 'http' END AS scheme,
  lower(_host) AS host,
  aa_redact_jwt(_path) AS path,
  aa_redact_query(_query) AS query,
  http_version,
  TRY_CAST(_status AS SMALLINT) AS status, -- a rejected line's status may not fit (70000): not a reason to fail the file
  status_detail,
  TRY_CAST(bytes AS BIGINT) AS bytes,
  duration_ms,
  user_agent,
  aa_redact_jwt(aa_redact_query(referrer)) AS referrer,
  tls_version,
  auth_error,
  credential_kind,
  credential_source,
  CASE WHEN _token IS NOT NULL THEN sha256(_token) END AS credential_fingerprint,
  _principal AS principal,
  jwt_alg, jwt_sub, jwt_iss, jwt_jti, jwt_exp, jwt_iat,
  aa_secret_params(_query, _path) AS secret_params,
  -- Findings are keyed on the credential; basic/digest/signed credentials change with every
  -- guess or request, so their stable identity is the user name.
  CASE WHEN _token IS NOT NULL AND credential_kind IN ('bearer', 'api-key', 'session') THEN 'credential'
       WHEN _token IS NOT NULL AND credential_kind IN ('basic', 'other') AND _principal IS NULL THEN 'credential'
       WHEN _principal IS NOT NULL THEN 'principal'
       WHEN _client_ip IS NOT NULL THEN 'client_ip' END AS subject_kind,
  CASE WHEN _token IS NOT NULL AND credential_kind IN ('bearer', 'api-key', 'session') THEN sha256(_token)
       WHEN _token IS NOT NULL AND credential_kind IN ('basic', 'other') AND _principal IS NULL THEN sha256(_token)
       WHEN _principal IS NOT NULL THEN _principal
       ELSE _client_ip END AS subject
FROM norm`;
}
