// Rules of cases and contacts: case codes, infectious windows, confirming a case, tracing results into contacts
// with quarantine/monitoring orders, a contact becoming a case. Takes a Db (or transaction) and plain values.
import { sql } from 'kysely';
import type { Db, DbOrTx } from '../../platform/db/types';
import type { SubtreeResolver } from '../../platform/auth/access';
import { conflict, invalidField, notFound } from '../../platform/http/errors';
import { getPersonIdentities } from '../people';
import { dayOf, dayStart, plusDays } from './days';
import type { CaseRow } from './tables';
import { publishContactWarnings, type WarningOptions } from './warnings';
import { traceCaseFull } from './trace';
import { firstExposure, lastExposure, STAY_CAP_MS, type MassExposure, type TracedContact, type TracedExposure } from './trace-types';

/** The settings tracing and orders follow (from Config). */
export interface CaseSettings {
  timeZone: string;
  traceDaysBefore: number;
  traceMinOverlapMinutes: number;
  /** the mass-exposure threshold (0: off) */
  traceMassExposure: number;
  traceLevels: number;
  f1QuarantineDays: number;
  f2MonitoringDays: number;
}

export const CASE_SOURCES = ['community', 'imported', 'quarantine'] as const;
export const CASE_STATUSES = ['active', 'recovered', 'died'] as const;
export const ISOLATIONS = ['home', 'facility', 'hospital'] as const;

/**
 * The infectious window: from local midnight `traceDaysBefore` days before symptom onset (else before the test,
 * else before the confirmation), until isolation (else the confirmation).
 */
export function infectiousWindow(c: Pick<CaseRow, 'onset_date' | 'test_date' | 'confirmed_at' | 'isolated_at'>, s: CaseSettings) {
  const anchor = c.onset_date ?? c.test_date ?? dayOf(c.confirmed_at, s.timeZone);
  const from = dayStart(plusDays(anchor, -s.traceDaysBefore), s.timeZone);
  const to = c.isolated_at ?? c.confirmed_at;
  return { from, to: to > from ? to : from };
}

/** Days an order lasts from the last exposure: 14 (F1, quarantine), 7 (F2 and beyond, monitoring) by default. */
export const orderDays = (level: number, s: CaseSettings) => (level === 1 ? s.f1QuarantineDays : s.f2MonitoringDays);

/** Initials of a province name without diacritics: "Nghệ An" → "NA", "Hồ Chí Minh" → "HCM". */
export function provinceInitials(name: string): string {
  const plain = name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'D')
    .replace(/^(Tinh|Thanh pho|TP\.?)\s+/i, '');
  return (
    plain
      .split(/[\s-]+/)
      .filter((w) => /^[A-Za-z]/.test(w))
      .map((w) => w[0]!.toUpperCase())
      .join('')
      .slice(0, 4) || 'X'
  );
}

/** Next readable case code of a province, e.g. NA40-00017 (initials + province code + sequence). */
export async function nextCaseCode(tx: DbOrTx, provinceCode: string, provinceName: string): Promise<string> {
  const r = await sql<{ last_value: number }>`
    insert into case_code_counters (province_code, last_value) values (${provinceCode}, 1)
    on conflict (province_code) do update set last_value = case_code_counters.last_value + 1
    returning last_value`.execute(tx);
  return `${provinceInitials(provinceName)}${provinceCode}-${String(r.rows[0]!.last_value).padStart(5, '0')}`;
}

/** The province (depth-1 unit) a unit belongs to. */
export async function provinceOf(resolver: SubtreeResolver, unitCode: string) {
  const u = await resolver.unit(unitCode);
  if (!u) return null;
  const code = u.path.split('/').filter(Boolean)[1];
  if (!code) return null;
  return resolver.unit(code);
}

