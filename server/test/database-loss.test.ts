// The database goes away under a running server (`vigil start` as an operator runs it, in its own process):
//  - embedded PostgreSQL: its postmaster is killed (kill -9) under check-in load; the same server process restarts
//    it, serves again, and every check-in it acknowledged is in the database;
//  - external PostgreSQL (DATABASE_URL): it is killed and stays away; meanwhile database-backed routes answer 503
//    with Retry-After and the JSON error body, /healthz says why; once it is back the server reconnects by itself.
// Either way: one log line per state change, no stack traces, never a 500.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openDatabase, runningPostgresPort, type DatabaseHandle } from '../src/platform/db';
import { startEmbeddedPostgres, type PostgresHandle } from '../src/platform/db/embedded';
import { createUser } from '../src/platform/auth/service';
import { childPids, postmasterPid, procAlive } from '../src/platform/proc';
import { createJurisdictionResolver, seedGeoDemo } from '../src/modules/geo';
import { communes } from '../src/modules/venues/test-fixtures';

const VIGIL = path.resolve(__dirname, '../bin/vigil.js');
const PASSWORD = 'db-loss-test-pass-1';

interface Server {
  proc: ChildProcess;
  url: string;
  /** everything the server printed (pino JSON lines on stdout, messages on stderr) */
  output(): string;
  /** rejects (with the server's output) if the server process ends */
  died: Promise<never>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(prefix: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const postmasterOf = (dataDir: string) => postmasterPid(path.join(dataDir, 'pg'));

/**
 * PostgreSQL gone as when its machine is lost: the postmaster and every backend SIGKILLed, returning once none is
 * left. (Killing the postmaster alone leaves its backends alive for a moment; one of them could still commit the
 * next request, which then rightly answers 201.)
 */
async function killPostgres(dataDir: string) {
  const pid = postmasterOf(dataDir);
  const children = childPids(pid);
  process.kill(pid, 'SIGKILL');
  for (const c of children) if (procAlive(c)) process.kill(c, 'SIGKILL'); // not a zombie already
  await until(() => ![pid, ...children].some(procAlive), 10);
}

/** Resolves when `pred` holds, checking after every `ms`; no deadline of its own (the test's timeout is the bound). */
async function until<T>(what: () => Promise<T | null | undefined | false> | T | null | undefined | false, ms = 50): Promise<T> {
  for (;;) {
    const v = await what();
    if (v) return v;
    await new Promise((r) => setTimeout(r, ms));
  }
}

async function startServer(env: Record<string, string>): Promise<Server> {
  const proc = spawn(process.execPath, [VIGIL, 'start', '--no-demo'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', VIGIL_PUBLIC_CHECKINS_PER_MINUTE: '1000000', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  cleanups.push(async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.on('exit', r));
    proc.kill('SIGINT'); // stops its PostgreSQL too
    await exited;
  });
  const died = new Promise<never>((_, reject) => proc.on('exit', (code, signal) => reject(new Error(`server exited (${code ?? signal}):\n${out.slice(-4000)}`))));
  died.catch(() => {});
  const url = await Promise.race([until(() => out.match(/running: (http:\/\/localhost:\d+)\//)?.[1]), died]);
  return { proc, url: url.replace('localhost', '127.0.0.1'), output: () => out, died };
}

/** A CDC officer of Nghệ An (created in the database), signed in over HTTP, and one approved venue's QR token. */
async function venueAndOfficer(server: Server, db: DatabaseHandle) {
  await seedGeoDemo(db.db, ['province', 'district', 'commune']);
  const username = `cdc-${crypto.randomBytes(3).toString('hex')}`;
  await createUser(db.db, createJurisdictionResolver(db.db), null, { username, displayName: username, password: PASSWORD, role: 'cdc_officer', jurisdictionCode: '40' });
  const login = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-requested-with': 'vigil' },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  expect(login.status).toBe(200);
  const headers = { cookie: String(login.headers.get('set-cookie')).split(';')[0]!, 'x-requested-with': 'vigil', 'content-type': 'application/json' };
  const commune = (await communes(db.db)).a;
  const res = await fetch(`${server.url}/api/venues`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ name: 'Chợ Vinh', type: 'market', address: '1 Cao Thắng', communeCode: commune }),
  });
  expect(res.status).toBe(201);
  const detail = (await res.json()) as { entrances: { checkinUrl: string }[] };
  return { headers, commune, venueToken: detail.entrances[0]!.checkinUrl.split('/c/')[1]! };
}

const NAMES = ['An', 'Bình', 'Chi', 'Dũng', 'Giang', 'Hà', 'Hùng', 'Khánh', 'Lan', 'Minh', 'Nam', 'Phúc', 'Quang', 'Sơn', 'Thảo', 'Vy'];
const checkin = (server: Server, venueToken: string, commune: string, clientId: string, n: number) =>
  fetch(`${server.url}/api/checkins`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      clientId,
      venueToken,
      people: [{ fullName: `Nguyễn Văn ${NAMES[n % NAMES.length]}`, phone: `09${String(10_000_000 + (n % NAMES.length)).slice(-8)}`, birthYear: 1980, communeCode: commune }],
    }),
  });

