// The site day: screening, dose (with warnings and refusals), observation, AEFI, voiding. A dose is recorded and
// `vaccination.dose-recorded` published in one transaction; the lot's `used` counter is bounded by a CHECK.
import { sql } from 'kysely';
import type { Db, DbOrTx } from '../../platform/db/types';
import { AppError, conflict, invalidField } from '../../platform/http/errors';
import type { Events } from '../../platform/events';
import { localDay } from '../../platform/time';
import { classify, doseWarnings, mayVaccinate, type DoseWarning, type ScreeningAnswers } from './rules';
import { inTx } from './booking';
import './events';

export const OBSERVATION_MINUTES = 30;

export interface SiteRow {
  id: string;
  code: string;
  name: string;
  commune_code: string;
  /** false once closed (close.ts): no new session, booking or walk-in */
  active: boolean;
}

export async function findSite(db: DbOrTx, id: string): Promise<SiteRow | null> {
  const r = await sql<SiteRow>`select id, code, name, commune_code, active from vaccination_sites where id = ${id}`.execute(db);
  return r.rows[0] ?? null;
}

export async function recordScreening(
  db: DbOrTx,
  s: { personId: string; siteId: string; answers: ScreeningAnswers; temperature: number | null; age: number | null; consent: boolean; consentBy: 'self' | 'guardian' | null; by: string; now: Date },
) {
  const c = classify(s.answers, { age: s.age, temperature: s.temperature });
  const r = await sql<{ id: string }>`
    insert into vaccination_screenings (person_id, site_id, answers, temperature, outcome, rules, consent, consent_by, screened_by, screened_at)
    values (${s.personId}, ${s.siteId}, ${JSON.stringify(s.answers)}::jsonb, ${s.temperature}, ${c.outcome}, ${c.rules}::text[], ${s.consent}, ${s.consentBy}, ${s.by}, ${s.now})
    returning id`.execute(db);
  return { id: r.rows[0]!.id, ...c };
}

interface ProductRow {
  code: string;
  name: string;
  manufacturer_code: string;
  manufacturer_name: string;
  prophylaxis_code: string;
  doses_in_schedule: number;
  interval_days: number;
  min_age: number;
  max_age: number | null;
}

export interface DoseInput {
  personId: string;
  siteId: string;
  lotId: string;
  doseNumber: number;
  vaccinator: string;
  screeningId: string;
  bookingId?: string | null;
  /** the staff saw the warnings and give the dose anyway */
  acknowledgeWarnings: boolean;
  age: number | null;
  by: string;
  now: Date;
  timeZone: string;
}

export interface EarlierDoseRow {
  id: string;
  product_code: string;
  dose_number: number;
  given_on: string;
}

export async function validDoses(db: DbOrTx, personId: string): Promise<EarlierDoseRow[]> {
  const r = await sql<EarlierDoseRow>`
    select id, product_code, dose_number, to_char(given_on, 'YYYY-MM-DD') as given_on from vaccination_doses
    where person_id = ${personId} and status = 'valid' order by dose_number`.execute(db);
  return r.rows;
}

interface DoseFacts {
  lot: { id: string; site_id: string; product_code: string; lot_number: string; expires_on: string; left: number } | null;
  screening: { person_id: string; outcome: string; consent: boolean; screened_at: string } | null;
  product: ProductRow | null;
  earlier: EarlierDoseRow[];
  booking_id: string | null;
}

/**
 * Records a dose after every check; returns the dose id and the warnings acknowledged. Few round trips (the site day
 * waits on them): one statement reads the lot, the screening, the product, the earlier doses and the live booking;
 * one statement takes the dose from the lot, inserts the dose and closes the booking; the event and the caller's
 * audit row (`audit`, written in the same transaction) follow. Two stations recording the same dose: the partial
 * unique index on (person, dose number) refuses the second (409); the lot's CHECK refuses a dose it does not have.
 */
