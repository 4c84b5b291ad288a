// Page weights and load times of the citizen pages on a phone (360x740) over a throttled network: the check-in
// page of a poster's QR and the account-less declaration page /khai-bao (goals of issue 14: ≤ 60 kB and usable in
// ≤ 2 s at 1.6 Mbps / 150 ms RTT; /khai-bao ≤ 150 kB), plus the staff app's sign-in page for comparison. First visit
// (empty cache) and return visit, on two networks. Runs `vigil start --build-web` on a fresh data dir (demo data).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../web/test/browser';
import { FAIR_MOBILE, kB, loadPage, phoneContext, WEAK_3G } from './_pageload';

const VIGIL = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../server/bin/vigil.js');

async function waitUp(url: string, ms: number) {
  const until = Date.now() + ms;
  for (;;) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > until) throw new Error(`server did not come up in ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The QR URL of the first demo venue's first entrance, as printed on its poster. */
async function demoQrPath(base: string): Promise<string> {
  const login = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-requested-with': 'vigil' },
    body: JSON.stringify({ username: 'cdc.nghean', password: 'vigil-demo-2021' }),
  });
  if (!login.ok) throw new Error(`demo login failed: ${login.status}`);
  const headers = { cookie: (login.headers.get('set-cookie') ?? '').split(';')[0]!, 'x-requested-with': 'vigil' };
  const list = (await (await fetch(`${base}/api/venues?status=approved&limit=1`, { headers })).json()) as { items: { id: string }[] };
  const id = list.items[0]?.id;
  if (!id) throw new Error('no approved demo venue');
  const detail = (await (await fetch(`${base}/api/venues/${id}`, { headers })).json()) as { entrances: { id: string }[] };
  const qr = (await (await fetch(`${base}/api/venues/${id}/entrances/${detail.entrances[0]!.id}/qr`, { headers })).json()) as { url: string };
  return new URL(qr.url).pathname;
}

export default async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-pages-'));
  const port = 19000 + Math.floor(Math.random() * 1000);
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [VIGIL, 'start', '--build-web'], {
    env: { ...process.env, VIGIL_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', DATABASE_URL: '', VIGIL_PUBLIC_URL: base },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const browser = await launchBrowser();
  try {
    await waitUp(base, 300_000);
    const qr = await demoQrPath(base);
    const pages: { name: string; url: string; ready: (p: Page) => Promise<unknown> }[] = [
      { name: 'check-in page /c/<token>', url: `${base}${qr}`, ready: (p) => p.locator('button.primary').waitFor({ state: 'visible', timeout: 120_000 }) },
      {
        name: 'declaration /khai-bao?venue=',
        url: `${base}/khai-bao?venue=${encodeURIComponent(qr.slice(3))}`,
        ready: (p) => p.locator('[data-question]').first().waitFor({ state: 'visible', timeout: 120_000 }),
      },
      { name: 'staff app sign-in /', url: `${base}/`, ready: (p) => p.locator('input[type="password"]').waitFor({ state: 'visible', timeout: 120_000 }) },
    ];
    console.log('page                            network                  visit    transferred  requests  usable after');
    for (const net of [FAIR_MOBILE, WEAK_3G]) {
      for (const pg of pages) {
        const ctx = await phoneContext(browser);
        const page = await ctx.newPage();
        const first = await loadPage(page, pg.url, net, pg.ready);
        const again = await loadPage(page, pg.url, net, pg.ready);
        for (const [visit, f] of [
          ['first', first],
          ['return', again],
        ] as const)
          console.log(`${pg.name.padEnd(32)}${net.name.padEnd(25)}${visit.padEnd(9)}${kB(f.bytes).padStart(11)}  ${String(f.requests).padStart(8)}  ${String(f.usableMs).padStart(9)} ms`);
        await ctx.close();
      }
    }
    console.log('goals: check-in ≤ 60 kB and ≤ 2000 ms at 1.6 Mbps / 150 ms (first visit); /khai-bao ≤ 150 kB');
  } finally {
    await browser.close();
    const exited = new Promise((r) => child.on('exit', r));
    child.kill('SIGINT');
    await exited;
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
