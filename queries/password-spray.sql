/*
id: password-spray
title: Password spraying — the same accounts tried again and again, slowly
severity: high
description: >
  One client address failed to log in as many user names in rounds: within any sliding window, at
  least min_users distinct user names were tried again at least min_round_gap after their previous
  failure from that address, with few attempts per user name overall (on average at most
  max_attempts_per_user, counted over the window before and after). A few common passwords
  sprayed over many accounts, paced to stay under lockout. Needs the user name of each login attempt in the log (a basic-auth user or a gateway
  principal); where the log does not record it, this rule stays silent. A user name that logged in
  successfully from the same address within the window is not counted (a user who mistyped twice
  and then got in). OPTIONS preflights and authentication challenges are not attempts; private
  addresses are judged. One fast round over many user names is credential-stuffing; many tries on
  few user names is login-bruteforce.
message: >
  {{event_count}} failed logins from {{client_ip}} for {{distinct_principals}} distinct user names between
  {{first_seen}} and {{last_seen}}, in rounds: at least {{param.min_users}} accounts were tried again after a
  pause of {{param.min_round_gap}} or more. Someone is spraying common passwords slowly to dodge lockout:
  block the address, look for successful logins from it, and enforce MFA and a banned-password list.
remediation: >
  Block or challenge the address; check the accounts tried for successful logins (from it or elsewhere);
  reject common and breached passwords, enforce MFA, and alert on failures across many accounts rather
  than per account only.
references:
  - https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/
  - https://owasp.org/www-community/attacks/Password_Spraying_Attack
  - https://attack.mitre.org/techniques/T1110/003/
tags:
  owasp: [API2:2023]
  attack: [T1110.003]
falsepositives:
  - A shared address (office NAT, VPN egress) where several users each fail repeatedly over the window
    and never log in from it; allow-list it for this rule if expected.
  - A monitoring or test job that logs in with several expired test accounts on a schedule.
episode_gap: window
params:
  min_users:
    type: integer
    default: 5
    description: Distinct user names tried again (a later round) within one window.
  min_round_gap:
    type: interval
    default: 10 minutes
    description: A failure at least this long after the previous failure for the same user name starts a new round.
  max_attempts_per_user:
    type: number
    default: 5
    description: Average failed attempts per user name at most within the window.
  window:
    type: interval
    default: 2 hours
    description: Length of the sliding window.
*/
WITH failures AS (
  SELECT * FROM aa_named_login_failures($window)
),
rounds AS (
  SELECT *,
    coalesce(ts - lag(ts) OVER (PARTITION BY subject, principal ORDER BY ts) BETWEEN $min_round_gap AND $window, false) AS revisit
  FROM failures
),
counted AS (
  SELECT *,
    count(DISTINCT CASE WHEN revisit THEN principal END) OVER w >= $min_users
      -- "few tries each" is judged on the whole burst around the row, not only on what came before it
      AND count(*) OVER around <= $max_attempts_per_user * count(DISTINCT principal) OVER around AS qualifies
  FROM rounds
  WINDOW w AS (PARTITION BY subject_kind, subject ORDER BY ts RANGE BETWEEN $window PRECEDING AND CURRENT ROW),
         around AS (PARTITION BY subject_kind, subject ORDER BY ts RANGE BETWEEN $window PRECEDING AND $window FOLLOWING)
)
SELECT subject_kind, subject, file_id, line_no
FROM aa_window_members('counted', $window)
