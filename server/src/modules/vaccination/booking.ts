// Bookings: book (one dose, or doses 1 and 2 together), rebook, cancel, walk-ins. No overbooking is the database's
// job: a seat is taken by `update vaccination_slots set booked = booked + 1 where id = $1 and booked < capacity`,
// and CHECK (booked <= capacity) refuses any write that would exceed it; one live booking per person and dose is a
// partial unique index. A rebooking moves in one transaction: if the new seat is gone, the old one is kept.
import { sql } from 'kysely';
import type { Db, DbOrTx } from '../../platform/db/types';
import { AppError, conflict, invalidField, notFound } from '../../platform/http/errors';
import { ageLimitProblem, ageLimitText, daysBetween } from './rules';

/** A person too young or too old for the slot's product on the slot's day: 400 AGE_LIMIT naming `path`, else null. */
export function slotAgeError(slot: SlotInfo, person: { birthDate: string | null; birthYear: number | null }, path = 'body.personId'): AppError | null {
  const limits = { minAge: slot.min_age, maxAge: slot.max_age };
  const p = ageLimitProblem(limits, slot.day, person.birthDate, person.birthYear);
  if (!p) return null;
  const text = ageLimitText(p, limits, slot.product_name, slot.day);
  return new AppError(400, 'AGE_LIMIT', `${path}: ${text}`, [{ path, message: text }]);
}

export interface SlotInfo {
  id: string;
  session_id: string;
  campaign_id: string;
  site_id: string;
  commune_code: string;
  day: string;
  product_code: string;
  interval_days: number;
  doses_in_schedule: number;
  starts_at: Date;
  capacity: number;
  booked: number;
  product_name: string;
  min_age: number;
  max_age: number | null;
}

const slotSql = (where: ReturnType<typeof sql>) => sql<SlotInfo>`
    select sl.id, sl.session_id, se.campaign_id, se.site_id, si.commune_code, to_char(se.day, 'YYYY-MM-DD') as day,
           se.product_code, p.interval_days, p.doses_in_schedule, sl.starts_at, sl.capacity, sl.booked,
           p.name as product_name, p.min_age, p.max_age
    from vaccination_slots sl join vaccination_sessions se on se.id = sl.session_id
    join vaccination_sites si on si.id = se.site_id join vaccine_products p on p.code = se.product_code
    where ${where}`;

export async function slotInfo(db: DbOrTx, slotId: string): Promise<SlotInfo | null> {
  const r = await slotSql(sql`sl.id = ${slotId}`).execute(db);
  return r.rows[0] ?? null;
}

/** slotInfo of many slots in one query, in the order asked (null: no such slot). */
export async function slotInfos(db: DbOrTx, slotIds: string[]): Promise<(SlotInfo | null)[]> {
  const rows = (await slotSql(sql`sl.id = any(${slotIds}::uuid[])`).execute(db)).rows;
  const byId = new Map(rows.map((r) => [r.id, r]));
  return slotIds.map((id) => byId.get(id) ?? null);
}

export const slotFull = () => new AppError(409, 'SLOT_FULL', 'This slot is fully booked; choose another time', [{ path: 'body.slotId', message: 'is fully booked' }]);

/** Takes a seat in the slot or throws SLOT_FULL (the row update is atomic; the CHECK backs it). */
async function takeSeat(tx: DbOrTx, slotId: string, path = 'body.slotId') {
  const r = await sql`update vaccination_slots set booked = booked + 1 where id = ${slotId} and booked < capacity`.execute(tx);
  if (Number(r.numAffectedRows ?? 0) !== 1) throw await seatRefusal(tx, slotId, path);
}

// a closed slot (its site or campaign closed, close.ts) gives the seat back to no one: its capacity goes down with it
const freeSeat = (tx: DbOrTx, slotId: string) => sql`update vaccination_slots set booked = booked - 1, capacity = capacity - closed::int where id = ${slotId}`.execute(tx);

