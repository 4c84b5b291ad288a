// Start-up time and memory: `vigil start` on a fresh data dir (initdb + migrations + demo seed) and again on the
// same dir (reuse), timed until /healthz answers; RSS of the Node server and of the PostgreSQL processes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, execFileSync } from 'node:child_process';

const VIGIL = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../server/bin/vigil.js');

function rssKiB(pid: number): number {
  try {
    const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function postgresRssKiB(dataDir: string): number {
  const pidFile = path.join(dataDir, 'pg', 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return 0;
  const master = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(master)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  return [master, ...children].reduce((s, p) => s + rssKiB(p), 0);
}

async function once(dataDir: string, port: number) {
  const t0 = performance.now();
  const child = spawn(process.execPath, [VIGIL, 'start', '--build-web'], {
    env: { ...process.env, VIGIL_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', DATABASE_URL: '' },
    stdio: 'ignore',
  });
  let ms = 0;
  for (;;) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (r.ok) {
        ms = performance.now() - t0;
        break;
      }
    } catch {
      /* not yet */
    }
    if (performance.now() - t0 > 120_000) throw new Error('server did not come up in 120 s');
    await new Promise((r) => setTimeout(r, 50));
  }
  // serve a page and an API call so the figures are for a warmed-up server
  await fetch(`http://127.0.0.1:${port}/`);
  await new Promise((r) => setTimeout(r, 500));
  const node = rssKiB(child.pid!);
  const pg = postgresRssKiB(dataDir);
  const exited = new Promise((r) => child.on('exit', r));
  child.kill('SIGINT');
  await exited;
  return { ms, nodeMiB: node / 1024, pgMiB: pg / 1024 };
}

export default async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-start-'));
  const port = 18000 + Math.floor(Math.random() * 1000);
  try {
    const first = await once(dataDir, port);
    const second = await once(dataDir, port);
    console.log(`first start (initdb + migrate + demo seed): ${(first.ms / 1000).toFixed(2)} s to serving`);
    console.log(`second start (reuse ./data):                ${(second.ms / 1000).toFixed(2)} s to serving`);
    console.log(`memory after start: node server ${second.nodeMiB.toFixed(0)} MiB RSS, embedded PostgreSQL ${second.pgMiB.toFixed(0)} MiB RSS (all processes)`);
    console.log(`ratio second/first start: ${(second.ms / first.ms).toFixed(2)}`);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
