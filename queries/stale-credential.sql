/*
id: stale-credential
title: Credential in use longer than the rotation policy
severity: medium
description: >
  One credential — a bearer token, an API key or a basic-auth password, by fingerprint — still
  accepted (2xx) more than max_age after it was issued (the JWT's iat) or, without iat, after it was
  first seen in the scan. Long-lived secrets collect copies in scripts, CI variables and laptops;
  rotation bounds how long a leaked copy keeps working. The evidence is the accepted uses past
  max_age; the details say since when the credential has been in use. Without iat the age can only
  be as long as the scanned logs: scan enough history. Credentials that change with every request
  (Digest, signed requests) cannot go stale and are not judged.
message: >
  A credential was still accepted {{event_count}} time(s) between {{first_seen}} and {{last_seen}}, more than
  {{param.max_age}} after it was issued or first seen ({{details}}). The longer a secret lives the more copies
  of it exist: rotate it, and give this kind of credential an expiry or a rotation schedule.
remediation: >
  Issue the client a new credential and revoke this one; enforce a maximum age (API-key expiry, rotation of
  service-account passwords, short JWT lifetimes with refresh tokens); find every place the old secret was
  stored.
references:
  - https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/
  - https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html
tags:
  owasp: [API2:2023]
  attack: [T1078, T1552]
falsepositives:
  - A credential whose rotation period is longer by design (raise max_age for this rule in the config).
episode_gap: 3650 days
params:
  max_age:
    type: interval
    default: 30 days
    description: Longest a credential may stay in use, from iat or its first use.
*/
WITH credentials AS (
  SELECT credential_fingerprint,
    min(jwt_iat) AS issued,
    min(ts) AS first_use,
    max(ts) FILTER (WHERE status BETWEEN 200 AND 299) AS last_accepted
  FROM scan_events
  WHERE credential_fingerprint IS NOT NULL AND credential_kind IN ('bearer', 'api-key', 'basic')
  GROUP BY credential_fingerprint
),
stale AS (
  SELECT credential_fingerprint, since, last_accepted,
    'accepted for ' || date_diff('day', since, last_accepted) || ' days since '
      || CASE WHEN issued IS NOT NULL AND issued <= first_use THEN 'issued on ' ELSE 'first seen on ' END
      || strftime(since, '%Y-%m-%d') AS detail
  FROM (SELECT *, least(coalesce(issued, first_use), first_use) AS since FROM credentials)
  WHERE last_accepted - since > $max_age
)
-- the accepted uses past the policy are the evidence
SELECT 'credential' AS subject_kind, e.credential_fingerprint AS subject, e.file_id, e.line_no, s.detail
FROM scan_events e
JOIN stale s ON s.credential_fingerprint = e.credential_fingerprint
WHERE e.status BETWEEN 200 AND 299 AND e.ts - s.since > $max_age
