/*
id: plain-http
title: Credentials or protected data over plain HTTP
severity: high
description: >
  Requests that reached the API over http:// instead of https:// and either carried a credential
  (bearer token, basic auth, API key, a token in the URL), posted to the login route (the password
  travels in the body), or got a 2xx answer from a path that is not public. Anyone on the network
  path can read and replay what was sent. An anonymous request answered with a redirect to https is
  the correct behaviour and does not count.
message: >
  {{event_count}} request(s) went over plain HTTP between {{first_seen}} and {{last_seen}} ({{details}}).
  Whatever they carried can be read and replayed on the network path: refuse or redirect http on this
  host (HSTS), and rotate any credential that was sent.
remediation: >
  Terminate TLS for every API host and answer http:// only with a redirect (or not at all); send
  Strict-Transport-Security; fix the client that called over http; revoke and reissue the credentials
  seen in the evidence.
references:
  - https://owasp.org/API-Security/editions/2023/en/0xa8-security-misconfiguration/
  - https://cheatsheetseries.owasp.org/cheatsheets/Transport_Layer_Security_Cheat_Sheet.html
tags:
  owasp: [API8:2023, API2:2023]
  attack: [T1040, T1557]
falsepositives:
  - TLS terminated at a load balancer in front of a server that logs the inner http hop; log the
    original scheme (X-Forwarded-Proto) instead.
episode_gap: 1 hour
*/
-- Only events whose log says the scheme are judged: scheme IS NULL never matches.
SELECT
  subject_kind, subject, file_id, line_no,
  CASE
    WHEN credential_kind <> 'none' THEN credential_kind || ' credential sent over http'
    WHEN is_login AND method = 'POST' THEN 'login posted over http'
    ELSE 'protected path answered ' || status || ' over http'
  END AS detail
FROM scan_events
WHERE scheme = 'http'
  AND (
    credential_kind <> 'none'
    OR (is_login AND method = 'POST')
    OR (status BETWEEN 200 AND 299 AND NOT is_public)
  )
