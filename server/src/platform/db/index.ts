export * from './types';
export { connectDatabase, openDatabase, DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_STATEMENT_TIMEOUT_MS, type DatabaseHandle, type PoolTimeouts } from './connect';
export { DatabaseHealth, isConnectionError, isStatementTimeout, type DatabaseState } from './health';
export { migrate, listMigrations, type MigrationSource } from './migrator';
export { runningPostgresPort, runningPostgres } from './embedded';
export { copyTransaction, copyText, type CopyIn } from './copy';