/** SLOT_CLOSED when the slot's site or campaign was closed (a closed slot has no free seat), else SLOT_FULL. */
export async function seatRefusal(db: DbOrTx, slotId: string, path = 'body.slotId'): Promise<AppError> {
  const r = await sql<{ closed: boolean }>`select closed from vaccination_slots where id = ${slotId}`.execute(db);
  if (r.rows[0]?.closed) return new AppError(409, 'SLOT_CLOSED', `${path}: this session is closed (its site or campaign was closed); choose another site`, [{ path, message: 'the session is closed' }]);
  const e = slotFull();
  return new AppError(e.statusCode, e.code, e.message, [{ path, message: 'is fully booked' }]);
}

export interface BookingRow {
  id: string;
  person_id: string;
  campaign_id: string;
  slot_id: string;
  dose_number: number;
  status: string;
  walk_in: boolean;
}

async function insertBooking(tx: DbOrTx, b: { personId: string; campaignId: string; slotId: string; doseNumber: number; walkIn: boolean; by: string | null; now: Date }) {
  try {
    const r = await sql<{ id: string }>`
      insert into vaccination_bookings (person_id, campaign_id, slot_id, dose_number, walk_in, booked_by, created_at)
      values (${b.personId}, ${b.campaignId}, ${b.slotId}, ${b.doseNumber}, ${b.walkIn}, ${b.by}, ${b.now}) returning id`.execute(tx);
    return r.rows[0]!.id;
  } catch (e) {
    if ((e as { code?: string }).code === '23505')
      throw conflict(`This person already has an appointment for dose ${b.doseNumber}; rebook or cancel it instead`, [{ path: 'body.doseNumber', message: 'already booked' }]);
    throw e;
  }
}

const isSerialization = (e: unknown) => ['40001', '40P01'].includes((e as { code?: string }).code ?? '');

/** Runs `fn` in a transaction, retried on deadlock/serialization failures (seat updates of the same rows). */
export async function inTx<T>(db: Db, fn: (tx: DbOrTx) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await db.transaction().execute(fn);
    } catch (e) {
      if (attempt < 3 && isSerialization(e)) continue;
      throw e;
    }
  }
}

export interface BookInput {
  personId: string;
  slotId: string;
  /** the slot of the next dose, booked in the same transaction (dose 1 + 2 together) */
  nextSlotId?: string;
  doseNumber: number;
  walkIn?: boolean;
  by: string | null;
  now: Date;
}

/** Books a dose (and the next one): both seats or neither. Checks the person is registered in the campaign. */
export async function book(db: Db, input: BookInput, slot: SlotInfo, next: SlotInfo | null): Promise<string[]> {
  if (slot.starts_at.getTime() < input.now.getTime() - 3_600_000 && !input.walkIn) throw invalidField('body.slotId', 'is in the past');
  if (next) {
    if (next.campaign_id !== slot.campaign_id) throw invalidField('body.nextSlotId', 'belongs to another campaign');
    if (next.product_code !== slot.product_code) throw invalidField('body.nextSlotId', 'is a session of another product');
    if (input.doseNumber >= slot.doses_in_schedule) throw invalidField('body.nextSlotId', `the product has ${slot.doses_in_schedule} dose(s) in its schedule`);
    const gap = daysBetween(slot.day, next.day);
    if (gap < slot.interval_days) throw invalidField('body.nextSlotId', `is ${gap} days after the first; the product needs at least ${slot.interval_days}`);
  }
  if (!next) return [await bookOne(db, input, slot)];
  return inTx(db, async (tx) => {
    const reg = await sql`select 1 from vaccination_registrations where campaign_id = ${slot.campaign_id} and person_id = ${input.personId}`.execute(tx);
    if (!reg.rows.length) throw invalidField('body.personId', 'is not registered in this campaign; register first');
    const ids: string[] = [];
    await takeSeat(tx, slot.id);
    ids.push(await insertBooking(tx, { personId: input.personId, campaignId: slot.campaign_id, slotId: slot.id, doseNumber: input.doseNumber, walkIn: !!input.walkIn, by: input.by, now: input.now }));
    if (next) {
      await takeSeat(tx, next.id, 'body.nextSlotId');
      ids.push(await insertBooking(tx, { personId: input.personId, campaignId: slot.campaign_id, slotId: next.id, doseNumber: input.doseNumber + 1, walkIn: false, by: input.by, now: input.now }));
    }
    return ids;
  });
}

