// Demo data for `vigil demo` / the first `npm start`: a living province built on the venues' demo check-ins —
// two confirmed cases in Vinh traced from their check-ins, one of their F1s confirmed since (a cluster of three),
// a case isolating at home, daily follow-ups (one fever), two quarantine/isolation places with occupants and
// cameras. Idempotent: nothing is added when a case already exists.
import { sql } from 'kysely';
import type { AppContext } from '../../platform/module';
import { dayOf, plusDays } from './days';
import { confirmCase, warningOptions } from './events';
import { recordFollowUp } from './followups';
import { admitToPlace } from './places';
import { runCaseTrace } from './service';

export async function seedCasesDemo(ctx: AppContext) {
  const db = ctx.db;
  if (await db.selectFrom('cases').select('id').limit(1).executeTakeFirst()) return;
  const now = ctx.config.clock();
  const tz = ctx.config.timeZone;
  const today = dayOf(now, tz);
  // the people with the most check-ins in the last three days: the likeliest to have met others. Person ids are
  // random UUIDs, so every choice below is ordered by the demo people's fixed phone numbers (the venues' demo
  // check-ins come from a seeded generator relative to now): the same cluster on every run
  const busy = await sql<{ person_id: string; n: string }>`
    select c.person_id, count(*) as n from checkins c join persons p on p.id = c.person_id and p.commune_code is not null
    where c.checkin_at > ${new Date(now.getTime() - 3 * 86_400_000)} and c.checkin_at <= ${now}
    group by c.person_id, p.phone order by count(*) desc, p.phone, c.person_id limit 3`.execute(db);
  if (busy.rows.length < 2) return;
  const cdc = await db.selectFrom('users').select('id').where('username', '=', 'cdc.nghean').executeTakeFirst();
  const communes = (await db.selectFrom('admin_units').select('code').where('parent_code', '=', '412').orderBy('code').limit(3).execute()).map((c) => c.code);

  const places = await db
    .insertInto('quarantine_places')
    .values([
      { name: 'Khu cách ly tập trung KTX Đại học Vinh', kind: 'concentrated', purpose: 'quarantine', commune_code: communes[0]!, address: '182 Lê Duẩn, TP Vinh', capacity: 300, created_by: cdc?.id ?? null },
      { name: 'Bệnh viện dã chiến số 1 Nghệ An', kind: 'field_hospital', purpose: 'isolation', commune_code: communes[1] ?? communes[0]!, address: 'Đại lộ Lê Nin, TP Vinh', capacity: 500, created_by: cdc?.id ?? null },
    ])
    .returning(['id', 'kind'])
    .execute();
  const ktx = places[0]!.id;
  const hospital = places[1]!.id;
  await db
    .insertInto('place_cameras')
    .values([
      // two stand-ins that answer (this server's own /healthz: the probe may reach its own listener, nothing else on
      // loopback) and one that is down for an honest reason (a name that never resolves, RFC 2606 .invalid)
      { place_id: ktx, name: 'Cổng chính', location: 'Cổng Lê Duẩn', stream_url: `${ctx.config.publicUrl}/healthz` },
      { place_id: ktx, name: 'Hành lang khu A', location: 'Tầng 2', stream_url: 'rtsp://camera-khu-a.invalid/khu-a' },
      { place_id: hospital, name: 'Sảnh tiếp nhận', location: 'Tầng 1', stream_url: `${ctx.config.publicUrl}/healthz` },
    ])
    .execute();

  const confirm = async (personId: string, hoursAgo: number, onsetDaysAgo: number | null, isolation: 'home' | 'facility' | 'hospital', placeId: string | null) => {
    const c = await confirmCase(ctx, {
      personId,
      confirmedAt: new Date(now.getTime() - hoursAgo * 3600_000),
      onsetDate: onsetDaysAgo === null ? null : plusDays(today, -onsetDaysAgo),
      source: 'community',
      isolation,
      placeId,
      traceLevels: 2,
      createdBy: cdc?.id ?? null,
    });
    // trace now so the demo shows results at once (the case.confirmed delivery later finds nothing new)
    await runCaseTrace(db, c.id, ctx.config, now, warningOptions(ctx));
    if (placeId) await admitToPlace(db, { placeId, personId, caseId: c.id, admittedOn: dayOf(c.confirmed_at, tz) }).catch(() => undefined);
    return c;
  };
  const first = await confirm(busy.rows[0]!.person_id, 30, 2, 'hospital', hospital);
  await confirm(busy.rows[1]!.person_id, 20, null, 'home', null);

  // follow-ups of the F1s since their order started: mostly well, one with fever today
  const f1 = await db
    .selectFrom('case_contacts')
    .innerJoin('persons', 'persons.id', 'case_contacts.person_id')
    .selectAll('case_contacts')
    .where('level', '=', 1)
    .where('status', '=', 'monitoring')
    .orderBy('persons.phone')
    .orderBy('case_contacts.case_id')
    .execute();
  // the F1 confirmed below (a cluster of three), and the one with fever today: never the same person (a contact who
  // becomes a case has their open tasks closed). The F1 confirmed is one of the first case's (else, should that case
  // have met no one but the second case, one of the second's): the demo always shows a cluster of three
  const next = f1.find((c) => c.case_id === first.id && c.person_id !== busy.rows[1]!.person_id) ?? f1.find((c) => c.person_id !== busy.rows[0]!.person_id);
  const feverPerson = f1.find((c) => c.person_id !== next?.person_id)?.person_id;
  for (const [i, c] of f1.entries()) {
    for (let d = c.order_start < plusDays(today, -3) ? plusDays(today, -3) : c.order_start; d <= today; d = plusDays(d, 1)) {
      if (c.person_id !== feverPerson && (i + d.charCodeAt(9)) % 5 === 0 && d === today) continue; // some have not reported today
      const fever = c.person_id === feverPerson && d === today;
      await recordFollowUp(db, { personId: c.person_id, day: d, symptoms: fever, temperature: fever ? 38.6 : 36.4 + ((i * 7 + d.charCodeAt(9)) % 8) / 10, symptomList: fever ? ['cough'] : [], channel: i % 2 ? 'robot_call' : 'tracer' }, c.unit_code, cdc?.id ?? null, now);
    }
    if (i < 4) await admitToPlace(db, { placeId: ktx, personId: c.person_id, contactId: c.id, admittedOn: c.order_start, plannedDischargeOn: c.order_end }).catch(() => undefined);
  }
  // an F1 of the first case tested positive this morning: a cluster of three
  if (next) await confirm(next.person_id, 3, 0, 'hospital', hospital);
}
