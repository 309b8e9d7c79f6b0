// The normalized store. Column names follow ECS where they read well (ECS name in the comment);
// the raw Authorization value, passwords and query-string secrets are never stored: only their
// SHA-256 fingerprint, the decoded JWT claims and the names of the parameters that carried them.
import { UserError } from '../errors.js';
import type { Database } from './database.js';

/** Bump when a table changes shape; a database file written with another version is refused. */
export const STORE_SCHEMA_VERSION = 1;

const DDL = `
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);

CREATE SEQUENCE IF NOT EXISTS file_id_seq START 1;

CREATE TABLE IF NOT EXISTS files (
  file_id     INTEGER PRIMARY KEY,
  path        VARCHAR NOT NULL,   -- as shown to the user (relative to the working directory when inside it)
  sha256      VARCHAR NOT NULL,   -- of the bytes as stored (compressed bytes for .gz)
  size        BIGINT NOT NULL,
  compression VARCHAR NOT NULL,   -- none | gzip
  log_type    VARCHAR NOT NULL,
  log_pattern VARCHAR,
  lines       BIGINT NOT NULL,    -- physical lines = events + rejected + skipped
  events      BIGINT NOT NULL,
  rejected    BIGINT NOT NULL,
  skipped     BIGINT NOT NULL,    -- blank lines, comments, format directives, header rows
  first_ts    TIMESTAMP,
  last_ts     TIMESTAMP,
  ingested_at TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS rejects (
  file_id INTEGER NOT NULL,
  line_no BIGINT NOT NULL,
  reason  VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS events (
  file_id                INTEGER NOT NULL,
  line_no                BIGINT NOT NULL,
  ts                     TIMESTAMP NOT NULL,  -- @timestamp, UTC
  client_ip              VARCHAR,             -- source.ip (the directly connected client)
  client_port            INTEGER,             -- source.port
  forwarded_for          VARCHAR,             -- http.request.header.x-forwarded-for, as logged
  method                 VARCHAR,             -- http.request.method
  scheme                 VARCHAR,             -- url.scheme: http | https; NULL when the log does not say
  host                   VARCHAR,             -- url.domain
  path                   VARCHAR,             -- url.path, without the query
  query                  VARCHAR,             -- url.query, secrets replaced by REDACTED
  http_version           VARCHAR,             -- http.version
  status                 SMALLINT,            -- http.response.status_code
  status_detail          VARCHAR,             -- sub-status / response details (IIS 401.2, Envoy rc details)
  bytes                  BIGINT,              -- http.response.body.bytes
  duration_ms            DOUBLE,              -- event.duration, in milliseconds
  user_agent             VARCHAR,             -- user_agent.original
  referrer               VARCHAR,             -- http.request.referrer, secrets redacted
  tls_version            VARCHAR,             -- tls.version
  auth_error             VARCHAR,             -- gateway authentication error (e.g. "Jwt is expired")
  credential_kind        VARCHAR NOT NULL,    -- bearer | basic | api-key | session | other | none
  credential_source      VARCHAR,             -- header | query | cookie | gateway
  credential_fingerprint VARCHAR,             -- sha256 hex of the token without its scheme word
  principal              VARCHAR,             -- user.name: basic-auth user, gateway principal or JWT sub
  jwt_alg                VARCHAR,
  jwt_sub                VARCHAR,
  jwt_iss                VARCHAR,
  jwt_jti                VARCHAR,
  jwt_exp                TIMESTAMP,
  jwt_iat                TIMESTAMP,
  secret_params          VARCHAR[],           -- names of URL parameters that carried a secret (value redacted)
  subject_kind           VARCHAR,             -- credential | principal | client_ip
  subject                VARCHAR              -- what findings are keyed on
);
`;

// Cron audits over a persistent database: files that grew or were compressed, and the findings'
// lifecycle. New tables only (CREATE … IF NOT EXISTS), so a database written before them opens and
// gains them.
const CRON_DDL = `
CREATE TABLE IF NOT EXISTS file_continuations (
  file_id           INTEGER NOT NULL,   -- the ingest of the lines a file gained (a log still being written)
  continues_file_id INTEGER NOT NULL,   -- the earlier ingest whose content is a prefix of this one's
  first_line        BIGINT NOT NULL     -- the first line this ingest read (its lines run first_line … + lines - 1)
);

-- the decompressed content of a compressed file: logrotate's .gz of a file ingested before holds
-- the same lines in other bytes (plain files: the content is files.sha256 / files.size)
CREATE TABLE IF NOT EXISTS file_contents (
  file_id        INTEGER NOT NULL,
  content_sha256 VARCHAR NOT NULL,
  content_size   BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS findings (
  id             VARCHAR NOT NULL,     -- hash of rule id, subject and episode start
  rule_id        VARCHAR NOT NULL,
  severity       VARCHAR NOT NULL,
  subject_kind   VARCHAR NOT NULL,
  subject        VARCHAR NOT NULL,     -- fingerprint, principal or client IP (never a credential)
  first_seen     TIMESTAMP NOT NULL,   -- the episode's first and last event, as last detected
  last_seen      TIMESTAMP NOT NULL,
  status         VARCHAR NOT NULL,     -- new | ongoing | resolved, as of the last run
  first_detected TIMESTAMP NOT NULL,   -- the run that first reported it
  last_detected  TIMESTAMP NOT NULL,   -- the last run that detected it
  resolved_at    TIMESTAMP,            -- the run that no longer detected it
  continued_by   VARCHAR,              -- the finding that carries this episode on past a --since cut
  finding        VARCHAR NOT NULL      -- the finding as last reported (JSON of redacted values only)
);
`;

export async function applySchema(db: Database): Promise<void> {
  await db.run(DDL);
  await db.run(CRON_DDL);
  const row = await db.one<{ value: string }>(`SELECT value FROM meta WHERE key = 'store_schema_version'`);
  if (!row) {
    await db.run(`INSERT INTO meta VALUES ('store_schema_version', $v)`, { v: String(STORE_SCHEMA_VERSION) });
  } else if (row.value !== String(STORE_SCHEMA_VERSION)) {
    throw new UserError(
      'database',
      `database ${db.path ?? ':memory:'} was written by another apiaudit store version (${row.value}, expected ${STORE_SCHEMA_VERSION})`,
    );
  }
}
