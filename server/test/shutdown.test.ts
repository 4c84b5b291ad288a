// Ctrl-C of `vigil start` (npm start): the terminal sends SIGINT to the whole process group — the server and its
// embedded PostgreSQL. The shutdown is orderly (HTTP drained, jobs stopped, PostgreSQL stopped by the server) and
// quiet: exit code 0, "Stopped cleanly.", no error-level log line (the database watcher took the postmaster's own
// shutdown for an outage). The same for a SIGINT to the server process alone (a service manager).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VIGIL } from './cli-run';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-shutdown-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

/** Starts `vigil start` in its own process group, waits until it serves, sends SIGINT (to the group or the server). */
async function startAndInterrupt(to: 'group' | 'server'): Promise<{ code: number | null; signal: string | null; out: string }> {
  const proc = spawn(process.execPath, [VIGIL, 'start', '--no-demo'], {
    cwd: dataDir,
    detached: true, // its own process group, as a terminal gives `npm start`
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', VIGIL_DATA_DIR: path.join(dataDir, 'data') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const url = await Promise.race([
    new Promise<string>((resolve) => {
      const look = () => {
        const m = /running: (http:\/\/localhost:\d+)\//.exec(out);
        if (m && out.includes('Press Ctrl-C to stop.')) resolve(m[1]!.replace('localhost', '127.0.0.1'));
        else proc.stdout!.once('data', look);
      };
      look();
    }),
    exited.then((e) => Promise.reject(new Error(`server exited before serving (${e.code ?? e.signal}):\n${out.slice(-3000)}`))),
  ]);
  // it serves, and its jobs run: a request that reads the database
  expect((await fetch(`${url}/healthz`)).status).toBe(200);
  if (to === 'group') process.kill(-proc.pid!, 'SIGINT');
  else proc.kill('SIGINT');
  return { ...(await exited), out };
}

const errorLines = (out: string) => out.split('\n').filter((l) => /"level":\s*(5|6)0\b/.test(l));

describe('stopping the server with Ctrl-C', () => {
  it('SIGINT to the process group (Ctrl-C in the terminal): exit 0, stopped cleanly, no error line', async () => {
    const r = await startAndInterrupt('group');
    expect(errorLines(r.out)).toEqual([]);
    expect(r.out).toContain('Stopped cleanly.');
    expect(r).toMatchObject({ code: 0, signal: null });
  }, 180_000);

  it('SIGINT to the server alone (a service manager): the same, and PostgreSQL is stopped by the server, last', async () => {
    const r = await startAndInterrupt('server');
    expect(errorLines(r.out)).toEqual([]);
    expect(r.out).toContain('Stopped cleanly.');
    expect(r).toMatchObject({ code: 0, signal: null });
    // no postmaster left behind on the data directory
    expect(fs.existsSync(path.join(dataDir, 'data', 'pg', 'postmaster.pid'))).toBe(false);
  }, 180_000);
});