export interface NewCase {
  personId: string;
  communeCode?: string | null;
  confirmedAt: Date;
  onsetDate?: string | null;
  testDate?: string | null;
  isolatedAt?: Date | null;
  source: (typeof CASE_SOURCES)[number];
  isolation?: (typeof ISOLATIONS)[number];
  placeId?: string | null;
  notes?: string;
  origin?: 'officer' | 'test' | 'contact';
  originRef?: string | null;
  traceLevels?: number;
  createdBy?: string | null;
}

/**
 * Confirm a case inside `tx`: a readable code, the commune (the person's unless given), and every contact row of
 * the person under monitoring ends ("became a case"), their last reported symptoms carried into the case.
 * The caller publishes case.confirmed in the same transaction.
 */
export async function insertCase(tx: DbOrTx, resolver: SubtreeResolver, c: NewCase, now: Date, prefix = 'body'): Promise<CaseRow> {
  const person = (await getPersonIdentities(tx, [c.personId])).get(c.personId);
  if (!person) throw notFound('Person');
  const communeCode = c.communeCode ?? person.communeCode;
  if (!communeCode) throw invalidField(`${prefix}.communeCode`, 'the person has no commune on record: give the commune that follows the case');
  const commune = await resolver.unit(communeCode);
  if (!commune) throw invalidField(`${prefix}.communeCode`, `is not a known administrative unit ("${communeCode}")`);
  const province = await provinceOf(resolver, communeCode);
  if (!province) throw invalidField(`${prefix}.communeCode`, 'must be inside a province');
  for (const [field, day] of [['onsetDate', c.onsetDate], ['testDate', c.testDate]] as const)
    if (day && day > plusDays(dayOf(c.confirmedAt, 'UTC'), 1)) throw invalidField(`${prefix}.${field}`, 'is after the confirmation');
  if (c.confirmedAt.getTime() > now.getTime() + 3600_000) throw invalidField(`${prefix}.confirmedAt`, 'is in the future');
  if (c.placeId) {
    const place = await tx.selectFrom('quarantine_places').select('id').where('id', '=', c.placeId).executeTakeFirst();
    if (!place) throw invalidField(`${prefix}.placeId`, 'is not a known quarantine/isolation place');
  }
  const open = await tx.selectFrom('cases').select('code').where('person_id', '=', c.personId).where('status', '=', 'active').executeTakeFirst();
  if (open) throw conflict(`This person is already an active case (${open.code})`, [{ path: `${prefix}.personId`, message: `already case ${open.code}` }]);
  const code = await nextCaseCode(tx, province.code, province.name);
  const lastSymptoms = await tx
    .selectFrom('follow_ups')
    .select(['day', 'symptoms', 'temperature', 'symptom_list'])
    .where('person_id', '=', c.personId)
    .orderBy('day', 'desc')
    .limit(1)
    .executeTakeFirst();
  const row = await tx
    .insertInto('cases')
    .values({
      code,
      person_id: c.personId,
      province_code: province.code,
      commune_code: commune.code,
      confirmed_at: c.confirmedAt,
      onset_date: c.onsetDate ?? null,
      test_date: c.testDate ?? null,
      isolated_at: c.isolatedAt ?? null,
      source: c.source,
      isolation: c.isolation ?? 'facility',
      place_id: c.placeId ?? null,
      origin: c.origin ?? 'officer',
      origin_ref: c.originRef ?? null,
      notes: c.notes ?? '',
      last_symptoms: lastSymptoms
        ? JSON.stringify({ day: lastSymptoms.day, symptoms: lastSymptoms.symptoms, temperature: lastSymptoms.temperature === null ? null : Number(lastSymptoms.temperature), symptomList: lastSymptoms.symptom_list })
        : null,
      trace_levels: c.traceLevels ?? 2,
      created_by: c.createdBy ?? null,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  // contact follow-up ends: the person is a case now
  await tx
    .updateTable('case_contacts')
    .set({ status: 'became_case', became_case_id: row.id, status_changed_at: now, updated_at: now })
    .where('person_id', '=', c.personId)
    .where('status', 'in', ['monitoring', 'lost', 'completed'])
    .execute();
  await tx.updateTable('case_tasks').set({ status: 'done', done_at: now }).where('person_id', '=', c.personId).where('status', '=', 'open').execute();
  return row;
}

// ── tracing results → contacts ───────────────────────────────────────────────

export interface ContactInput {
  personId: string;
  level: number;
  viaPersonId: string | null;
  origin: 'trace' | 'manual' | 'import';
  exposures: {
    kind: 'venue' | 'household' | 'workplace' | 'travel' | 'other';
    via: 'checkin' | 'declaration' | 'household' | 'manual' | 'import';
    venueId: string | null;
    from: Date | null;
    to: Date | null;
    overlapMinutes: number | null;
    sourcePersonId: string | null;
    /** sources present during a venue stay (1 for the other kinds) */
    sourcesCount?: number;
    note?: string;
  }[];
}

const exposureOf = (e: TracedExposure): ContactInput['exposures'][number] => ({
  kind: e.kind,
  via: e.via,
  venueId: e.venueId,
  from: e.from,
  to: e.to,
  overlapMinutes: e.overlapMinutes,
  sourcePersonId: e.sourcePersonId,
  sourcesCount: e.sourcesCount,
});

export const contactInputOf = (c: TracedContact): ContactInput => ({
  personId: c.personId,
  level: c.level,
  viaPersonId: c.viaPersonId,
  origin: 'trace',
  exposures: c.exposures.map(exposureOf),
});

/**
 * Add or update contacts of a case: one row per person per case at the lowest level found, every exposure kept
 * (one per venue stay, one per source for the other kinds; re-tracing adds nothing twice, a stay traced again keeps
 * the larger count of sources and the longer overlap), the order recomputed from the last exposure. People who are themselves active
 * cases are recorded as "became a case" (a link of the transmission chain), not put under monitoring.
 */
export async function upsertContacts(tx: DbOrTx, caseRow: CaseRow, contacts: ContactInput[], s: CaseSettings, now: Date, inserted?: string[]): Promise<number> {
  if (!contacts.length) return 0;
  const ids = contacts.map((c) => c.personId);
  const people = await getPersonIdentities(tx, ids);
  const activeCases = new Map(
    (await tx.selectFrom('cases').select(['id', 'person_id']).where('person_id', 'in', ids).where('status', '=', 'active').execute()).map((r) => [r.person_id, r.id]),
  );
  let added = 0;
  for (let i = 0; i < contacts.length; i += 1000) {
    const chunk = contacts.slice(i, i + 1000).filter((c) => people.has(c.personId) && c.personId !== caseRow.person_id);
    if (!chunk.length) continue;
    const rows = chunk.map((c) => {
      const times = c.exposures.flatMap((e) => [e.from, e.to]).filter((d): d is Date => !!d);
      const last = times.length ? new Date(Math.max(...times.map((d) => d.getTime()))) : now;
      const first = c.exposures.map((e) => e.from).filter((d): d is Date => !!d);
      const start = dayOf(last, s.timeZone);
      const becameCase = activeCases.get(c.personId);
      return {
        case_id: caseRow.id,
        person_id: c.personId,
        level: c.level,
        unit_code: people.get(c.personId)!.communeCode ?? caseRow.commune_code,
        via_person_id: c.viaPersonId,
        first_exposure_at: first.length ? new Date(Math.min(...first.map((d) => d.getTime()))) : last,
        last_exposure_at: last,
        order_kind: c.level === 1 ? 'quarantine' : 'monitoring',
        order_start: start,
        order_end: plusDays(start, orderDays(c.level, s)),
        status: becameCase ? 'became_case' : 'monitoring',
        became_case_id: becameCase ?? null,
        origin: c.origin,
        created_at: now,
        updated_at: now,
      };
    });
    const rowsBack = await tx
      .insertInto('case_contacts')
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['case_id', 'person_id']).doUpdateSet({
          level: sql`least(case_contacts.level, excluded.level)`,
          via_person_id: sql`case when excluded.level < case_contacts.level then excluded.via_person_id else case_contacts.via_person_id end`,
          first_exposure_at: sql`least(case_contacts.first_exposure_at, excluded.first_exposure_at)`,
          last_exposure_at: sql`greatest(case_contacts.last_exposure_at, excluded.last_exposure_at)`,
          updated_at: now,
        }),
      )
      .returning(['id', 'person_id', sql<boolean>`(xmax = 0)`.as('inserted')])
      .execute();
    added += rowsBack.filter((r) => r.inserted).length;
    for (const r of rowsBack) if (r.inserted) inserted?.push(r.person_id);
    const idOf = new Map(rowsBack.map((r) => [r.person_id, r.id]));
    const exposures = chunk.flatMap((c) =>
      c.exposures.map((e) => ({
        contact_id: idOf.get(c.personId)!,
        kind: e.kind,
        via: e.via,
        venue_id: e.venueId,
        from_at: e.from,
        to_at: e.to,
        overlap_minutes: e.overlapMinutes,
        source_person_id: e.sourcePersonId,
        sources_count: Math.max(1, e.sourcesCount ?? 1),
        note: e.note ?? '',
      })),
    );
    // two stays of one person at one venue that overlap (scanned in twice) may meet the sources from the same moment:
    // one row (an upsert may not touch a row twice)
    const byStay = new Map<string, (typeof exposures)[number]>();
    for (const e of exposures) {
      if (e.kind !== 'venue') continue;
      const k = `${e.contact_id}|${e.via}|${e.venue_id}|${e.from_at?.getTime()}`;
      const o = byStay.get(k);
      if (!o) byStay.set(k, e);
      else {
        if ((e.overlap_minutes ?? 0) > (o.overlap_minutes ?? 0)) Object.assign(o, { overlap_minutes: e.overlap_minutes, source_person_id: e.source_person_id });
        if (e.to_at && o.to_at && e.to_at > o.to_at) o.to_at = e.to_at;
        o.sources_count = Math.max(o.sources_count, e.sources_count);
      }
    }
    const venue = [...byStay.values()];
    const other = exposures.filter((e) => e.kind !== 'venue');
    const cols = sql`contact_id uuid, kind text, via text, venue_id uuid, from_at timestamptz, to_at timestamptz, overlap_minutes int, source_person_id uuid, sources_count int, note text`;
    // one row per stay (contact_exposures_stay_key): traced again, the stay keeps the most sources and the longest overlap
    for (let j = 0; j < venue.length; j += 2000)
      await sql`insert into contact_exposures (contact_id, kind, via, venue_id, from_at, to_at, overlap_minutes, source_person_id, sources_count, note)
        select * from jsonb_to_recordset(${JSON.stringify(venue.slice(j, j + 2000))}::jsonb) as x(${cols})
        on conflict (contact_id, via, venue_id, from_at) where kind = 'venue' do update set
          to_at = greatest(contact_exposures.to_at, excluded.to_at),
          sources_count = greatest(contact_exposures.sources_count, excluded.sources_count),
          source_person_id = case when excluded.overlap_minutes > contact_exposures.overlap_minutes then excluded.source_person_id else contact_exposures.source_person_id end,
          overlap_minutes = greatest(contact_exposures.overlap_minutes, excluded.overlap_minutes)
        where (contact_exposures.to_at, contact_exposures.sources_count, contact_exposures.overlap_minutes) is distinct from
              (greatest(contact_exposures.to_at, excluded.to_at), greatest(contact_exposures.sources_count, excluded.sources_count), greatest(contact_exposures.overlap_minutes, excluded.overlap_minutes))`.execute(tx);
    for (let j = 0; j < other.length; j += 2000)
      await sql`insert into contact_exposures (contact_id, kind, via, venue_id, from_at, to_at, overlap_minutes, source_person_id, sources_count, note)
        select * from jsonb_to_recordset(${JSON.stringify(other.slice(j, j + 2000))}::jsonb) as x(${cols})
        on conflict do nothing`.execute(tx);
  }
  // orders follow the (possibly lowered) level and the latest exposure; only rows still under monitoring
  await sql`update case_contacts set
      order_kind = case when level = 1 then 'quarantine' else 'monitoring' end,
      order_start = (last_exposure_at at time zone ${s.timeZone})::date,
      order_end = (last_exposure_at at time zone ${s.timeZone})::date + case when level = 1 then ${s.f1QuarantineDays}::int else ${s.f2MonitoringDays}::int end
    where case_id = ${caseRow.id} and status = 'monitoring' and last_exposure_at is not null`.execute(tx);
  return added;
}

