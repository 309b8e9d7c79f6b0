export { Database, DEFAULT_MEMORY_LIMIT, type DatabaseOptions, type Row, type SqlParams } from './database.js';
export { STORE_SCHEMA_VERSION } from './schema.js';
export { pruneOlderThan, type PruneResult } from './retention.js';
