/*
id: sensitive-path-probing
title: Probing for sensitive or missing paths
severity: medium
description: >
  One subject requested, within any sliding window, at least min_paths distinct paths (by route
  template) that do not exist — 404, or 400 for a malformed request; static assets excluded — or
  that are sensitive whatever the answer (dotfiles, source control folders, backups and dumps,
  server and framework consoles: sensitive_paths, read from sensitive-paths.txt next to this rule),
  or at least min_sensitive distinct sensitive paths. The signals of CrowdSec's http-probing and
  http-sensitive-files, keyed on the credential, principal or address instead of the address only;
  private addresses are judged. A 403 on a path that is not sensitive is an authorization decision
  and belongs to forbidden-probing (CrowdSec counts it here), so a burst of refusals is reported
  once. A sensitive path answered 2xx is named in the details: its content may have leaked. Route
  templates keep an id walk (/api/Orders/1, /2, …) from counting as many paths: that is
  sequential-id-walk.
message: >
  {{event_count}} requests for {{distinct_paths}} distinct missing or sensitive paths between
  {{first_seen}} and {{last_seen}} ({{details}}). Someone is scanning for exposed files and consoles: block
  the source, and if a sensitive path was answered 2xx, remove what it served and rotate the secrets in it.
remediation: >
  Block or rate-limit the source; check every sensitive path that was answered 2xx and remove the file or
  close the console, rotating any secret it exposed; keep dotfiles, backups and admin consoles off the
  servers that face the API's clients.
references:
  - https://owasp.org/API-Security/editions/2023/en/0xa8-security-misconfiguration/
  - https://owasp.org/API-Security/editions/2023/en/0xa9-improper-inventory-management/
  - https://github.com/crowdsecurity/hub/blob/master/scenarios/crowdsecurity/http-probing.yaml
tags:
  owasp: [API8:2023, API9:2023]
  attack: [T1595.003, T1083]
falsepositives:
  - A broken client or an outdated app version requesting many removed routes (404).
  - An authorised vulnerability scan (allow-list its address for this rule in the config).
episode_gap: window
params:
  min_paths:
    type: integer
    default: 10
    description: Distinct missing or sensitive route templates within one window.
  min_sensitive:
    type: integer
    default: 3
    description: Distinct sensitive paths within one window, whatever the answers.
  window:
    type: interval
    default: 10 minutes
    description: Length of the sliding window.
  sensitive_paths:
    type: string_list
    default_file: sensitive-paths.txt
    description: Globs of sensitive paths (case-insensitive, * matches anything).
*/
WITH sensitive AS (
  -- each distinct path is matched once, against one regular expression made of the whole list
  SELECT path
  FROM (SELECT DISTINCT path FROM scan_events WHERE path IS NOT NULL)
  WHERE regexp_full_match(path, aa_globs_regex($sensitive_paths))
),
probes AS (
  SELECT e.subject_kind, e.subject, e.file_id, e.line_no, e.ts, e.route, e.status, s.path IS NOT NULL AS is_sensitive
  FROM scan_events e
  LEFT JOIN sensitive s ON s.path = e.path
  WHERE e.method IS DISTINCT FROM 'OPTIONS'
    AND (s.path IS NOT NULL OR (e.status IN (400, 404) AND NOT e.is_static))
),
-- only a subject with enough distinct probes over the whole scan can reach a threshold in a window
candidates AS (
  SELECT subject_kind, subject FROM probes GROUP BY ALL
  HAVING count(DISTINCT route) >= least($min_paths, $min_sensitive)
),
counted AS (
  SELECT *,
    count(DISTINCT route) OVER w >= $min_paths
      OR count(DISTINCT CASE WHEN is_sensitive THEN route END) OVER w >= $min_sensitive AS qualifies
  FROM probes SEMI JOIN candidates USING (subject_kind, subject)
  WINDOW w AS (PARTITION BY subject_kind, subject ORDER BY ts RANGE BETWEEN $window PRECEDING AND CURRENT ROW)
)
SELECT subject_kind, subject, file_id, line_no,
  CASE WHEN is_sensitive AND status BETWEEN 200 AND 299 THEN 'sensitive path answered ' || status
       WHEN is_sensitive THEN 'sensitive path'
       ELSE 'answered ' || status END AS detail
FROM aa_window_members('counted', $window)