/** The case's own stays in its window (venue, entrance, from–to): what exposure notices publish. */
export async function caseStays(db: DbOrTx, personId: string, from: Date, to: Date) {
  const r = await sql<{ venue_id: string; entrance_id: string | null; a: Date; b: Date }>`
    select c.venue_id, c.entrance_id, greatest(c.checkin_at, ${from}::timestamptz) as a,
           least(coalesce(least(c.checkout_at, nx.checkin_at), c.auto_checkout_at), ${to}::timestamptz) as b
    from checkins c
    left join lateral (
      select n.checkin_at from checkins n
      where n.person_id = c.person_id and n.checkin_at > c.checkin_at and n.checkin_at < c.auto_checkout_at
        and n.checkin_at >= ${new Date(from.getTime() - STAY_CAP_MS)} and n.checkin_at < ${new Date(to.getTime() + STAY_CAP_MS)}
      order by n.checkin_at limit 1
    ) nx on true
    where c.person_id = ${personId} and c.checkin_at >= ${new Date(from.getTime() - STAY_CAP_MS)} and c.checkin_at < ${to}
    union all
    select d.venue_id, null, greatest(d.submitted_at, ${from}::timestamptz),
           least(d.submitted_at + make_interval(mins => v.default_stay_minutes), ${to}::timestamptz)
    from declarations d join venues v on v.id = d.venue_id
    where d.subject_person_id = ${personId} and d.venue_id is not null
      and d.submitted_at >= ${new Date(from.getTime() - STAY_CAP_MS)} and d.submitted_at < ${to}
  `.execute(db);
  return r.rows.filter((x) => x.b > x.a);
}

