// PostgreSQL over a Unix socket: the embedded PostgreSQL listens on a socket in its own data directory and the app's
// pool connects through it (no TCP stack per statement); an external DATABASE_URL naming a socket directory
// (`?host=/dir` or a percent-encoded host) works the same way. Loopback TCP stays open for other tools.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openDatabase, runningPostgres, type DatabaseHandle } from '../src/platform/db';
import { socketDirFor, startEmbeddedPostgres, type PostgresHandle } from '../src/platform/db/embedded';
import { connectionErrorKind } from '../src/platform/db/health';
import { loadConfig } from '../src/config';

let dataDir: string;
let pg: PostgresHandle;
const opened: DatabaseHandle[] = [];
const open = (url: string) => {
  const h = openDatabase(url, null, 2, { connectTimeoutMs: 5_000 });
  opened.push(h);
  return h;
};
/** The server's address as the connection sees it: null over a Unix socket, 127.0.0.1 over loopback TCP. */
const serverAddr = async (h: DatabaseHandle) =>
  (await sql<{ addr: string | null; n: string }>`select host(inet_server_addr()) as addr, count(*)::text as n from pg_stat_activity where pid = pg_backend_pid() and client_port = -1`.execute(h.db)).rows[0]!;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-socket-'));
  pg = await startEmbeddedPostgres({ dataDir, database: 'vigil' });
}, 120_000);

afterAll(async () => {
  for (const h of opened) await h.close();
  await pg?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('embedded PostgreSQL over its Unix socket', () => {
  it('listens on a socket in its data directory, and the URL the app uses goes through it', async () => {
    const pgDir = path.join(path.resolve(dataDir), 'pg');
    const running = runningPostgres(pgDir)!;
    expect(running.socketDir).toBe(pgDir);
    expect(fs.statSync(path.join(pgDir, `.s.PGSQL.${running.port}`)).isSocket()).toBe(true);
    expect(pg.url).toContain(`@${encodeURIComponent(pgDir)}:${running.port}/vigil`);
    expect(pg.tcpUrl).toContain(`@127.0.0.1:${running.port}/vigil`);

    // pg_stat_activity.client_port is -1 for a Unix-socket connection; inet_server_addr() is null there
    expect(await serverAddr(open(pg.url))).toEqual({ addr: null, n: '1' });
    expect(await serverAddr(open(pg.tcpUrl))).toEqual({ addr: '127.0.0.1', n: '0' });
  });

  it('a second process of the same data directory (a CLI command) attaches through the socket too', async () => {
    const again = await startEmbeddedPostgres({ dataDir, database: 'vigil' });
    expect(again.startedHere).toBe(false);
    expect(again.url).toBe(pg.url);
    await again.stop(); // stops nothing: it did not start it
    expect(await serverAddr(open(again.url))).toEqual({ addr: null, n: '1' });
  });

  it('falls back to loopback TCP when the data directory is too long for a socket address or needs quoting', () => {
    expect(socketDirFor('/var/lib/vigil/data/pg', 5432)).toBe('/var/lib/vigil/data/pg');
    expect(socketDirFor(`/srv/${'x'.repeat(100)}/pg`, 5432)).toBeNull();
    expect(socketDirFor('/srv/my data/pg', 5432)).toBeNull();
    expect(socketDirFor('/srv/a,b/pg', 5432)).toBeNull();
  });
});

describe('DATABASE_URL naming a socket directory', () => {
  it('connects through the socket in both URL forms, and the configuration accepts them', async () => {
    const creds = JSON.parse(fs.readFileSync(path.join(dataDir, 'pg-credentials.json'), 'utf8')) as { user: string; password: string };
    const pgDir = path.join(path.resolve(dataDir), 'pg');
    const port = runningPostgres(pgDir)!.port;
    const auth = `${creds.user}:${encodeURIComponent(creds.password)}`;
    for (const url of [`postgres://${auth}@/vigil?host=${pgDir}&port=${port}`, `postgresql://${auth}@${encodeURIComponent(pgDir)}:${port}/vigil`]) {
      expect(loadConfig({ DATABASE_URL: url }).databaseUrl).toBe(url);
      expect(await serverAddr(open(url))).toEqual({ addr: null, n: '1' });
    }
  });

  it('a socket that is not there is a connection error (the database is away), not a failed statement', async () => {
    const h = open(`postgres://x:y@/vigil?host=${path.join(dataDir, 'nowhere')}&port=5432`);
    const err = await sql`select 1`.execute(h.db).then(() => null, (e: unknown) => e);
    expect((err as { code?: string }).code).toBe('ENOENT');
    expect(connectionErrorKind(err)).toBe('socket');
  });
});
