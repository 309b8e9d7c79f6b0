// SQL macros of the rules layer, installed before rules run (and before the sandbox is locked).
// Shipped and user rules may call them; README "Writing a rule" documents them.
import type { Database } from '../store/index.js';

/** File extensions of static assets: never probes, scrapes or protected resources (CrowdSec static_ressource). */
export const STATIC_EXTENSIONS = [
  'css', 'js', 'mjs', 'map', 'png', 'jpg', 'jpeg', 'gif', 'svg', 'ico', 'webp', 'avif', 'bmp',
  'woff', 'woff2', 'ttf', 'otf', 'eot', 'mp4', 'webm', 'mp3',
];

const UUID_RE = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

const MACROS = String.raw`
-- aa_window_members(rel, win): the rows of the relation named rel (a CTE or table) that lie inside
-- some sliding window of length win whose last row has qualifies = true. rel needs the columns
-- subject_kind, subject, ts and qualifies. Count per window with
--   count(...) OVER (PARTITION BY subject_kind, subject ORDER BY ts RANGE BETWEEN win PRECEDING AND CURRENT ROW)
-- and set qualifies from it; this returns every row of every window that reached the threshold,
-- not just the row that crossed it (so the evidence is the whole burst).
CREATE OR REPLACE TEMP MACRO aa_window_members(rel, win) AS TABLE
  SELECT * EXCLUDE (aa_qualifying_end)
  FROM (
    SELECT *,
      max(CASE WHEN qualifies THEN ts END)
        OVER (PARTITION BY subject_kind, subject ORDER BY ts RANGE BETWEEN CURRENT ROW AND win FOLLOWING) AS aa_qualifying_end
    FROM query_table(rel)
  )
  WHERE aa_qualifying_end IS NOT NULL;

-- aa_most_frequent(histogram(x)): the most frequent non-null x of a group, the first in sort order
-- on a tie (mode(x) picks any of the tied values, so a report could change from run to run).
CREATE OR REPLACE TEMP MACRO aa_most_frequent(h) AS
  (list_sort(list_transform(map_entries(h), lambda e: {'n': -e.value, 'v': e.key}))[1]).v;

-- aa_route(path): the route template: matrix parameters (;…) are dropped from each segment, then
-- numeric segments become {id} and UUID segments {uuid} (/api/Orders/1001;x=1/items → /api/Orders/{id}/items).
CREATE OR REPLACE TEMP MACRO aa_route(p) AS
  CASE WHEN p IS NULL THEN NULL
       WHEN NOT regexp_matches(p, '/[0-9]|/[0-9a-fA-F]{8}-|;') THEN p
       ELSE array_to_string(list_transform(list_transform(string_split(p, '/'), s -> regexp_replace(s, ';.*$', '')), s ->
              CASE WHEN regexp_full_match(s, '[0-9]+') THEN '{id}'
                   WHEN regexp_full_match(s, '${UUID_RE}') THEN '{uuid}'
                   ELSE s END), '/')
  END;

-- aa_last_id(path): the value of the last numeric path segment, as BIGINT (NULL if none).
CREATE OR REPLACE TEMP MACRO aa_last_id(p) AS
  TRY_CAST(nullif(regexp_extract(p, '^.*/([0-9]{1,18})(/|$)', 1), '') AS BIGINT);

-- aa_is_static(path): the last segment is a file name with a static-asset extension (a matrix
-- parameter such as /api/Orders/10;.css is not a file name: it is how caches and filters are fooled).
CREATE OR REPLACE TEMP MACRO aa_is_static(p) AS
  coalesce(regexp_matches(lower(p), '/[^/;]*\.(${STATIC_EXTENSIONS.join('|')})$'), false);

-- aa_globs_regex(globs): one case-insensitive regular expression for a list of globs (* matches
-- anything), for regexp_full_match(path, aa_globs_regex($list)). Built from a param it is constant,
-- so it is compiled once: far faster than one ILIKE per glob and row.
CREATE OR REPLACE TEMP MACRO aa_globs_regex(globs) AS
  '(?i)(' || array_to_string(list_transform(globs, g -> replace(regexp_escape(g), '\*', '.*')), '|') || ')';

-- aa_ip_bits(ip): '4:' or '6:' followed by the address as a string of 32 or 128 bits; NULL when
-- ip is not an address. IPv4-mapped IPv6 (::ffff:a.b.c.d) is IPv4.
CREATE OR REPLACE TEMP MACRO aa_ip4_int(ip) AS
  CASE WHEN regexp_full_match(ip, '[0-9]{1,3}(\.[0-9]{1,3}){3}') THEN
    TRY_CAST(split_part(ip, '.', 1) AS UTINYINT)::BIGINT * 16777216 + TRY_CAST(split_part(ip, '.', 2) AS UTINYINT)::BIGINT * 65536
      + TRY_CAST(split_part(ip, '.', 3) AS UTINYINT)::BIGINT * 256 + TRY_CAST(split_part(ip, '.', 4) AS UTINYINT)::BIGINT
  END;

CREATE OR REPLACE TEMP MACRO aa_ip6_groups(ip) AS
  CASE WHEN contains(ip, '::') THEN
    list_concat(
      list_filter(string_split(split_part(ip, '::', 1), ':'), g -> g <> ''),
      list_transform(range(8 - len(list_filter(string_split(split_part(ip, '::', 1), ':'), g -> g <> ''))
                             - len(list_filter(string_split(split_part(ip, '::', 2), ':'), g -> g <> ''))), z -> '0'),
      list_filter(string_split(split_part(ip, '::', 2), ':'), g -> g <> ''))
  ELSE string_split(ip, ':') END;

CREATE OR REPLACE TEMP MACRO aa_ip_clean(address) AS lower(regexp_replace(trim(address), '%.*$', ''));

CREATE OR REPLACE TEMP MACRO aa_ip_bits_clean(ip) AS
  CASE
    WHEN ip IS NULL THEN NULL
    WHEN regexp_full_match(ip, '(::ffff:)?[0-9]{1,3}(\.[0-9]{1,3}){3}') THEN
      '4:' || lpad(bin(aa_ip4_int(regexp_replace(ip, '^::ffff:', ''))), 32, '0')
    WHEN regexp_full_match(ip, '[0-9a-f:]+') AND contains(ip, ':') AND NOT regexp_matches(ip, '::.*::') AND len(aa_ip6_groups(ip)) = 8
         AND list_bool_and(list_transform(aa_ip6_groups(ip), g -> length(g) BETWEEN 1 AND 4)) THEN
      '6:' || list_aggregate(list_transform(aa_ip6_groups(ip), g -> lpad(bin(TRY_CAST('0x' || g AS USMALLINT)), 16, '0')), 'string_agg', '')
  END;

CREATE OR REPLACE TEMP MACRO aa_ip_bits(address) AS aa_ip_bits_clean(aa_ip_clean(address));

-- aa_network(ip): the client's network, /16 for IPv4 and /48 for IPv6 ('198.51.0.0/16',
-- '2001:db8:1::/48'); the address itself when it cannot be parsed. IPv4 takes one regular
-- expression (logs can hold a million distinct addresses); only IPv6 is expanded.
CREATE OR REPLACE TEMP MACRO aa_network(address) AS
  CASE WHEN address IS NULL THEN NULL
       WHEN regexp_full_match(address, '(::ffff:)?[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}') THEN
         regexp_extract(address, '([0-9]{1,3}\.[0-9]{1,3})\.[0-9]{1,3}\.[0-9]{1,3}$', 1) || '.0.0/16'
       WHEN contains(address, ':') AND starts_with(aa_ip_bits(address), '6:') THEN
         array_to_string(list_transform(aa_ip6_groups(aa_ip_clean(address))[1:3],
                                        g -> ltrim(g, '0') || CASE WHEN ltrim(g, '0') = '' THEN '0' ELSE '' END), ':') || '::/48'
       ELSE address
  END;
`;