export interface TraceRunResult {
  f1: number;
  f2: number;
  deeper: number;
  massExposures: number;
  massPeople: number;
  massThreshold: number;
  added: number;
  notices: number;
  /** new contacts with a phone asked to be warned by SMS */
  warned: number;
  ms: number;
}

/**
 * Trace a confirmed case now: the engine, then contacts with orders and the exposure notices of the case's
 * stays, in one transaction; the case's trace status shows progress (running → done | failed).
 * Idempotent: running it again adds only what is new.
 */
export async function runCaseTrace(db: Db, caseId: string, s: CaseSettings, now: Date, warn?: WarningOptions): Promise<TraceRunResult> {
  const t0 = Date.now();
  const c = await db.selectFrom('cases').selectAll().where('id', '=', caseId).executeTakeFirst();
  if (!c) throw notFound('Case');
  await db.updateTable('cases').set({ trace_status: 'running', trace_started_at: now, trace_error: null }).where('id', '=', caseId).execute();
  try {
    const w = infectiousWindow(c, s);
    const { contacts: traced, massExposures } = await traceCaseFull(db, { personId: c.person_id, from: w.from, to: w.to, at: now > w.to ? now : w.to, levels: c.trace_levels, minOverlapMinutes: s.traceMinOverlapMinutes, massExposure: s.traceMassExposure });
    const stays = await caseStays(db, c.person_id, w.from, w.to);
    const result = await db.transaction().execute(async (tx) => {
      const fresh: string[] = [];
      const added = await upsertContacts(tx, c, traced.map(contactInputOf), s, now, fresh);
      // new contacts with a phone are warned by SMS (messaging), in this transaction: once per contact per case
      const warned = warn ? await publishContactWarnings(tx, warn, c, traced, fresh) : 0;
      let notices = 0;
      for (const st of stays) {
        const r = await tx
          .insertInto('exposure_notices')
          .values({ case_id: c.id, venue_id: st.venue_id, entrance_id: st.entrance_id, from_at: st.a, to_at: st.b, published_at: now })
          .onConflict((oc) => oc.doNothing())
          .executeTakeFirst();
        notices += Number(r.numInsertedOrUpdatedRows ?? 0);
      }
      notices += await publishMassNotices(tx, c.id, massExposures, now);
      const counts = {
        f1: traced.filter((x) => x.level === 1).length,
        f2: traced.filter((x) => x.level === 2).length,
        deeper: traced.filter((x) => x.level > 2).length,
        // the mass-exposure rule: crowded settings announced instead of listed, and the people there
        massExposures: massExposures.length,
        massPeople: massExposures.reduce((n, m) => n + m.peopleCount, 0),
        massThreshold: s.traceMassExposure,
        added,
        notices,
        warned,
        ms: Date.now() - t0,
      };
      await tx
        .updateTable('cases')
        .set({ trace_status: 'done', trace_finished_at: new Date(now.getTime() + counts.ms), trace_counts: JSON.stringify(counts), trace_error: null })
        .where('id', '=', caseId)
        .execute();
      return counts;
    });
    return result;
  } catch (err) {
    await db.updateTable('cases').set({ trace_status: 'failed', trace_error: (err as Error).message.slice(0, 500) }).where('id', '=', caseId).execute();
    throw err;
  }
}

