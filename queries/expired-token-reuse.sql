/*
id: expired-token-reuse
title: Expired token still in use
severity: medium
description: >
  A token kept being presented after it expired. Where the JWT's exp claim is known: at least
  min_requests requests after exp, or one request at least min_late after exp (a few seconds of
  clock skew are normal). Where exp is not visible (opaque tokens): a credential that was accepted
  (2xx), then only rejected with 401 — at least min_rejections over at least min_span — and never
  accepted again. If the API answered 2xx after exp, it does not validate expiry: that is broken
  authentication, say so loudly.
message: >
  A token was used {{event_count}} time(s) after it expired, between {{first_seen}} and {{last_seen}}
  ({{details}}). A client that keeps sending a dead token has broken refresh logic or a leaked copy of it;
  if any use was accepted, the API does not check expiry.
remediation: >
  Fix the client's token refresh (renew before exp); if requests after exp were accepted (2xx), make the
  API or gateway validate exp; if the client is unknown, treat the token as leaked and revoke its session.
references:
  - https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/
  - https://www.rfc-editor.org/rfc/rfc7519#section-4.1.4
tags:
  owasp: [API2:2023]
  attack: [T1550.001, T1528]
falsepositives:
  - A token revoked by logout or password change, which the client keeps retrying (still a client bug).
episode_gap: 1 day
params:
  min_requests:
    type: integer
    default: 3
    description: Requests after exp that make a finding on their own.
  min_late:
    type: interval
    default: 5 minutes
    description: A single request this long after exp makes a finding.
  min_rejections:
    type: integer
    default: 5
    description: (exp unknown) 401s after the last success.
  min_span:
    type: interval
    default: 5 minutes
    description: (exp unknown) time those 401s must cover.
*/
WITH credential_use AS (
  SELECT *
  FROM scan_events
  WHERE subject_kind = 'credential'
    AND credential_kind IN ('bearer', 'api-key')
    AND method IS DISTINCT FROM 'OPTIONS'
),
-- exp known: every use after exp
after_exp AS (
  SELECT *,
    count(*) OVER (PARTITION BY subject) AS uses_after_exp,
    max(ts - jwt_exp) OVER (PARTITION BY subject) AS latest_use_after_exp
  FROM credential_use
  WHERE jwt_exp IS NOT NULL AND ts > jwt_exp
),
known_exp AS (
  SELECT subject_kind, subject, file_id, line_no,
    CASE WHEN status BETWEEN 200 AND 299 THEN 'accepted after expiry' ELSE 'rejected after expiry' END AS detail
  FROM after_exp
  WHERE uses_after_exp >= $min_requests OR latest_use_after_exp >= $min_late
),
-- exp unknown: accepted, then only 401 until the end of the scan
opaque AS (
  SELECT *,
    bool_or(jwt_exp IS NOT NULL) OVER (PARTITION BY subject) AS has_exp,
    max(CASE WHEN status BETWEEN 200 AND 299 THEN ts END) OVER (PARTITION BY subject) AS last_success
  FROM credential_use
),
after_last_success AS (
  SELECT *,
    count(*) OVER (PARTITION BY subject) AS uses,
    count(*) FILTER (WHERE status = 401) OVER (PARTITION BY subject) AS rejections,
    max(ts) OVER (PARTITION BY subject) - min(ts) OVER (PARTITION BY subject) AS span
  FROM opaque
  WHERE NOT has_exp AND last_success IS NOT NULL AND ts > last_success
),
inferred AS (
  SELECT subject_kind, subject, file_id, line_no, 'rejected after its last success (expiry not visible)' AS detail
  FROM after_last_success
  WHERE uses = rejections AND rejections >= $min_rejections AND span >= $min_span
)
SELECT * FROM known_exp
UNION ALL
SELECT * FROM inferred
