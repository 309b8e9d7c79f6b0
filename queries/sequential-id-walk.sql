/*
id: sequential-id-walk
title: Object ids walked in sequence (BOLA enumeration)
severity: high
description: >
  One subject requested at least min_ids different ids of one route template (same method; numeric
  and UUID path segments normalised, e.g. GET /api/Orders/{id}) that form a near-sequence — sorted,
  each id at most max_step above the previous one — within one session (no pause longer than
  max_pause between its requests to that route), whatever the answers were. Walking ids is how
  broken object-level authorization (BOLA) is found and exploited: 2xx answers mean other users'
  objects may have been read, 403 and 404 mean someone looked. The id is the last numeric segment of
  the path. OPTIONS preflights and static assets are not counted; private addresses are judged.
message: >
  {{event_count}} requests walked the ids of one route in sequence between {{first_seen}} and {{last_seen}}
  ({{details}}). This is how other users' objects are enumerated: check which requests got 2xx and whether
  those objects belonged to the caller, enforce object-level authorization, and prefer unguessable ids.
remediation: >
  Review the 2xx answers in the evidence for objects the subject does not own; enforce an ownership
  check on every object access; use random (UUID) ids for objects reachable by clients; rate-limit
  per credential; suspend the credential if the walk was not a known tool.
references:
  - https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/
  - https://cheatsheetseries.owasp.org/cheatsheets/Insecure_Direct_Object_Reference_Prevention_Cheat_Sheet.html
tags:
  owasp: [API1:2023]
  attack: [T1595, T1213]
falsepositives:
  - A client that fetches every item of a list page one by one when the items have consecutive ids.
  - Staff working through a queue of tickets or orders in id order, or an export or sync job.
episode_gap: max_pause
params:
  min_ids:
    type: integer
    default: 10
    description: Distinct ids in one near-sequence.
  max_step:
    type: integer
    default: 2
    description: Largest gap between consecutive ids of a sequence (1 = strictly consecutive).
  max_pause:
    type: interval
    default: 10 minutes
    description: A longer pause between requests to the route starts a new session.
*/
WITH requests AS (
  SELECT subject_kind, subject, file_id, line_no, ts, method, route, aa_last_id(path) AS object_id
  FROM scan_events
  WHERE method IS DISTINCT FROM 'OPTIONS' AND NOT is_static AND contains(route, '{id}')
),
-- only a route on which the subject requested enough different ids can hold a walk
candidates AS (
  SELECT subject_kind, subject, method, route
  FROM requests
  GROUP BY ALL
  HAVING count(DISTINCT object_id) >= $min_ids
),
gaps AS (
  SELECT *,
    CASE WHEN ts - lag(ts) OVER (PARTITION BY subject_kind, subject, method, route ORDER BY ts, file_id, line_no) > $max_pause
         THEN 1 ELSE 0 END AS new_session
  FROM requests SEMI JOIN candidates USING (subject_kind, subject, method, route)
  WHERE object_id IS NOT NULL
),
sessions AS (
  SELECT *,
    sum(new_session) OVER (PARTITION BY subject_kind, subject, method, route ORDER BY ts, file_id, line_no
                           ROWS UNBOUNDED PRECEDING) AS session
  FROM gaps
),
ids AS (
  -- the distinct ids of a session in id order; a step larger than max_step starts a new run
  SELECT *,
    CASE WHEN object_id - lag(object_id) OVER (PARTITION BY subject_kind, subject, method, route, session ORDER BY object_id) <= $max_step
         THEN 0 ELSE 1 END AS new_run
  FROM (SELECT DISTINCT subject_kind, subject, method, route, session, object_id FROM sessions)
),
runs AS (
  SELECT *,
    sum(new_run) OVER (PARTITION BY subject_kind, subject, method, route, session ORDER BY object_id
                       ROWS UNBOUNDED PRECEDING) AS run
  FROM ids
),
walks AS (
  SELECT subject_kind, subject, method, route, session, run, min(object_id) AS low, max(object_id) AS high
  FROM runs
  GROUP BY ALL
  HAVING count(*) >= $min_ids
)
SELECT s.subject_kind, s.subject, s.file_id, s.line_no,
  s.method || ' ' || s.route || ' ids ' || w.low || '–' || w.high AS detail
FROM sessions s
JOIN runs r USING (subject_kind, subject, method, route, session, object_id)
JOIN walks w USING (subject_kind, subject, method, route, session, run)
