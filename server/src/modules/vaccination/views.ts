// Reads shaped for the pages: a person's doses (with AEFI) and appointments, a site's usable lots.
import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';
import type { AppointmentViewT, DoseViewT } from './schema';
import { doseCount } from './rules';

// Doses and appointments are statements of their own (dosesOf, appointmentsOf: the health book) and parts of the site day's one-statement
// view (siteDayView): the same SQL, and the same mapping whether the rows come as rows or as JSON.
type Stamp = Date | string;
const iso = (t: Stamp) => new Date(t).toISOString();

interface DoseRow {
  id: string; dose_number: number; series_doses: number; product_code: string; product_name: string; lot_number: string | null; given_at: Stamp; given_on: string;
  site_name: string | null; warnings: string[]; observe_until: Stamp; observation_ended_at: Stamp | null; aefi: { severity: string; symptoms: string[]; outcome: string; onset_at: string }[];
}
const dosesSql = (personId: string) => sql<DoseRow>`
    select d.id, d.dose_number, d.series_doses, d.product_code, p.name as product_name, d.lot_number, d.given_at, to_char(d.given_on, 'YYYY-MM-DD') as given_on,
           s.name as site_name, d.warnings, d.observe_until, d.observation_ended_at,
           coalesce((select json_agg(json_build_object('severity', a.severity, 'symptoms', a.symptoms, 'outcome', a.outcome, 'onset_at', a.onset_at) order by a.onset_at)
                     from vaccination_aefi a where a.dose_id = d.id), '[]') as aefi
    from vaccination_doses d join vaccine_products p on p.code = d.product_code left join vaccination_sites s on s.id = d.site_id
    where d.person_id = ${personId} and d.status = 'valid' order by d.dose_number`;
const toDose = (d: DoseRow): DoseViewT => ({
  id: d.id,
  doseNumber: d.dose_number,
  // as the certificate says it: a booster after the primary series is n/n (rules.ts doseCount)
  seriesDoses: doseCount(d.dose_number, d.series_doses).sd,
  // the health book names it: "Mũi nhắc lại" / "Booster", not "3/3" read as the primary series
  booster: d.dose_number > d.series_doses ? d.dose_number - d.series_doses : null,
  productCode: d.product_code,
  productName: d.product_name,
  lot: d.lot_number,
  givenAt: iso(d.given_at),
  givenOn: d.given_on,
  siteName: d.site_name,
  warnings: d.warnings,
  observeUntil: iso(d.observe_until),
  observationEndedAt: d.observation_ended_at === null ? null : iso(d.observation_ended_at),
  aefi: d.aefi.map((a) => ({ severity: a.severity, symptoms: a.symptoms, outcome: a.outcome, onsetAt: iso(a.onset_at) })),
});

export async function dosesOf(db: DbOrTx, personId: string): Promise<DoseViewT[]> {
  return (await dosesSql(personId).execute(db)).rows.map(toDose);
}

interface AppointmentRow { id: string; dose_number: number; status: string; walk_in: boolean; starts_at: Stamp; site_id: string; site_name: string; address: string; product_code: string }
const appointmentsSql = (personId: string, liveOnly: boolean) => sql<AppointmentRow>`
    select b.id, b.dose_number, b.status, b.walk_in, sl.starts_at, si.id as site_id, si.name as site_name, si.address, se.product_code
    from vaccination_bookings b join vaccination_slots sl on sl.id = b.slot_id join vaccination_sessions se on se.id = sl.session_id
    join vaccination_sites si on si.id = se.site_id
    where b.person_id = ${personId} ${liveOnly ? sql`and b.status = 'booked'` : sql`and b.status <> 'moved'`}
    order by sl.starts_at`;
const toAppointment = (b: AppointmentRow): AppointmentViewT => ({
  id: b.id,
  doseNumber: b.dose_number,
  status: b.status,
  walkIn: b.walk_in,
  startsAt: iso(b.starts_at),
  siteId: b.site_id,
  siteName: b.site_name,
  siteAddress: b.address,
  productCode: b.product_code,
});

export async function appointmentsOf(db: DbOrTx, personId: string, liveOnly = false): Promise<AppointmentViewT[]> {
  return (await appointmentsSql(personId, liveOnly).execute(db)).rows.map(toAppointment);
}