/** Macros over the scan_events view: installed once it exists (they read it as each rule sees it). */
const SCAN_MACROS = String.raw`
-- aa_named_login_failures(win): failed logins whose user name is in the log, keyed on the client
-- address (subject_kind 'client_ip', subject = client_ip; columns principal, file_id, line_no, ts).
-- A failure is a 401/403 on a login route that is not an OPTIONS preflight or an authentication
-- challenge. User names that logged in successfully from the same address within win before or
-- after are left out: people mistype behind a shared address and then get in.
CREATE OR REPLACE TEMP MACRO aa_named_login_failures(win) AS TABLE
  SELECT 'client_ip' AS subject_kind, client_ip AS subject, principal, file_id, line_no, ts
  FROM (
    SELECT *,
      bool_or(status BETWEEN 200 AND 299) OVER (PARTITION BY client_ip, principal ORDER BY ts
                                                RANGE BETWEEN win PRECEDING AND win FOLLOWING) AS aa_user_got_in
    FROM scan_events
    WHERE is_login AND method IS DISTINCT FROM 'OPTIONS' AND principal IS NOT NULL AND client_ip IS NOT NULL
  )
  WHERE status IN (401, 403) AND NOT is_auth_challenge AND NOT aa_user_got_in;
`;

export async function installRuleMacros(db: Database): Promise<void> {
  await db.run(MACROS);
}

export async function installScanMacros(db: Database): Promise<void> {
  await db.run(SCAN_MACROS);
}
