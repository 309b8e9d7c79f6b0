/*
id: forbidden-probing
title: 403 probing across many resources
severity: high
description: >
  One subject was refused (403) on at least min_distinct distinct paths within any sliding window.
  A valid credential walking resources or functions it has no right to is how broken object- and
  function-level authorization (BOLA/BFLA) is found and exploited.
message: >
  {{event_count}} responses 403 on {{distinct_paths}} distinct paths between {{first_seen}} and {{last_seen}}
  (threshold {{param.min_distinct}} within {{param.window}}). The caller is enumerating resources it may not
  access: review what it reached with 2xx in the same period, and suspend the credential if it is not
  a known tool.
remediation: >
  Check the subject's successful requests in the same period for data it should not have seen;
  suspend or rotate the credential; make sure object-level checks deny by default.
references:
  - https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/
  - https://owasp.org/API-Security/editions/2023/en/0xa5-broken-function-level-authorization/
tags:
  owasp: [API1:2023, API5:2023]
  attack: [T1595, T1083]
falsepositives:
  - A UI that prefetches many resources the user cannot see; a permissions test suite.
episode_gap: window
params:
  min_distinct:
    type: integer
    default: 10
    description: Distinct paths answered 403 needed within one window.
  window:
    type: interval
    default: 60 minutes
    description: Length of the sliding window.
*/
WITH refused AS (
  SELECT subject_kind, subject, file_id, line_no, ts, path
  FROM scan_events
  WHERE status = 403
    AND method IS DISTINCT FROM 'OPTIONS'
    -- API Gateway answers unknown routes with 403 MISSING_AUTHENTICATION_TOKEN: not an authorization decision
    AND coalesce(auth_error, '') <> 'MISSING_AUTHENTICATION_TOKEN'
),
counted AS (
  SELECT *,
    count(DISTINCT path) OVER (PARTITION BY subject_kind, subject ORDER BY ts
                               RANGE BETWEEN $window PRECEDING AND CURRENT ROW) >= $min_distinct AS qualifies
  FROM refused
)
SELECT subject_kind, subject, file_id, line_no
FROM aa_window_members('counted', $window)
