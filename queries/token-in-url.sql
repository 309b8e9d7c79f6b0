/*
id: token-in-url
title: Token, key or password sent in the URL
severity: medium
description: >
  Requests that carried a secret in the URL: a query parameter named like a credential
  (access_token, token, jwt, api_key, apikey, key, password, secret, …) or any JWT-shaped value, in
  the query or in the path. URLs are written to proxy, CDN and server logs, kept in browser history
  and sent onwards in Referer headers, so the secret leaks to everyone who can read those. apiaudit
  keeps only the parameter's name (the value is redacted at ingest, and a token in the URL is
  fingerprinted like one in a header): the evidence names the parameter, never its value. Names
  listed in ignore_params are not reported.
message: >
  {{event_count}} request(s) between {{first_seen}} and {{last_seen}} carried a secret in the URL ({{details}}).
  URLs are logged, cached and forwarded in Referer headers, so treat the secret as exposed: rotate it and
  make the client send it in the Authorization header instead.
remediation: >
  Rotate the credentials that appeared in URLs; change the client to send them in the Authorization (or
  an API-key) header; make the API refuse credentials in the query string; scrub the secrets from the logs
  of every proxy and server on the way.
references:
  - https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/
  - https://www.rfc-editor.org/rfc/rfc6750#section-5.3
  - https://cwe.mitre.org/data/definitions/598.html
tags:
  owasp: [API2:2023, API8:2023]
  attack: [T1552, T1550.001]
falsepositives:
  - A parameter named like a credential that is not one (a sort key, a cache key); list its name in
    ignore_params.
  - A deliberately short-lived, single-use token in a download link (still leaks to logs; keep it short-lived).
episode_gap: 1 day
params:
  ignore_params:
    type: string_list
    default: []
    description: Parameter names (case-insensitive) that are not credentials in your API.
*/
WITH named AS (
  SELECT subject_kind, subject, file_id, line_no,
    list_filter(secret_params, n -> NOT list_contains(list_transform($ignore_params, p -> lower(p)), lower(n))) AS names
  FROM scan_events
  WHERE secret_params IS NOT NULL
)
SELECT subject_kind, subject, file_id, line_no,
  array_to_string(list_transform(list_sort(names), n -> CASE WHEN n = '(path)' THEN 'a JWT in the path' ELSE 'parameter ' || n END), ' and ') AS detail
FROM named
WHERE len(names) > 0