/** Lines of the server's JSON log whose message matches. */
const logLines = (server: Server, msg: RegExp) => server.output().split('\n').filter((l) => l.startsWith('{') && msg.test(l));

function expectQuietOutage(server: Server) {
  // one line per state change: down, back. PostgreSQL still in crash recovery right after its restart may refuse a
  // connection once more (57P03), which is a second, short outage with its own two lines, never a line per request.
  const down = logLines(server, /"msg":"database unavailable/);
  const back = logLines(server, /"msg":"database is back"/);
  expect(down.length).toBeGreaterThanOrEqual(1);
  expect(down.length, down.join('\n')).toBeLessThanOrEqual(2);
  expect(back).toHaveLength(down.length);
  expect(server.output()).not.toMatch(/request failed|job system error|"stack"|\n\s+at /);
}

function expect503(res: Response, json: unknown) {
  const body = json as { error?: { code?: string; message?: string } };
  expect(res.status).toBe(503);
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(body.error?.code).toBe('DATABASE_UNAVAILABLE');
  expect(body.error?.message).toMatch(/database/i);
}

describe('database loss', () => {
  it('embedded PostgreSQL killed under load: the same server process restarts it, serves again, and loses no acknowledged check-in', async () => {
    const dataDir = tempDir('vigil-dbloss-');
    const server = await startServer({ VIGIL_DATA_DIR: dataDir, DATABASE_URL: '', VIGIL_JOBS: 'true' });
    const pgDir = path.join(dataDir, 'pg');
    const creds = JSON.parse(fs.readFileSync(path.join(dataDir, 'pg-credentials.json'), 'utf8')) as { user: string; password: string };
    const dbUrl = `postgres://${creds.user}:${encodeURIComponent(creds.password)}@127.0.0.1:${runningPostgresPort(pgDir)}/vigil`;
    const { venueToken, commune } = await venueAndOfficer(server, openForTest(dbUrl));

    // Load: 12 phones checking in without pause; every acknowledged client id is remembered.
    const acked: string[] = [];
    const statuses = new Map<number, number>();
    let unavailable: { res: Response; body: object } | null = null;
    let killedAt = 0;
    let ackedAfterRestart = 0;
    let stop = false;
    let n = 0;
    const worker = async () => {
      while (!stop) {
        const id = crypto.randomUUID();
        const res = await checkin(server, venueToken, commune, id, n++).catch((err: Error) => {
          stop = true;
          throw new Error(`check-in request failed (${err.message}); server output:\n${server.output().slice(-4000)}`);
        });
        const body = (await res.json()) as object;
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status === 200 || res.status === 201) {
          acked.push(id);
          if (killedAt && unavailable) ackedAfterRestart++;
        } else if (res.status === 503 && !unavailable) unavailable = { res, body };
        else if (res.status !== 503) {
          stop = true;
          throw new Error(`check-in answered ${res.status} ${JSON.stringify(body)}; server output:\n${server.output().slice(-4000)}`);
        }
      }
    };
    const workers = Array.from({ length: 12 }, worker);

    await Promise.race([until(() => acked.length >= 200), server.died, Promise.all(workers)]);
    const oldPid = postmasterOf(dataDir);
    process.kill(oldPid, 'SIGKILL');
    killedAt = Date.now();
    // the outage is seen (503s), then check-ins are acknowledged again: the server restarted PostgreSQL
    await Promise.race([until(() => ackedAfterRestart >= 100), server.died, Promise.all(workers)]);
    stop = true;
    await Promise.all(workers);

    expect(server.proc.exitCode).toBeNull(); // the same process, never restarted
    const newPid = postmasterOf(dataDir);
    expect(newPid).not.toBe(oldPid);
    expect(() => process.kill(newPid, 0)).not.toThrow();
    expect(unavailable).not.toBeNull();
    expect503(unavailable!.res, unavailable!.body);
    expect([...statuses.keys()].filter((s) => ![200, 201, 503].includes(s))).toEqual([]); // never a 500
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    // every acknowledged check-in is in the database
    const db = openForTest(dbUrl);
    // the server's pool reached the restarted PostgreSQL through its Unix socket again (client_port -1), this test over TCP
    const byTransport = await sql<{ socket: boolean; n: number }>`
      select client_port = -1 as socket, count(*)::int as n from pg_stat_activity where backend_type = 'client backend' and datname = 'vigil' group by 1`.execute(db.db);
    expect(byTransport.rows.find((r) => r.socket)?.n ?? 0).toBeGreaterThan(0);
    const stored = new Set<string>();
    for (let i = 0; i < acked.length; i += 5000) {
      const rows = await db.db.selectFrom('checkins').select('client_id').where('client_id', 'in', acked.slice(i, i + 5000)).execute();
      for (const r of rows) stored.add(r.client_id);
    }
    expect(acked.filter((id) => !stored.has(id))).toEqual([]);
    expectQuietOutage(server);
    expect(logLines(server, /started it again/)).toHaveLength(1);
  }, 180_000);

  // DATABASE_URL over loopback TCP, and through the server's Unix socket (`?host=<socket directory>&port=`)
  const viaTcp = (pg: PostgresHandle) => pg.tcpUrl;
  const viaSocket = (pg: PostgresHandle) => {
    const u = new URL(pg.tcpUrl);
    const dir = decodeURIComponent(new URL(pg.url).hostname);
    expect(dir).toMatch(/^\//); // the embedded server has its socket
    return `postgres://${u.username}:${u.password}@/vigil?host=${dir}&port=${u.port}`;
  };
  it.each([
    ['loopback TCP', viaTcp],
    ['a Unix socket (host=)', viaSocket],
  ])('external PostgreSQL over %s away: 503 + Retry-After, /healthz says why, and the server reconnects once it is back', async (_name, urlOf) => {
    const pgData = tempDir('vigil-extpg-');
    let pg = await startEmbeddedPostgres({ dataDir: pgData, database: 'vigil' });
    cleanups.push(() => pg.stop());
    const dbUrl = urlOf(pg);
    const server = await startServer({ VIGIL_DATA_DIR: tempDir('vigil-extdata-'), DATABASE_URL: dbUrl, VIGIL_JOBS: 'true' });
    const { venueToken, commune, headers } = await venueAndOfficer(server, openForTest(dbUrl));
    expect((await checkin(server, venueToken, commune, crypto.randomUUID(), 1)).status).toBe(201);

    await killPostgres(pgData);
    // the first request after the kill finds out (its connection is gone): 503, not 500
    const first = await checkin(server, venueToken, commune, crypto.randomUUID(), 2);
    expect503(first, await first.json());
    const health = await until(async () => {
      const res = await fetch(`${server.url}/healthz`);
      return res.status === 503 && { res, body: (await res.json()) as { status: string; database: string; reason: string; since: string } };
    });
    expect(health.body).toMatchObject({ status: 'unavailable', database: 'down' });
    // refused (nothing listens), reset (a backend killed under its connection), ENOENT (no socket file), or terminated
    expect(health.body.reason).toMatch(/ECONNREFUSED|ECONNRESET|ENOENT|terminat|connect/i);
    expect(Number(health.res.headers.get('retry-after'))).toBeGreaterThan(0);
    // while it is away, every database-backed route answers 503 at once: public, signed-in, sign-in itself
    for (const res of [
      await checkin(server, venueToken, commune, crypto.randomUUID(), 3),
      await fetch(`${server.url}/api/venues`, { headers }),
      await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-requested-with': 'vigil' }, body: '{"username":"x","password":"y"}' }),
    ])
      expect503(res, await res.json());

    // back on the same address (as an operator's restart would bring it): the server notices by itself
    pg = await startEmbeddedPostgres({ dataDir: pgData, database: 'vigil' });
    expect(urlOf(pg)).toBe(dbUrl);
    await until(async () => (await fetch(`${server.url}/healthz`)).status === 200);
    expect((await checkin(server, venueToken, commune, crypto.randomUUID(), 4)).status).toBe(201);
    expect((await fetch(`${server.url}/api/venues`, { headers })).status).toBe(200);
    expect(server.proc.exitCode).toBeNull();
    expectQuietOutage(server);
  }, 180_000);
});

function openForTest(url: string) {
  const h = openDatabase(url, null, 2);
  cleanups.push(() => h.close());
  return h;
}
