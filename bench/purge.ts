// Retention of check-ins at national volume: purging one day of BENCH_PURGE_ROWS (default 1,000,000) check-ins by
// dropping its day partition (now) against the chunked DELETE used before partitioning, on a real embedded
// PostgreSQL. Both also delete the day's idempotency keys (checkin_keys); the DELETE also leaves a million dead
// rows behind, so the VACUUM that reclaims them is timed too.
//
//   npm run bench -- purge            (BENCH_PURGE_ROWS=200000 for a quicker run)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { connectDatabase, migrate } from '../server/src/platform/db';
import { migrationSources } from '../server/src/platform/cli';
import { modules } from '../server/src/modules';
import { purgeCheckins } from '../server/src/modules/venues';
import { purgeInChunks } from '../server/src/platform/purge';
import type { Db } from '../server/src/platform/db/types';

const ROWS = Number(process.env.BENCH_PURGE_ROWS ?? 1_000_000);
const DAY = '2020-01-15';
const dayStart = new Date(`${DAY}T00:00:00Z`);
const dayEnd = new Date(dayStart.getTime() + 86_400_000);

/** One day of check-ins (and their keys) spread over 2,000 venues and 300,000 people, as the hot path writes them. */
async function fillDay(db: Db) {
  await sql`select checkins_create_partitions(${DAY}::date - 1, ${DAY}::date + 1)`.execute(db);
  await sql`
    with v as (select array_agg(gen_random_uuid()) as ids from generate_series(1, 2000)),
         p as (select array_agg(gen_random_uuid()) as ids from generate_series(1, 300000))
    insert into checkins (client_id, person_id, venue_id, checkin_at, auto_checkout_at, source)
    select gen_random_uuid(), p.ids[1 + ((i::bigint * 7919) % 300000)::int], v.ids[1 + i % 2000],
           ${dayStart}::timestamptz + (i * (86400.0 / ${ROWS})) * interval '1 second',
           ${dayStart}::timestamptz + (i * (86400.0 / ${ROWS})) * interval '1 second' + interval '1 hour', 'qr'
    from generate_series(0, ${ROWS} - 1) i, v, p`.execute(db);
  await sql`
    insert into checkin_keys (client_id, person_id, id, checkin_at)
    select client_id, person_id, id, checkin_at from checkins where checkin_at >= ${dayStart} and checkin_at < ${dayEnd}`.execute(db);
  await sql`analyze checkins`.execute(db);
  await sql`analyze checkin_keys`.execute(db);
}

const timed = async <T>(f: () => Promise<T>): Promise<[T, number]> => {
  const t = performance.now();
  const r = await f();
  return [r, performance.now() - t];
};

export default async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-purge-'));
  const handle = await connectDatabase({ dataDir, poolSize: 4 });
  const db = handle.db;
  try {
    await migrate(db, migrationSources(modules));
    process.stdout.write(`filling one day with ${ROWS.toLocaleString('en')} check-ins… `);
    let [, ms] = await timed(() => fillDay(db));
    console.log(`${(ms / 1000).toFixed(1)} s`);

    // before partitioning: DELETE in chunks of 10,000 (as venues.purge-checkins did), then the keys, then VACUUM
    const [deleted, deleteMs] = await timed(() => purgeInChunks(db, 'checkins', sql`checkin_at < ${dayEnd}`, { chunk: 10_000, key: ['id', 'checkin_at'] }));
    const [, keysMs1] = await timed(() => purgeInChunks(db, 'checkin_keys', sql`checkin_at < ${dayEnd}`, { chunk: 20_000, key: ['client_id', 'person_id'] }));
    const [, vacuumMs] = await timed(() => sql`vacuum checkins, checkin_keys`.execute(db));
    console.log(`chunked DELETE: ${deleted.toLocaleString('en')} rows in ${(deleteMs / 1000).toFixed(1)} s, keys ${(keysMs1 / 1000).toFixed(1)} s, VACUUM ${(vacuumMs / 1000).toFixed(1)} s`);

    process.stdout.write('filling the day again… ');
    [, ms] = await timed(() => fillDay(db));
    console.log(`${(ms / 1000).toFixed(1)} s`);
    // now: the day's keys in chunks, then the job's purgeCheckins (count and drop the partition; no keys left to delete)
    const [, keysMs2] = await timed(() => purgeInChunks(db, 'checkin_keys', sql`checkin_at < ${dayEnd}`, { chunk: 20_000, key: ['client_id', 'person_id'] }));
    const [dropped, dropMs] = await timed(() => purgeCheckins(db, dayEnd));
    console.log(`partition drop: ${dropped.deleted.toLocaleString('en')} rows (${dropped.partitions.join(', ')}) in ${(dropMs / 1000).toFixed(2)} s, keys ${(keysMs2 / 1000).toFixed(1)} s; no VACUUM needed for the check-ins`);
    console.log('');
    const before = deleteMs + keysMs1 + vacuumMs;
    const after = dropMs + keysMs2;
    console.log(
      `purging a day of ${ROWS.toLocaleString('en')} check-ins: chunked DELETE ${(deleteMs / 1000).toFixed(1)} s + VACUUM ${(vacuumMs / 1000).toFixed(1)} s` +
        ` vs partition drop ${(dropMs / 1000).toFixed(2)} s (${(((deleteMs + vacuumMs) / dropMs)).toFixed(0)}×);` +
        ` with the idempotency keys (${(keysMs1 / 1000).toFixed(1)} s / ${(keysMs2 / 1000).toFixed(1)} s): ${(before / 1000).toFixed(1)} s vs ${(after / 1000).toFixed(1)} s`,
    );
    console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  } finally {
    await handle.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
