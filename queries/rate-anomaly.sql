/*
id: rate-anomaly
title: Request rate far above the subject's own normal
severity: medium
description: >
  A subject whose requests in one clock hour (UTC) reach the absolute floor min_requests and also
  exceed its own median + k × MAD (median absolute deviation) of requests per hour over the scan, and
  at least min_ratio times that median. Hours of the scan in which the subject sent nothing count as
  0, so a scraper or a runaway client that appears for one busy hour stands out, and a steady
  integration that is always busy does not. OPTIONS preflights, static assets and health checks or
  monitors (monitors in the config) are not counted; private addresses are judged. The floor keeps
  quiet subjects quiet: a user who sends 40 requests instead of 4 is not an anomaly worth a finding.
message: >
  {{event_count}} requests between {{first_seen}} and {{last_seen}} ({{details}}): far above this subject's
  normal rate. A scraper, a runaway client or a stolen credential drives traffic like this: find the client,
  rate-limit the credential, and revoke it if the traffic is not its owner's.
remediation: >
  Identify the client from the evidence (addresses, user agent); if it is yours, fix its retry or polling
  loop; otherwise rate-limit or revoke the credential and block the source; set per-credential rate
  limits and quotas at the gateway.
references:
  - https://owasp.org/API-Security/editions/2023/en/0xa4-unrestricted-resource-consumption/
  - https://owasp.org/API-Security/editions/2023/en/0xa6-unrestricted-access-to-sensitive-business-flows/
tags:
  owasp: [API4:2023, API6:2023]
  attack: [T1119, T1499.003]
falsepositives:
  - A batch job or sync that runs once a day for an hour (it has no busy baseline in a one-day scan);
    allow-list its credential for this rule or raise min_requests.
  - A load test (allow-list its address or credential for this rule).
episode_gap: 1 hour
params:
  min_requests:
    type: integer
    default: 600
    description: Absolute floor of requests in one hour (10 a minute for an hour).
  k:
    type: number
    default: 10
    description: How many MADs above the subject's median hourly count an hour must be.
  min_ratio:
    type: number
    default: 3
    description: How many times the subject's median hourly count an hour must at least be.
*/
WITH counted_events AS (
  SELECT subject_kind, subject, file_id, line_no, ts, epoch_us(ts) // 3600000000 AS hour
  FROM scan_events
  WHERE method IS DISTINCT FROM 'OPTIONS' AND NOT is_static AND NOT is_monitor
),
hourly AS (
  SELECT subject_kind, subject, hour, count(*) AS requests
  FROM counted_events
  GROUP BY ALL
),
scan_hours AS (
  SELECT unnest(range(min(hour), max(hour) + 1)) AS hour FROM counted_events
),
-- only subjects with an hour over the floor need a baseline: every hour of the scan, 0 when idle
baseline AS (
  SELECT c.subject_kind, c.subject,
    median(coalesce(h.requests, 0)::DOUBLE) AS median_requests,
    mad(coalesce(h.requests, 0)::DOUBLE) AS mad_requests
  FROM (SELECT DISTINCT subject_kind, subject FROM hourly WHERE requests >= $min_requests) AS c
  CROSS JOIN scan_hours s
  LEFT JOIN hourly h ON h.subject_kind = c.subject_kind AND h.subject = c.subject AND h.hour = s.hour
  GROUP BY ALL
),
anomalous AS (
  SELECT h.*, b.median_requests
  FROM hourly h JOIN baseline b USING (subject_kind, subject)
  WHERE h.requests >= $min_requests
    AND h.requests > b.median_requests + $k * b.mad_requests
    AND h.requests >= $min_ratio * b.median_requests
)
SELECT e.subject_kind, e.subject, e.file_id, e.line_no,
  a.requests || ' requests in the hour from ' || strftime(make_timestamp(a.hour * 3600000000), '%Y-%m-%d %H:00')
    || ' UTC against a median of ' || round(a.median_requests)::BIGINT || ' an hour' AS detail
FROM counted_events e
JOIN anomalous a USING (subject_kind, subject, hour)