/**
 * One dose in one statement (the common case, and the hot path under load): the seat is taken only if the person is
 * registered, and the booking row is inserted from the seat taken; a unique violation undoes both. When no row comes
 * back, a second look says why (not registered, or full).
 */
async function bookOne(db: Db, input: BookInput, slot: SlotInfo): Promise<string> {
  let rows: { id: string }[];
  try {
    rows = (
      await sql<{ id: string }>`
        with seat as (
          update vaccination_slots set booked = booked + 1
          where id = ${slot.id} and booked < capacity
            and exists (select 1 from vaccination_registrations where campaign_id = ${slot.campaign_id} and person_id = ${input.personId})
          returning id)
        insert into vaccination_bookings (person_id, campaign_id, slot_id, dose_number, walk_in, booked_by, created_at)
        select ${input.personId}, ${slot.campaign_id}, seat.id, ${input.doseNumber}, ${!!input.walkIn}, ${input.by}, ${input.now} from seat
        returning id`.execute(db)
    ).rows;
  } catch (e) {
    if ((e as { code?: string }).code === '23505')
      throw conflict(`This person already has an appointment for dose ${input.doseNumber}; rebook or cancel it instead`, [{ path: 'body.doseNumber', message: 'already booked' }]);
    throw e;
  }
  if (rows[0]) return rows[0].id;
  const reg = await sql`select 1 from vaccination_registrations where campaign_id = ${slot.campaign_id} and person_id = ${input.personId}`.execute(db);
  if (!reg.rows.length) throw invalidField('body.personId', 'is not registered in this campaign; register first');
  throw await seatRefusal(db, slot.id);
}

export async function findBooking(db: DbOrTx, id: string, lock = false): Promise<BookingRow | null> {
  const r = await sql<BookingRow>`select id, person_id, campaign_id, slot_id, dose_number, status, walk_in from vaccination_bookings where id = ${id} ${lock ? sql`for update` : sql``}`.execute(db);
  return r.rows[0] ?? null;
}

/** Moves a live booking to another slot: the new seat is taken and the old one freed in one transaction. */
export async function rebook(db: Db, bookingId: string, newSlot: SlotInfo, by: string | null, now: Date): Promise<string> {
  return inTx(db, async (tx) => {
    const old = await findBooking(tx, bookingId, true);
    if (!old) throw notFound('Booking');
    if (old.status !== 'booked') throw conflict(`This booking is ${old.status}; only a live booking can be moved`);
    if (old.slot_id === newSlot.id) throw invalidField('body.slotId', 'is the slot already booked');
    if (newSlot.campaign_id !== old.campaign_id) throw invalidField('body.slotId', 'belongs to another campaign');
    if (newSlot.starts_at.getTime() < now.getTime()) throw invalidField('body.slotId', 'is in the past');
    await takeSeat(tx, newSlot.id);
    await sql`update vaccination_bookings set status = 'moved', closed_at = ${now} where id = ${old.id}`.execute(tx);
    const id = await insertBooking(tx, { personId: old.person_id, campaignId: old.campaign_id, slotId: newSlot.id, doseNumber: old.dose_number, walkIn: false, by, now });
    await sql`update vaccination_bookings set replaced_by = ${id} where id = ${old.id}`.execute(tx);
    await freeSeat(tx, old.slot_id);
    return id;
  });
}

export async function cancel(db: Db, bookingId: string, now: Date): Promise<void> {
  await inTx(db, async (tx) => {
    const b = await findBooking(tx, bookingId, true);
    if (!b) throw notFound('Booking');
    if (b.status !== 'booked') throw conflict(`This booking is ${b.status} already`);
    await sql`update vaccination_bookings set status = 'cancelled', closed_at = ${now} where id = ${b.id}`.execute(tx);
    await freeSeat(tx, b.slot_id);
  });
}

/** The slot of a session that is open now or next with a free seat (walk-ins), or null. */
export async function walkInSlot(db: DbOrTx, sessionId: string, now: Date): Promise<string | null> {
  const r = await sql<{ id: string }>`
    select id from vaccination_slots where session_id = ${sessionId} and ends_at > ${now} and booked < capacity
    order by starts_at limit 1`.execute(db);
  return r.rows[0]?.id ?? null;
}
