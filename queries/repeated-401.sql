/*
id: repeated-401
title: Repeated 401 Unauthorized for one credential
severity: medium
description: >
  One subject (a token fingerprint, else the principal, else the client IP) received at least
  min_count 401 responses within any sliding window of the given length on routes other than login.
  A client that keeps sending a bad, revoked or expired token, or someone trying tokens against
  protected routes. Login failures are a different signal (login-bruteforce). OPTIONS preflights and
  authentication-challenge 401s (IIS 401.2, an anonymous request retried with a credential within
  seconds: the WWW-Authenticate handshake) are not failures and are ignored.
message: >
  {{event_count}} responses 401 between {{first_seen}} and {{last_seen}} on {{distinct_paths}} path(s)
  (at least {{param.min_count}} within {{param.window}}). A client keeps presenting a credential the API
  rejects: find the client, fix or revoke its credential, and rate-limit it if it is an attack.
remediation: >
  Identify the caller from the evidence (IP, user agent); if it is your client, fix its token refresh;
  otherwise block or rate-limit the source and check that the credential was not leaked.
references:
  - https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/
  - https://developer.mozilla.org/en-US/docs/Web/HTTP/Status/401
tags:
  owasp: [API2:2023]
  attack: [T1110, T1078]
falsepositives:
  - A misconfigured but benign client retrying with a stale token (still worth fixing).
episode_gap: window
params:
  min_count:
    type: integer
    default: 10
    description: 401 responses needed within one window.
  window:
    type: interval
    default: 10 minutes
    description: Length of the sliding window.
*/
WITH failures AS (
  SELECT subject_kind, subject, file_id, line_no, ts
  FROM scan_events
  WHERE status = 401
    AND method IS DISTINCT FROM 'OPTIONS'
    AND NOT is_login
    AND NOT is_auth_challenge
),
counted AS (
  SELECT *,
    count(*) OVER (PARTITION BY subject_kind, subject ORDER BY ts
                   RANGE BETWEEN $window PRECEDING AND CURRENT ROW) >= $min_count AS qualifies
  FROM failures
)
-- every failure inside some window that reached the threshold is evidence
SELECT subject_kind, subject, file_id, line_no
FROM aa_window_members('counted', $window)
