/*
id: weak-token
title: Weak JWT — unsigned, without expiry, or living too long
severity: medium
description: >
  A JWT (decoded at ingest, never verified) that is weak by construction: its header says alg
  "none" — unsigned, anyone can forge it; reported whether the API accepted or refused it, and
  which — or the API accepted it (2xx) although it has no valid exp claim, or its lifetime exp − iat
  (exp − first use when there is no iat) exceeds max_lifetime. A copied token is useful for as long
  as it lives. One finding per token; the evidence is its uses, the details say what is weak.
message: >
  A JWT used {{event_count}} time(s) between {{first_seen}} and {{last_seen}} is weak ({{details}}). An
  unsigned token can be forged by anyone and a long-lived one stays useful to whoever copies it: make the
  API reject unsigned tokens, issue tokens with exp and at most {{param.max_lifetime}} of life, and revoke this one.
remediation: >
  Pin the accepted signature algorithms in the API's JWT validation (never "none"); issue access tokens
  with an exp claim and a short lifetime, with refresh tokens for long sessions; revoke the token shown
  and find which issuer produced it.
references:
  - https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/
  - https://www.rfc-editor.org/rfc/rfc8725
  - https://cheatsheetseries.owasp.org/cheatsheets/JSON_Web_Token_for_Java_Cheat_Sheet.html
tags:
  owasp: [API2:2023, API8:2023]
  attack: [T1606, T1550.001]
falsepositives:
  - Tokens of a test or development issuer in the scanned logs.
  - A deliberately long-lived machine token (prefer a rotated API key or short tokens with refresh).
episode_gap: 3650 days
params:
  max_lifetime:
    type: interval
    default: 24 hours
    description: Longest acceptable JWT lifetime (exp − iat).
*/
WITH tokens AS (
  -- one row per token (a fingerprint has one set of claims)
  SELECT subject, any_value(jwt_alg) AS jwt_alg, any_value(jwt_exp) AS jwt_exp, any_value(jwt_iat) AS jwt_iat,
    bool_or(status BETWEEN 200 AND 299) AS accepted, min(ts) AS first_use
  FROM scan_events
  WHERE subject_kind = 'credential' AND jwt_alg IS NOT NULL
  GROUP BY subject
),
judged AS (
  SELECT *,
    jwt_exp - coalesce(jwt_iat, first_use) AS lifetime,
    CASE
      WHEN lower(jwt_alg) = 'none' THEN 'alg none (' || CASE WHEN accepted THEN 'accepted' ELSE 'refused' END || ' by the API)'
      WHEN NOT accepted THEN NULL
      WHEN jwt_exp IS NULL THEN 'no exp claim'
      WHEN jwt_exp - coalesce(jwt_iat, first_use) > $max_lifetime THEN 'lifetime'
    END AS weakness
  FROM tokens
),
weak AS (
  SELECT subject,
    CASE WHEN weakness <> 'lifetime' THEN weakness
         ELSE 'lifetime ' || CASE WHEN lifetime < INTERVAL 72 HOURS THEN round(epoch(lifetime) / 3600)::BIGINT || ' h'
                                  ELSE round(epoch(lifetime) / 86400)::BIGINT || ' days' END
              || CASE WHEN jwt_iat IS NULL THEN ' from first use to exp' ELSE ' from iat to exp' END
    END AS detail
  FROM judged
  WHERE weakness IS NOT NULL
)
-- every use of a weak token is evidence
SELECT e.subject_kind, e.subject, e.file_id, e.line_no, w.detail
FROM scan_events e
JOIN weak w ON w.subject = e.subject
WHERE e.subject_kind = 'credential'