export async function recordDose(
  db: Db,
  events: Events,
  d: DoseInput,
  site: SiteRow,
  audit?: (tx: DbOrTx, r: { id: string; warnings: DoseWarning[] }) => Promise<void>,
): Promise<{ id: string; warnings: DoseWarning[]; observeUntil: Date }> {
  const today = localDay(d.now, d.timeZone);
  return inTx(db, async (tx) => {
    const f = (
      await sql<DoseFacts>`
        select
          (select row_to_json(l) from (select id, site_id, product_code, lot_number, to_char(expires_on, 'YYYY-MM-DD') as expires_on, quantity - used - wasted as left
                                        from vaccine_lots where id = ${d.lotId}) l) as lot,
          (select row_to_json(s) from (select person_id, outcome, consent, screened_at from vaccination_screenings where id = ${d.screeningId}) s) as screening,
          (select row_to_json(p) from vaccine_products p where p.code = (select product_code from vaccine_lots where id = ${d.lotId})) as product,
          coalesce((select json_agg(e order by e.dose_number) from (select id, product_code, dose_number, to_char(given_on, 'YYYY-MM-DD') as given_on from vaccination_doses
                                                                    where person_id = ${d.personId} and status = 'valid') e), '[]'::json) as earlier,
          (select id from vaccination_bookings where person_id = ${d.personId} and dose_number = ${d.doseNumber} and status = 'booked' limit 1) as booking_id`.execute(tx)
    ).rows[0]!;
    const lot = f.lot;
    if (!lot) throw invalidField('body.lotId', 'is not a known lot');
    if (lot.site_id !== site.id) throw invalidField('body.lotId', 'is a lot of another site');
    if (lot.expires_on < today) throw new AppError(400, 'LOT_EXPIRED', `body.lotId: lot ${lot.lot_number} expired on ${lot.expires_on}; do not use it`, [{ path: 'body.lotId', message: `expired on ${lot.expires_on}` }]);
    const outOfStock = () => new AppError(409, 'OUT_OF_STOCK', `body.lotId: lot ${lot.lot_number} has no doses left`, [{ path: 'body.lotId', message: 'no doses left' }]);
    if (lot.left <= 0) throw outOfStock();
    const scr = f.screening;
    if (!scr || scr.person_id !== d.personId) throw invalidField('body.screeningId', 'is not a screening of this person');
    if (localDay(new Date(scr.screened_at), d.timeZone) !== today) throw invalidField('body.screeningId', 'was not made today; screen again');
    if (!mayVaccinate(scr.outcome as never)) throw new AppError(409, 'NOT_ELIGIBLE', `The screening classified this person as ${scr.outcome}; no dose today`, [{ path: 'body.screeningId', message: scr.outcome }]);
    if (!scr.consent) throw new AppError(409, 'NO_CONSENT', 'Consent was not recorded at screening', [{ path: 'body.screeningId', message: 'no consent' }]);
    const product = f.product!;
    const earlier = f.earlier;
    // the same dose again (a second station, a retry), whether it committed before this read or races with it: 409
    const alreadyRecorded = () => conflict(`Dose ${d.doseNumber} of this person was just recorded (another station?)`, [{ path: 'body.doseNumber', message: 'already recorded' }]);
    if (earlier.some((e) => e.dose_number === d.doseNumber)) throw alreadyRecorded();
    if (d.doseNumber !== earlier.length + 1)
      throw invalidField('body.doseNumber', `must be ${earlier.length + 1}: this person has ${earlier.length} valid dose(s) recorded`);
    if (d.doseNumber > product.doses_in_schedule + 3) throw invalidField('body.doseNumber', 'is beyond any schedule');
    const warnings = doseWarnings(
      { code: product.code, minAge: product.min_age, maxAge: product.max_age, intervalDays: product.interval_days },
      d.age,
      earlier.map((e) => ({ productCode: e.product_code, doseNumber: e.dose_number, givenOn: e.given_on })),
      today,
    );
    if (warnings.length && !d.acknowledgeWarnings)
      throw new AppError(409, 'WARNINGS', `Check before giving the dose: ${warnings.join(', ')}; send acknowledgeWarnings: true to give it anyway`, warnings.map((w) => ({ path: 'body', message: w })));
    const observeUntil = new Date(d.now.getTime() + OBSERVATION_MINUTES * 60_000);
    // the booking of this dose: the one given, else the person's live booking of this dose number
    const bookingId = d.bookingId ?? f.booking_id;
    let row: { id: string } | undefined;
    try {
      row = (
        await sql<{ id: string }>`
          with used as (update vaccine_lots set used = used + 1 where id = ${lot.id} returning id),
          dose as (
            insert into vaccination_doses (person_id, product_code, lot_id, lot_number, dose_number, series_doses, given_at, given_on, site_id, commune_code,
              vaccinator, screening_id, booking_id, warnings, observe_until, recorded_by)
            select ${d.personId}, ${product.code}, used.id, ${lot.lot_number}, ${d.doseNumber}, ${product.doses_in_schedule}, ${d.now}, ${today}, ${site.id},
              ${site.commune_code}, ${d.vaccinator}, ${d.screeningId}, ${bookingId}, ${warnings}::text[], ${observeUntil}, ${d.by} from used
            returning id),
          attended as (update vaccination_bookings set status = 'attended', closed_at = ${d.now} where id = ${bookingId} and status = 'booked' and exists (select 1 from dose))
          select id from dose`.execute(tx)
      ).rows[0];
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === '23514') throw outOfStock();
      if (code === '23505') throw alreadyRecorded();
      throw e;
    }
    if (!row) throw invalidField('body.lotId', 'is not a known lot');
    await events.publish(tx, 'vaccination.dose-recorded', {
      doseId: row.id,
      personId: d.personId,
      givenOn: today,
      doseNumber: d.doseNumber,
      seriesDoses: product.doses_in_schedule,
      product: { code: product.code, name: product.name, manufacturerCode: product.manufacturer_code, manufacturerName: product.manufacturer_name, prophylaxisCode: product.prophylaxis_code },
      lot: lot.lot_number,
      siteCode: site.code,
      communeCode: site.commune_code,
      correction: false,
    });
    if (audit) await audit(tx, { id: row.id, warnings });
    return { id: row.id, warnings, observeUntil };
  });
}

