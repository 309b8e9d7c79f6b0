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
