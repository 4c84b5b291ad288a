// SMS throughput: N notifications (default 100k) asked for by events (1000 recipients each), sent by the dispatcher
// through a local SMSC process (server/test/smsc.ts) that answers each submit_sm after 1 ms, with a window of 10.
// Prints messages/s beside the window's theoretical limit (window / server delay) and event → submit_sm_resp p50/p99.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { buildApp } from '../server/src/app';
import { loadConfig, type Config } from '../server/src/config';
import { connectDatabase, migrate } from '../server/src/platform/db';
import { migrationSources } from '../server/src/platform/cli';
import { KeyRing } from '../server/src/platform/signing';
import { modules } from '../server/src/modules';
import { messagingRuntime } from '../server/src/modules/messaging';
import { Smsc } from '../server/test/smsc-process';

const N = Number(process.env.BENCH_SMS_N ?? 100_000);
const PER_EVENT = 1000;
const WINDOW = 10;
const DELAY_MS = 1;
const pct = (a: number[], p: number) => a[Math.min(a.length - 1, Math.floor((p / 100) * a.length))]!;

export default async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-sms-'));
  const smsc = await Smsc.start({ SMSC_DELAY_MS: String(DELAY_MS), SMSC_QUIET: '1' });
  const handle = await connectDatabase({ dataDir, poolSize: 10 });
  let app: Awaited<ReturnType<typeof buildApp>> | null = null;
  try {
    await migrate(handle.db, migrationSources(modules));
    const config = loadConfig({}, {
      dataDir,
      jobs: false,
      logLevel: 'silent',
      publicUrl: 'http://bench.local',
      smsProvider: 'smpp',
      smppUrl: smsc.url(),
      smsTps: 10_000,
      smppWindow: WINDOW,
      eventRetryDelaySeconds: 0,
    } as Partial<Config>);
    app = await buildApp(config, { database: handle, logger: false, keys: KeyRing.inMemory(), webDist: null });
    await app.vigil.jobs.start('events');
    const rt = messagingRuntime.get(app.vigil)!;
    const published = new Map<string, number>();
    const latency: number[] = [];
    let first = 0;
    let last = 0;
    rt.dispatcher.onAccepted = (row, at) => {
      const t0 = row.event_id ? published.get(row.event_id) : undefined;
      if (t0 !== undefined) latency.push(at - t0);
      first ||= at;
      last = at;
    };
    console.log(`${N} notifications, ${N / PER_EVENT} events of ${PER_EVENT} recipients; SMSC: ${DELAY_MS} ms per submit_sm, window ${WINDOW}`);
    const t0 = performance.now();
    for (let e = 0; e < N / PER_EVENT; e++) {
      const recipients = Array.from({ length: PER_EVENT }, (_, i) => ({ phone: `+8491${String(e * PER_EVENT + i).padStart(7, '0')}`, unitCode: '40' }));
      const at = Date.now();
      const id = await handle.db.transaction().execute((trx) =>
        app!.vigil.events.publish(trx, 'messaging.requested', { purpose: 'campaign', subject: `bench-${e}`, recipients, vars: { text: 'Vigil: nhac nho quet ma QR khi den noi cong cong.' } }),
      );
      published.set(id, at);
    }
    const publishS = (performance.now() - t0) / 1000;
    for (;;) {
      const r = await sql<{ open: string }>`select count(*) as open from notifications where status in ('queued', 'sending')`.execute(handle.db);
      const n = await sql<{ n: string }>`select count(*) as n from notifications`.execute(handle.db);
      if (Number(n.rows[0]!.n) === N && Number(r.rows[0]!.open) === 0) break;
      await new Promise((res) => setTimeout(res, 200));
    }
    const totalS = (performance.now() - t0) / 1000;
    const sendS = (last - first) / 1000;
    const counts = await sql<{ status: string; n: string }>`select status, count(*) as n from notifications group by 1`.execute(handle.db);
    latency.sort((a, b) => a - b);
    const limit = WINDOW * (1000 / DELAY_MS);
    console.log(`published in ${publishS.toFixed(1)} s; all sent ${totalS.toFixed(1)} s after the first event`);
    console.log(`sending: ${(N / sendS).toFixed(0)} messages/s (first to last submit_sm_resp); window limit ${limit}/s; ratio ${(N / sendS / limit).toFixed(2)}`);
    console.log(`event → submit_sm_resp: p50 ${(pct(latency, 50) / 1000).toFixed(1)} s, p99 ${(pct(latency, 99) / 1000).toFixed(1)} s (includes queueing behind earlier events)`);
    console.log(`statuses: ${counts.rows.map((r) => `${r.status} ${r.n}`).join(', ')}; SMPP stats: ${JSON.stringify(rt.dispatcher.stats)}`);
  } finally {
    await app?.close();
    await handle.close();
    await smsc.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