export interface DoseRow {
  id: string;
  person_id: string;
  commune_code: string;
  status: string;
  lot_id: string | null;
  observe_until: Date;
  observation_ended_at: Date | null;
}

export async function findDose(db: DbOrTx, id: string): Promise<DoseRow | null> {
  const r = await sql<DoseRow>`select id, person_id, commune_code, status, lot_id, observe_until, observation_ended_at from vaccination_doses where id = ${id}`.execute(db);
  return r.rows[0] ?? null;
}

export async function endObservation(db: DbOrTx, dose: DoseRow, note: string | null, now: Date, early: boolean) {
  if (dose.observation_ended_at) throw conflict('The observation of this dose has ended already');
  if (now < dose.observe_until && !early)
    throw new AppError(409, 'OBSERVATION_RUNNING', `The ${OBSERVATION_MINUTES}-minute observation runs until ${dose.observe_until.toISOString()}; send early: true with a note to end it sooner`, [{ path: 'body.early', message: 'observation still running' }]);
  if (now < dose.observe_until && early && !note) throw invalidField('body.note', 'is required to end the observation early');
  await sql`update vaccination_doses set observation_ended_at = ${now}, observation_note = ${note} where id = ${dose.id}`.execute(db);
}

export async function recordAefi(
  db: DbOrTx,
  a: { doseId: string; severity: string; symptoms: string[]; onsetAt: Date; outcome: string; hospitalised: boolean; notes: string; by: string; now: Date },
) {
  const r = await sql<{ id: string }>`
    insert into vaccination_aefi (dose_id, severity, symptoms, onset_at, outcome, hospitalised, notes, recorded_by, recorded_at)
    values (${a.doseId}, ${a.severity}, ${a.symptoms}::text[], ${a.onsetAt}, ${a.outcome}, ${a.hospitalised}, ${a.notes}, ${a.by}, ${a.now}) returning id`.execute(db);
  return r.rows[0]!.id;
}

/** Voids a dose entered in error: the lot gets the dose back, `vaccination.dose-voided` is published. */
export async function voidDose(db: Db, events: Events, dose: DoseRow, reason: string, now: Date) {
  await inTx(db, async (tx) => {
    const r = await sql`update vaccination_doses set status = 'voided', void_reason = ${reason}, voided_at = ${now} where id = ${dose.id} and status = 'valid'`.execute(tx);
    if (Number(r.numAffectedRows ?? 0) !== 1) throw conflict('This dose is voided already');
    if (dose.lot_id) await sql`update vaccine_lots set used = used - 1 where id = ${dose.lot_id}`.execute(tx);
    await events.publish(tx, 'vaccination.dose-voided', { doseId: dose.id, personId: dose.person_id, reason });
  });
}

