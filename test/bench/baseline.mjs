// The baseline: DuckDB alone parsing the same file into a typed table, in its fastest dialect
// (what a hand-written one-off query would do), in its own process like apiaudit.
// Usage: node baseline.mjs <log-type> <file>
import { DuckDBInstance } from '@duckdb/node-api';

const BASELINES = {
  // nginx combined through the CSV reader: space-delimited, "-quoted; the time spans two columns.
  nginx: `CREATE TABLE parsed AS
    SELECT ip, remote_user, strptime(t1 || ' ' || t2, '[%d/%b/%Y:%H:%M:%S %z]')::TIMESTAMP AS ts,
           request, status, bytes, referer, user_agent
    FROM read_csv($path, delim = ' ', quote = '"', escape = '', header = false, auto_detect = false,
      columns = {'ip': 'VARCHAR', 'ident': 'VARCHAR', 'remote_user': 'VARCHAR', 't1': 'VARCHAR', 't2': 'VARCHAR',
                 'request': 'VARCHAR', 'status': 'SMALLINT', 'bytes': 'BIGINT', 'referer': 'VARCHAR', 'user_agent': 'VARCHAR'})`,
  // nginx escape=json lines through the JSON reader, the keys typed as DuckDB would be asked to
  'nginx-json': `CREATE TABLE parsed AS
    SELECT time_iso8601::TIMESTAMPTZ::TIMESTAMP AS ts, remote_addr, remote_user, request_method, request_uri, scheme, host,
           status::SMALLINT AS status, body_bytes_sent::BIGINT AS bytes, request_time::DOUBLE AS request_time, http_referer, http_user_agent
    FROM read_json($path, format = 'newline_delimited', columns = {
      'time_iso8601': 'VARCHAR', 'remote_addr': 'VARCHAR', 'remote_user': 'VARCHAR', 'request_method': 'VARCHAR', 'request_uri': 'VARCHAR',
      'scheme': 'VARCHAR', 'host': 'VARCHAR', 'status': 'VARCHAR', 'body_bytes_sent': 'VARCHAR', 'request_time': 'VARCHAR',
      'http_referer': 'VARCHAR', 'http_user_agent': 'VARCHAR'})`,
  // IIS W3C through the CSV reader: space-delimited, # directives skipped as comments
  iis: `CREATE TABLE parsed AS
    SELECT (d || ' ' || t)::TIMESTAMP AS ts, s_ip, method, stem, query, port, username, c_ip, user_agent, referer, status, substatus, win32, time_taken
    FROM read_csv($path, delim = ' ', quote = '', escape = '', header = false, auto_detect = false, comment = '#',
      columns = {'d': 'VARCHAR', 't': 'VARCHAR', 's_ip': 'VARCHAR', 'method': 'VARCHAR', 'stem': 'VARCHAR', 'query': 'VARCHAR',
                 'port': 'INTEGER', 'username': 'VARCHAR', 'c_ip': 'VARCHAR', 'user_agent': 'VARCHAR', 'referer': 'VARCHAR',
                 'status': 'SMALLINT', 'substatus': 'INTEGER', 'win32': 'BIGINT', 'time_taken': 'INTEGER'})`,
};

const [logType, file] = process.argv.slice(2);
const sql = BASELINES[logType];
if (!sql) throw new Error(`no baseline for ${logType} (have: ${Object.keys(BASELINES).join(', ')})`);
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
await connection.run(`SET TimeZone = 'UTC'`);
await connection.run(sql, { path: file });
const rows = await connection.runAndReadAll('SELECT count(*)::INTEGER AS n FROM parsed');
process.stdout.write(`${rows.getRowObjectsJson()[0].n}\n`);
