// The tracing engine's answers on the bench's kept database, as digests: run before and after a change to the engine
// and compare (the same contacts, levels, exposures and mass exposures, or not). Not a benchmark.
//   BENCH_TRACE_DIR=<dir> SIZE=small N=300 node --import tsx bench/_trace-answers.ts
// Traces the bench's first N cases (same seed and choice as bench/trace.ts) one by one and in chunks of 25 traced
// together, F1+F2, with the mass-exposure rule at 100 and off, and prints per run the totals and a sha256 of the
// contacts (person, level, via, every exposure) and of the mass exposures (venue, window, F1s, people not listed).
import crypto from 'node:crypto';
import path from 'node:path';
import { sql } from 'kysely';
import { connectDatabase, migrate } from '../server/src/platform/db';
import { migrationSources } from '../server/src/platform/cli';
import { modules } from '../server/src/modules';
import { traceCasesFull } from '../server/src/modules/cases';

const START = new Date('2021-08-01T00:00:00+07:00');
const dataDir = path.join(process.env.BENCH_TRACE_DIR ?? '/tmp/t6db', process.env.SIZE ?? 'small');
const N = Number(process.env.N ?? 300);
const handle = await connectDatabase({ dataDir, poolSize: 4, timeouts: { statementTimeoutMs: 0, connectTimeoutMs: 120_000 } });
const db = handle.db;
await migrate(db, migrationSources(modules), () => {}); // as the bench does: the engine's migrations of this branch
await sql`select setseed(0.77)`.execute(db);
const confirmAt = new Date(START.getTime() + 11 * 86_400_000 + 12 * 3600_000);
const from = new Date(confirmAt.getTime() - 3 * 86_400_000);
const at = new Date(confirmAt.getTime() + 86_400_000);
const picked = await sql<{ person_id: string }>`select person_id from (select distinct person_id from checkins where checkin_at >= ${from} and checkin_at < ${confirmAt}) x order by md5(person_id::text) limit ${N}`.execute(db);
const cases = picked.rows.map((r) => r.person_id);
const iso = (d: Date | null) => (d ? d.toISOString() : '');
for (const massExposure of [100, 0]) {
  for (const chunk of [1, 25]) {
    const c = crypto.createHash('sha256');
    const m = crypto.createHash('sha256');
    let contacts = 0;
    let exposures = 0;
    let masses = 0;
    let people = 0;
    const levels = [0, 0, 0];
    for (let i = 0; i < cases.length; i += chunk) {
      const part = cases.slice(i, i + chunk);
      const rs = await traceCasesFull(db, part.map((p) => ({ personId: p, from, to: confirmAt, at, levels: 2, minOverlapMinutes: 0, massExposure })));
      rs.forEach((r, k) => {
        c.update(`case ${part[k]}\n`);
        for (const x of r.contacts) {
          contacts++;
          levels[x.level]!++;
          c.update(`${x.personId} ${x.level} ${x.viaPersonId ?? ''}\n`);
          for (const e of x.exposures) {
            exposures++;
            c.update(` ${e.kind} ${e.via} ${e.venueId ?? ''} ${iso(e.from)} ${iso(e.to)} ${e.overlapMinutes ?? ''} ${e.sourcePersonId} ${e.sourcesCount}\n`);
          }
        }
        m.update(`case ${part[k]}\n`);
        for (const x of r.massExposures) {
          masses++;
          people += x.peopleCount;
          m.update(`${x.level} ${x.venueId} ${iso(x.from)} ${iso(x.to)} ${x.sourcesCount} ${x.peopleCount}\n`);
        }
      });
    }
    console.log(
      `rule ${massExposure || 'off'}, chunks of ${chunk}: ${cases.length} cases, ${contacts} contacts (F1 ${levels[1]}, F2 ${levels[2]}), ${exposures} exposures, contacts ${c.digest('hex').slice(0, 16)}; ${masses} mass exposures, ${people} people not listed, mass ${m.digest('hex').slice(0, 16)}`,
    );
  }
}
await handle.close();