/**
 * Mass exposures become exposure notices of their level (2: F1s of the case were there in a crowd): venue and window,
 * no identity, with the number of people there and of F1s. A re-trace widens a notice (a later `at`), never narrows it.
 */
async function publishMassNotices(tx: DbOrTx, caseId: string, mass: MassExposure[], now: Date): Promise<number> {
  if (!mass.length) return 0;
  const r = await sql`
    insert into exposure_notices (case_id, level, venue_id, from_at, to_at, people_count, sources_count, published_at)
    select ${caseId}::uuid, x.level, x.venue_id, x.from_at, x.to_at, x.people_count, x.sources_count, ${now}::timestamptz
    from unnest(${mass.map((m) => m.level)}::int[], ${mass.map((m) => m.venueId)}::uuid[], ${mass.map((m) => m.from.toISOString())}::timestamptz[],
                ${mass.map((m) => m.to.toISOString())}::timestamptz[], ${mass.map((m) => m.peopleCount)}::int[], ${mass.map((m) => m.sourcesCount)}::int[])
         as x(level, venue_id, from_at, to_at, people_count, sources_count)
    on conflict (case_id, level, venue_id, from_at) do update set
      to_at = greatest(exposure_notices.to_at, excluded.to_at),
      people_count = greatest(exposure_notices.people_count, excluded.people_count),
      sources_count = greatest(exposure_notices.sources_count, excluded.sources_count)
    where exposure_notices.withdrawn_at is null and (exposure_notices.to_at, exposure_notices.people_count, exposure_notices.sources_count)
      is distinct from (greatest(exposure_notices.to_at, excluded.to_at), greatest(exposure_notices.people_count, excluded.people_count), greatest(exposure_notices.sources_count, excluded.sources_count))
    returning (xmax = 0) as inserted`.execute(tx);
  return (r.rows as { inserted: boolean }[]).filter((x) => x.inserted).length;
}

export { firstExposure, lastExposure };
