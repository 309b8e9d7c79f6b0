/*
id: login-bruteforce
title: Password guessing against the login route
severity: medium
description: >
  One client address got at least min_failures failed logins (401 or 403 on a login route, see
  login_paths in the config) within any sliding window of the given length. The attacker has no
  credential yet, so the finding is keyed on the client IP; it counts the distinct user names tried
  when the log records them (the basic-auth user or a gateway principal; 0 when the log has none).
  OPTIONS preflights and authentication challenges (IIS 401.2, an anonymous request retried with a
  credential within seconds) are not failures. Private and internal addresses are judged like any
  other. Failures on other routes are repeated-401; many user names with few tries each are
  credential-stuffing or password-spray; a success at the end of the run is success-after-failures.
message: >
  {{event_count}} failed logins from {{client_ip}} between {{first_seen}} and {{last_seen}} (at least
  {{param.min_failures}} within {{param.window}}), for {{distinct_principals}} distinct user name(s) in the log.
  Someone is guessing passwords: rate-limit or block the address, and make sure the accounts tried are
  protected by lockout or MFA.
remediation: >
  Rate-limit the login route per client and per account, lock or step up (MFA, CAPTCHA) after repeated
  failures, block the address if it is not yours, and check the accounts tried for a later successful login.
references:
  - https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/
  - https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html
  - https://attack.mitre.org/techniques/T1110/001/
tags:
  owasp: [API2:2023, API4:2023]
  attack: [T1110.001]
falsepositives:
  - Many users behind one NAT or proxy address failing within minutes of each other (a large office
    egress); allow-list that address for this rule in the config if it is expected.
  - A script or device retrying a changed password in a loop (still worth fixing).
episode_gap: window
params:
  min_failures:
    type: integer
    default: 10
    description: Failed logins from one address needed within one window.
  window:
    type: interval
    default: 10 minutes
    description: Length of the sliding window.
*/
WITH failures AS (
  SELECT 'client_ip' AS subject_kind, client_ip AS subject, file_id, line_no, ts
  FROM scan_events
  WHERE is_login
    AND status IN (401, 403)
    AND method IS DISTINCT FROM 'OPTIONS'
    AND NOT is_auth_challenge
    AND client_ip IS NOT NULL
),
counted AS (
  SELECT *,
    count(*) OVER (PARTITION BY subject_kind, subject ORDER BY ts
                   RANGE BETWEEN $window PRECEDING AND CURRENT ROW) >= $min_failures AS qualifies
  FROM failures
)
SELECT subject_kind, subject, file_id, line_no
FROM aa_window_members('counted', $window)
