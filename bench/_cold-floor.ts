// The parts of a cold check-in's floor that bench/checkin.ts measures on its own after the HTTP runs, on the same
// machine and database: the Ed25519 math alone (libsodium, or node:crypto where it cannot load) on tokens already
// split and decoded, and PostgreSQL's cost of storing a cold batch — the group-commit statement the server sends
// (insertCheckinsPrepared), at the HTTP run's batch size, every other row a first visit (a new person and its device
// row), the others known people — on one connection, as bench/checkin-pg.ts's cold shape.
import crypto from 'node:crypto';
import fs from 'node:fs';
import pg from 'pg';
import type { KeyRing } from '../server/src/platform/signing';
import { normalizeName } from '../server/src/modules/people';
import { insertCheckinsPrepared, type NewCheckin } from '../server/src/modules/venues';
import { postgresCpuMs } from './_cpu';
import { letters } from './_checkin-data';

/** CPU µs (this process) per Ed25519 check of these tokens, with nothing else: no shape check, decode or payload. */
export function signatureMathUs(keys: KeyRing, tokens: string[]): number {
  const checks = tokens.map((t) => {
    const [payload, kid, sig] = t.split('.') as [string, string, string];
    const v = keys.verifierFor(kid);
    if (v.status !== 'ok') throw new Error(`signature floor: token of an unusable key (${v.status})`);
    return { verify: v.verify, input: Buffer.from(`${payload}.${kid}`, 'latin1'), sig: Buffer.from(sig, 'base64url') };
  });
  let us = Infinity;
  for (let round = 0; round < 3; round++) {
    const t0 = process.cpuUsage();
    for (const c of checks) if (!c.verify(c.input, c.sig)) throw new Error('signature floor: a bench token does not verify');
    const t = process.cpuUsage(t0);
    us = Math.min(us, (t.user + t.system) / checks.length);
  }
  return us;
}

/** Nanoseconds a process has run on a CPU (user + system), from /proc/<pid>/schedstat. */
const onCpuNs = (pid: number) => Number(fs.readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);

export interface ColdBatchCost {
  /** the one connection's backend, µs a row */
  backendUs: number;
  /** every PostgreSQL process (WAL writer, checkpointer… too; 10 ms ticks), µs a row */
  allUs: number;
  rows: number;
}

/**
 * PostgreSQL's CPU per row of cold batches of `batch` rows written one after another on one connection
 * (`batches` of them after a warm-up): what storing the cold path's rows costs without HTTP, the server or
 * concurrency around it.
 */
export async function coldBatchPgCost(o: {
  url: string;
  dataDir: string;
  batch: number;
  batches: number;
  entrances: { id: string; venue_id: string }[];
  personIds: string[];
  communes: string[];
}): Promise<ColdBatchCost> {
  const pool = new pg.Pool({ connectionString: o.url, max: 1 });
  try {
    const pick = <T>(a: T[]) => a[Math.floor(Math.random() * a.length)]!;
    let formNo = 0;
    const row = (form: boolean): NewCheckin => {
      const e = pick(o.entrances);
      const at = new Date();
      const base: NewCheckin = {
        clientId: crypto.randomUUID(),
        personId: form ? '' : pick(o.personIds),
        venueId: e.venue_id,
        entranceId: e.id,
        checkinAt: at,
        autoCheckoutAt: new Date(at.getTime() + 60 * 60_000),
        checkoutAt: null,
        source: 'qr',
        recordedBy: null,
      };
      if (!form) return base;
      const i = formNo++;
      // names and phones no cold body of the HTTP run used: every form is a new person, as there
      const fullName = `Khách Sàn ${letters(i)}`;
      const newPerson = {
        full_name: fullName,
        name_key: normalizeName(fullName),
        birth_date: null,
        birth_year: 1950 + (i % 60),
        sex: null,
        national_id: null,
        phone: `+8497${String(i).padStart(7, '0')}`,
        address: null,
        commune_code: o.communes[i % o.communes.length]!,
        now: at,
      };
      return { ...base, newPerson };
    };
    const coldBatch = () => Array.from({ length: o.batch }, (_, i) => row(i % 2 === 0));
    const c = await pool.connect();
    const pid = (await c.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    c.release();
    for (let i = 0; i < 20; i++) await insertCheckinsPrepared(pool, coldBatch()); // plan prepared, index pages read
    const batches = Array.from({ length: o.batches }, coldBatch);
    const all0 = postgresCpuMs(o.dataDir);
    const b0 = onCpuNs(pid);
    for (const b of batches) await insertCheckinsPrepared(pool, b);
    const b1 = onCpuNs(pid);
    const all1 = postgresCpuMs(o.dataDir);
    const rows = o.batch * o.batches;
    return { backendUs: (b1 - b0) / 1000 / rows, allUs: ((all1 - all0) * 1000) / rows, rows };
  } finally {
    await pool.end();
  }
}
