/*
id: token-sharing
title: One token used from several networks or clients at once
severity: high
description: >
  One credential (a bearer token or API key, by fingerprint) used within any sliding window of the
  given length from at least min_networks client networks (/16 for IPv4, /48 for IPv6), or by at
  least min_user_agents different user agents. A token belongs to one client; seen from several
  places at once it was shared, copied or stolen and replayed. Judged per token, never per user: a
  person on a laptop and a phone holds two tokens, and many users behind one office address each
  hold their own, so neither fires. Addresses within one /16 or /48 (a mobile carrier, IPv6 privacy
  addresses, an office with several egress IPs) count as one network; private ranges are networks
  like any other.
message: >
  One token was used {{event_count}} time(s) from {{distinct_client_ips}} address(es) in these networks:
  {{details}}, by {{distinct_user_agents}} user agent(s), between {{first_seen}} and {{last_seen}} (threshold
  {{param.min_networks}} networks or {{param.min_user_agents}} user agents within {{param.window}}). A token
  belongs to one client: find out who else holds it, revoke it, and bind tokens to their client.
remediation: >
  Ask the token's owner which of the addresses and clients are theirs; revoke the token and its refresh
  token if any is not; keep token lifetimes short and bind tokens to the client (DPoP, mutual-TLS-bound
  tokens); give every script and service its own credential instead of a shared one.
references:
  - https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/
  - https://www.rfc-editor.org/rfc/rfc9449
  - https://attack.mitre.org/techniques/T1550/001/
tags:
  owasp: [API2:2023]
  attack: [T1550.001, T1528]
falsepositives:
  - A client whose traffic leaves through several cloud regions or VPN exits within the window.
  - A token deliberately shared by several scripts or team members (still worth replacing with one
    credential per client).
episode_gap: window
params:
  min_networks:
    type: integer
    default: 3
    description: Distinct client networks (/16 IPv4, /48 IPv6) of one token within one window.
  min_user_agents:
    type: integer
    default: 3
    description: Distinct user agents of one token within one window.
  window:
    type: interval
    default: 1 hour
    description: Length of the sliding window.
*/
WITH uses AS (
  SELECT subject_kind, subject, file_id, line_no, ts, network, user_agent
  FROM scan_events
  WHERE subject_kind = 'credential' AND credential_kind IN ('bearer', 'api-key')
),
-- only a token seen from enough networks or user agents over the whole scan can reach the threshold
-- within a window; the sliding count runs on those alone
candidates AS (
  SELECT subject FROM uses GROUP BY subject
  HAVING count(DISTINCT network) >= $min_networks OR count(DISTINCT user_agent) >= $min_user_agents
),
counted AS (
  SELECT *,
    count(DISTINCT network) OVER w >= $min_networks OR count(DISTINCT user_agent) OVER w >= $min_user_agents AS qualifies
  FROM uses SEMI JOIN candidates USING (subject)
  WINDOW w AS (PARTITION BY subject_kind, subject ORDER BY ts RANGE BETWEEN $window PRECEDING AND CURRENT ROW)
)
SELECT subject_kind, subject, file_id, line_no, network AS detail
FROM aa_window_members('counted', $window)