interface LotRow { id: string; product_code: string; product_name: string; lot_number: string; expires_on: string; left: number }
const lotsSql = (siteId: string, today: string) => sql<LotRow>`
    select l.id, l.product_code, p.name as product_name, l.lot_number, to_char(l.expires_on, 'YYYY-MM-DD') as expires_on, l.quantity - l.used - l.wasted as left
    from vaccine_lots l join vaccine_products p on p.code = l.product_code
    where l.site_id = ${siteId} and l.expires_on >= ${today} and l.quantity - l.used - l.wasted > 0 order by l.expires_on`;
const toLot = (l: LotRow) => ({ id: l.id, productCode: l.product_code, productName: l.product_name, lotNumber: l.lot_number, expiresOn: l.expires_on, left: l.left });

/**
 * What the site-day page shows of a scanned person, in one statement (the scan waits on it): their valid doses, live
 * appointments, whether they registered anywhere, and the site's usable lots. Aggregating an ordered subquery keeps
 * its order.
 */
export async function siteDayView(db: DbOrTx, personId: string, siteId: string, today: string) {
  const r = (
    await sql<{ doses: DoseRow[]; appointments: AppointmentRow[]; registered: boolean; lots: LotRow[] }>`
      select coalesce((select json_agg(x) from (${dosesSql(personId)}) x), '[]') as doses,
             coalesce((select json_agg(x) from (${appointmentsSql(personId, true)}) x), '[]') as appointments,
             exists (select 1 from vaccination_registrations where person_id = ${personId}) as registered,
             coalesce((select json_agg(x) from (${lotsSql(siteId, today)}) x), '[]') as lots`.execute(db)
  ).rows[0]!;
  return { doses: r.doses.map(toDose), appointments: r.appointments.map(toAppointment), registered: r.registered, lots: r.lots.map(toLot) };
}

/** The ids among `ids` the vaccination record still refers to (the registry's purge keeps them). */
export async function personsInVaccination(db: DbOrTx, ids: string[]): Promise<string[]> {
  if (!ids.length) return [];
  const r = await sql<{ id: string }>`
    select person_id as id from vaccination_registrations where person_id = any(${ids}::uuid[])
    union select person_id from vaccination_bookings where person_id = any(${ids}::uuid[])
    union select person_id from vaccination_doses where person_id = any(${ids}::uuid[])
    union select person_id from vaccination_screenings where person_id = any(${ids}::uuid[])`.execute(db);
  return r.rows.map((x) => x.id);
}

/**
 * Merge: the merged record's vaccination rows follow the record that stays. A row the kept record already has
 * (the same campaign's registration, a live booking or valid dose of the same number) stays on the merged id for
 * officers to reconcile, rather than breaking a unique rule.
 */
export async function repointVaccination(db: DbOrTx, mergedId: string, keptId: string) {
  await sql`update vaccination_registrations r set person_id = ${keptId} where person_id = ${mergedId}
    and not exists (select 1 from vaccination_registrations k where k.person_id = ${keptId} and k.campaign_id = r.campaign_id)`.execute(db);
  await sql`update vaccination_bookings b set person_id = ${keptId} where person_id = ${mergedId}
    and not (status = 'booked' and exists (select 1 from vaccination_bookings k where k.person_id = ${keptId} and k.dose_number = b.dose_number and k.status = 'booked'))`.execute(db);
  await sql`update vaccination_doses d set person_id = ${keptId} where person_id = ${mergedId}
    and not (status = 'valid' and exists (select 1 from vaccination_doses k where k.person_id = ${keptId} and k.dose_number = d.dose_number and k.status = 'valid'))`.execute(db);
  await sql`update vaccination_screenings set person_id = ${keptId} where person_id = ${mergedId}`.execute(db);
}

/** A person's registrations with their priority claims (health book). */
export async function registrationsOf(db: DbOrTx, personId: string) {
  const r = await sql<{ id: string; campaign_name: string; priority_code: string | null; priority_status: string; priority_reason: string | null; priority_review_note: string | null; name_vi: string | null; name_en: string | null }>`
    select r.id, c.name as campaign_name, r.priority_code, r.priority_status, r.priority_reason, r.priority_review_note, g.name_vi, g.name_en
    from vaccination_registrations r join vaccination_campaigns c on c.id = r.campaign_id left join priority_groups g on g.code = r.priority_code
    where r.person_id = ${personId} order by r.created_at`.execute(db);
  return r.rows.map((x) => ({
    id: x.id,
    campaignName: x.campaign_name,
    priority: x.priority_code
      ? { code: x.priority_code, status: x.priority_status as 'accepted' | 'review' | 'refused', reason: x.priority_reason ?? '', note: x.priority_review_note, nameVi: x.name_vi ?? x.priority_code, nameEn: x.name_en ?? x.priority_code }
      : null,
  }));
}
