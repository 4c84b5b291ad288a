// Building blocks for CLI commands: open the database (embedded or external) + app, progress bars, errors.
import cliProgress from 'cli-progress';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../config';
import { connectDatabase, migrate, type DatabaseHandle } from './db';
import type { VigilModule } from './module';

export class CliError extends Error {}

export function migrationSources(modules: VigilModule[]) {
  return [{ module: 'platform', dir: new URL('./migrations', import.meta.url).pathname }, ...modules.map((m) => ({ module: m.name, dir: m.migrationsDir }))];
}

export async function openDatabase(
  config: Config,
  modules: VigilModule[],
  log = (s: string) => process.stderr.write(`${s}\n`),
  /** the server: restart the embedded PostgreSQL if it dies */
  supervise = false,
): Promise<DatabaseHandle> {
  const handle = await connectDatabase({
    supervise,
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    embeddedPort: config.embeddedPgPort,
    timeouts: { connectTimeoutMs: config.dbConnectTimeoutMs, statementTimeoutMs: config.dbStatementTimeoutMs },
  });
  if (handle.postgres) log(handle.postgres.startedHere ? `Started embedded PostgreSQL (${config.dataDir}/pg)` : 'Using the running embedded PostgreSQL');
  try {
    const r = await migrate(handle.db, migrationSources(modules), (m, n) => log(`  migrated ${m}/${n}`));
    if (r.applied.length) log(`Applied ${r.applied.length} migration(s)`);
  } catch (err) {
    await handle.close();
    throw err;
  }
  return handle;
}

/** Run a command with the app built (no HTTP listener), closing everything after. */
export async function withApp<T>(
  modules: VigilModule[],
  build: (config: Config, handle: DatabaseHandle) => Promise<FastifyInstance>,
  fn: (app: FastifyInstance) => Promise<T>,
): Promise<T> {
  const config = loadConfig(process.env, { jobs: false, logLevel: 'warn' } as Partial<Config>);
  const handle = await openDatabase(config, modules);
  let app: FastifyInstance | null = null;
  try {
    app = await build(config, handle);
    await app.ready();
    return await fn(app);
  } finally {
    await app?.close();
    await handle.close();
  }
}

export function progressBar(label: string) {
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {percentage}% | {value}/{total}`, stream: process.stderr, hideCursor: true, noTTYOutput: true, notTTYSchedule: 2000 },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done: number, total: number) {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.setTotal(total);
      bar.update(done);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
