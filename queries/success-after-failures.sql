/*
id: success-after-failures
title: Successful login right after a run of failures
severity: high
description: >
  A client address that had at least min_failures failed logins (401 or 403 on a login route) within
  the window before it then logged in successfully — a 2xx on a login route, or the first accepted
  request of a token never seen before (for APIs whose login is not in this log). The failures are
  counted since the address's previous success, so a user who mistypes once in a while never adds
  up. Keyed on the client address, like the failures; the details name the account that got in when
  the log records it. OPTIONS preflights and authentication challenges (IIS 401.2, the
  WWW-Authenticate handshake) are not failures; private addresses are judged like any other.
message: >
  A login from {{client_ip}} succeeded right after failed ones: {{event_count}} events between {{first_seen}}
  and {{last_seen}} (at least {{param.min_failures}} failures within {{param.window}}; {{details}}). The
  guessing may have worked: confirm the login with the account's owner, and if it was not them revoke its
  sessions and tokens and reset the password.
remediation: >
  Confirm the login with the account owner; if it was not theirs, revoke the account's sessions and tokens,
  reset its password and review what the new session did; add lockout, MFA and per-account rate limits to
  the login route.
references:
  - https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/
  - https://github.com/SigmaHQ/sigma-specification/blob/main/specification/sigma-correlation-rules-specification.md
  - https://attack.mitre.org/techniques/T1110/
tags:
  owasp: [API2:2023]
  attack: [T1110, T1078]
falsepositives:
  - A user who failed many times (forgotten password, caps lock) and then got it right.
  - A shared address (office NAT) where one user's failures are followed by another user's login; the
    details show which account logged in.
episode_gap: window
params:
  min_failures:
    type: integer
    default: 10
    description: Failed logins from the address needed within the window before the success.
  window:
    type: interval
    default: 30 minutes
    description: How far before the success failures count.
*/
WITH failures AS (
  SELECT client_ip, file_id, line_no, ts
  FROM scan_events
  WHERE is_login AND status IN (401, 403) AND method IS DISTINCT FROM 'OPTIONS' AND NOT is_auth_challenge
    AND client_ip IS NOT NULL
),
-- only addresses with enough failures overall can qualify: everything below looks at those alone
failing AS (
  SELECT client_ip FROM failures GROUP BY client_ip HAVING count(*) >= $min_failures
),
from_failing AS MATERIALIZED (
  SELECT client_ip, file_id, line_no, ts, status, method, is_login, principal, credential_kind, credential_fingerprint
  FROM scan_events
  WHERE client_ip IN (SELECT client_ip FROM failing)
),
token_first_accepted AS (
  -- when each token used from a failing address was first accepted (from anywhere)
  SELECT credential_fingerprint, min(ts) AS ts
  FROM scan_events
  WHERE credential_kind IN ('bearer', 'api-key') AND status BETWEEN 200 AND 299 AND NOT is_login
    AND credential_fingerprint IN (SELECT credential_fingerprint FROM from_failing)
  GROUP BY credential_fingerprint
),
outcomes AS (
  -- ord 0: a failed login, ord 1: a success (a login, or a new token's first accepted request)
  SELECT client_ip, file_id, line_no, ts, 0 AS ord, 'failed login' AS detail
  FROM failures SEMI JOIN failing USING (client_ip)
  UNION ALL
  SELECT e.client_ip, e.file_id, e.line_no, e.ts, 1,
    CASE WHEN e.is_login THEN 'login succeeded' || coalesce(' as ' || e.principal, '')
         ELSE 'new token first accepted' || coalesce(' for ' || e.principal, '') END
  FROM from_failing e
  LEFT JOIN token_first_accepted t ON t.credential_fingerprint = e.credential_fingerprint AND t.ts = e.ts
  WHERE e.status BETWEEN 200 AND 299 AND e.method IS DISTINCT FROM 'OPTIONS'
    AND (e.is_login OR (t.ts IS NOT NULL AND e.credential_kind IN ('bearer', 'api-key')))
),
segments AS (
  -- the failures since an address's previous success belong to the success that ends them
  SELECT *,
    count(*) FILTER (WHERE ord = 1) OVER (PARTITION BY client_ip ORDER BY ts, ord, file_id, line_no
                                          ROWS UNBOUNDED PRECEDING) - ord AS segment
  FROM outcomes
),
judged AS (
  SELECT *,
    count(*) FILTER (WHERE ord = 0) OVER (PARTITION BY client_ip, segment ORDER BY ts
                                          RANGE BETWEEN $window PRECEDING AND CURRENT ROW) AS failures_before
  FROM segments
),
marked AS (
  SELECT *,
    max(CASE WHEN ord = 1 AND failures_before >= $min_failures THEN ts END)
      OVER (PARTITION BY client_ip, segment) AS success_ts
  FROM judged
)
SELECT 'client_ip' AS subject_kind, client_ip AS subject, file_id, line_no, detail
FROM marked
WHERE success_ts IS NOT NULL AND ts BETWEEN success_ts - $window AND success_ts
