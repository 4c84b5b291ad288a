export * from './types';
export { connectDatabase, openDatabase, type DatabaseHandle } from './connect';
export { migrate, listMigrations, type MigrationSource } from './migrator';
export { runningPostgresPort } from './embedded';
