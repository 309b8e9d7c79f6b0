/*
id: unauthenticated-success
title: Protected route answered 2xx without any credential
severity: high
description: >
  A request that carried no credential at all (no Authorization or API-key header, no token in the
  URL, no user name) got a 2xx answer on a path that is not public (public_paths in the config):
  broken or bypassed authentication. Judged only where the log records credentials: in a file in
  which no request carried an Authorization or API-key header, "no credential" cannot be told from
  "not logged", and the rule stays silent there. By default only routes the API itself shows to be
  protected are judged — the same method and route template (numeric and UUID segments normalised)
  refused another anonymous request with 401 or 403 somewhere in the scan (a 401 to a bad token
  proves nothing: many APIs reject an invalid token even on public routes); set judge_all_routes to
  judge every path that is not public. OPTIONS preflights, static assets and health checks are not
  judged; private addresses are.
message: >
  {{event_count}} request(s) without any credential got a 2xx answer on {{distinct_paths}} protected path(s)
  between {{first_seen}} and {{last_seen}} ({{details}}). The same routes refuse other anonymous requests, so
  something lets these through: find the bypass and fix the route's authentication, or add the route to
  public_paths if it is meant to be public.
remediation: >
  Compare the accepted anonymous requests with refused ones (method, path variant, headers, the client's
  address) to find the bypass; make authentication deny by default at the gateway and the service; review
  what the anonymous requests received.
references:
  - https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/
  - https://owasp.org/API-Security/editions/2023/en/0xa5-broken-function-level-authorization/
tags:
  owasp: [API2:2023, API5:2023]
  attack: [T1190, T1078]
falsepositives:
  - A route that is public for some requests and protected for others under the same method and
    template (add the public part to public_paths).
  - Authentication the log does not show (a session cookie, mutual TLS); log the principal, or list
    those paths in public_paths.
episode_gap: 1 hour
params:
  judge_all_routes:
    type: boolean
    default: false
    description: Judge every non-public path, not only routes seen refusing anonymous requests (401 or 403).
*/
WITH protected_routes AS (
  -- the API shows the route needs a credential: it refused an anonymous request with 401 or 403
  -- (API Gateway's 403 MISSING_AUTHENTICATION_TOKEN means "no such route" and proves nothing)
  SELECT DISTINCT CASE WHEN method = 'HEAD' THEN 'GET' ELSE method END AS method, route
  FROM scan_events
  WHERE credential_kind = 'none'
    AND principal IS NULL
    AND (status = 401 OR (status = 403 AND coalesce(auth_error, '') <> 'MISSING_AUTHENTICATION_TOKEN'))
)
SELECT e.subject_kind, e.subject, e.file_id, e.line_no, e.method || ' ' || e.route AS detail
FROM scan_events e
WHERE e.status BETWEEN 200 AND 299
  AND e.credential_kind = 'none'
  AND e.principal IS NULL
  AND e.logs_credential
  AND NOT e.is_public
  AND NOT e.is_static
  AND NOT e.is_health_path
  AND e.method IS DISTINCT FROM 'OPTIONS'
  AND ($judge_all_routes OR EXISTS (
        SELECT 1 FROM protected_routes p
        WHERE p.method IS NOT DISTINCT FROM (CASE WHEN e.method = 'HEAD' THEN 'GET' ELSE e.method END)
          AND p.route IS NOT DISTINCT FROM e.route))
