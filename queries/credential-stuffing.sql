/*
id: credential-stuffing
title: Credential stuffing — many accounts tried from one address
severity: high
description: >
  One client address failed to log in as at least min_users distinct user names within any sliding
  window, with few attempts per user name (on average at most max_attempts_per_user, counted over
  the window before and after): a list of leaked user/password pairs being replayed against the
  login route. Needs the user name of each
  login attempt in the log (a basic-auth user or a gateway principal); where the log does not
  record it, this rule stays silent (login-bruteforce still counts the failures per address). A user
  name that logged in successfully from the same address within the window is not counted — people
  mistype behind a shared office address; a stuffed account that works is success-after-failures.
  OPTIONS preflights and authentication challenges are not attempts; private addresses are judged.
message: >
  {{event_count}} failed logins from {{client_ip}} for {{distinct_principals}} distinct user names between
  {{first_seen}} and {{last_seen}} (at least {{param.min_users}} within {{param.window}}, few tries each).
  Leaked passwords are being tried against your accounts: block the address, look for successful logins
  from it, and reset or step up (MFA) the accounts that were tried.
remediation: >
  Block or challenge the address; check the accounts tried for successful logins from it and force a
  password reset where one succeeded; rate-limit the login route per address and per account; screen
  passwords against breach lists and offer MFA.
references:
  - https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/
  - https://owasp.org/www-community/attacks/Credential_stuffing
  - https://attack.mitre.org/techniques/T1110/004/
tags:
  owasp: [API2:2023]
  attack: [T1110.004]
falsepositives:
  - A shared address (office NAT, proxy, VPN egress) through which many users fail to log in within
    the window and never succeed from it; allow-list it for this rule if expected.
  - A load test or a migration script that replays test accounts.
episode_gap: window
params:
  min_users:
    type: integer
    default: 10
    description: Distinct user names that failed from one address within one window.
  max_attempts_per_user:
    type: number
    default: 2
    description: Average failed attempts per user name at most (stuffing tries each pair once or twice).
  window:
    type: interval
    default: 1 hour
    description: Length of the sliding window.
*/
WITH failures AS (
  SELECT * FROM aa_named_login_failures($window)
),
counted AS (
  SELECT *,
    count(DISTINCT principal) OVER w >= $min_users
      -- "few tries each" is judged on the whole burst around the row, not only on what came before it
      AND count(*) OVER around <= $max_attempts_per_user * count(DISTINCT principal) OVER around AS qualifies
  FROM failures
  WINDOW w AS (PARTITION BY subject_kind, subject ORDER BY ts RANGE BETWEEN $window PRECEDING AND CURRENT ROW),
         around AS (PARTITION BY subject_kind, subject ORDER BY ts RANGE BETWEEN $window PRECEDING AND $window FOLLOWING)
)
SELECT subject_kind, subject, file_id, line_no
FROM aa_window_members('counted', $window)
