// What a domain module gives the app, and what the app gives a module.
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Config } from '../config';
import type pg from 'pg';
import type { Db } from './db/types';
import type { Access } from './auth/access';
import type { Jobs } from './jobs';
import type { Events } from './events';
import type { KeyRing, VerifyPool } from './signing';
import type { DatabaseHealth } from './db/health';
import type { SummaryQuery, SummaryTile } from './home';

export interface AppContext {
  config: Config;
  db: Db;
  /**
   * The pg pool under `db`. Only for the rare hot statement that must be a named prepared statement (parsed and
   * planned once per connection; Kysely cannot name statements): the check-in insert. Everything else uses `db`.
   */
  pool: pg.Pool;
  /** connection string of `db` (for a LISTEN connection of its own) */
  dbUrl: string;
  access: Access;
  jobs: Jobs;
  /** domain events: publish in a transaction, subscribe in register() */
  events: Events;
  keys: KeyRing;
  /** worker threads for the signatures of first-seen QR codes on the check-in path (verifyAsync; VIGIL_SIGNATURE_WORKERS) */
  verifyPool: VerifyPool;
  log: FastifyBaseLogger;
  /** the database watcher: background loops report their errors to it (a connection error is one log line per outage) */
  health: Pick<DatabaseHealth, 'report' | 'up'>;
}

export interface VigilModule {
  name: string;
  /** Absolute path of the module's migrations folder. */
  migrationsDir: string;
  /** Routes, job definitions and hooks. Called once per app. */
  register?(app: FastifyInstance, ctx: AppContext): Promise<void> | void;
  /**
   * Tiles for the home page (today's figures for the caller's area and the last days, see platform/home): return none
   * when the caller may not see this module's data.
   */
  summary?(ctx: AppContext, q: SummaryQuery): Promise<SummaryTile[]>;
  /** Demo data (`vigil demo`, first `npm start`); must be idempotent. Runs after admin units and demo users exist. */
  seedDemo?(ctx: AppContext): Promise<void>;
}

export const migrationsDirOf = (metaUrl: string) => new URL('./migrations', metaUrl).pathname;
