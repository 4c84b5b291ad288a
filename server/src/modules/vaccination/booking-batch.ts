// Group commit of single-dose bookings (the hot path when a city books at once): concurrent requests are gathered by
// platform/batcher and written by ONE call of the SQL function vaccination_book_seats (migration 0004), a named
// prepared statement that is its own transaction: the slots the batch aims at are locked in id order (so batches and
// the one-at-a-time paths — rebook, cancel, dose 1 + 2 — never deadlock for long and never count seats twice), then
// one statement hands out the free seats in arrival order to registered people without a live booking of that dose,
// inserts the bookings, raises the slots' counters by what was inserted and writes each booking's audit row. Each
// caller is answered only after the commit. The database stays the guard: the counter is raised under the row lock
// and CHECK (booked <= capacity) refuses anything beyond a seat; the partial unique index refuses a second live
// booking of a dose.
import type pg from 'pg';
import { auditColumns, type AuditEntry } from '../../platform/audit';
import { Batcher } from '../../platform/batcher';
import type { Db } from '../../platform/db/types';
import type { AppError } from '../../platform/http/errors';
import { getPersonBriefs, type PersonBrief } from '../people';

export interface SeatRequest {
  /** the live person id, or the id as sent when `mayBook` is given (then resolved, following merges, in the batch) */
  personId: string;
  /**
   * Staff bookings: the batch reads the people it carries in one query (instead of one per request) and asks this
   * before any seat is handed out: null admits, else the refusal (the person outside the caller's area, too young…).
   */
  admit?: (person: PersonBrief) => Promise<AppError | null>;
  slotId: string;
  campaignId: string;
  doseNumber: number;
  by: string | null;
  now: Date;
  /** the audit row of this booking, written with it (details get the booking id) */
  audit: AuditEntry;
}

export type SeatResult = { id: string; personId: string } | { refused: 'full' | 'unregistered' | 'booked' | 'unknown-slot' | 'unknown-person' } | { refused: 'admit'; error: AppError };

/** Resolves the people of staff requests (one query for the batch) and sets aside those unknown or out of reach. */
async function resolvePeople(db: Db, rows: SeatRequest[]): Promise<(SeatRequest | SeatResult)[]> {
  const asked = rows.filter((r) => r.admit).map((r) => r.personId);
  const briefs = asked.length ? await getPersonBriefs(db, asked) : new Map();
  return Promise.all(
    rows.map(async (r): Promise<SeatRequest | SeatResult> => {
      if (!r.admit) return r;
      const b = briefs.get(r.personId);
      if (!b) return { refused: 'unknown-person' };
      const error = await r.admit(b);
      if (error) return { refused: 'admit', error };
      return { ...r, personId: b.id, audit: { ...r.audit, subjectId: b.id } };
    }),
  );
}

const isRetryable = (e: unknown) => ['40001', '40P01'].includes((e as { code?: string }).code ?? '');

export async function writeBookings(db: Db, pool: pg.Pool, asked: SeatRequest[]): Promise<SeatResult[]> {
  const resolved = await resolvePeople(db, asked);
  const rows = resolved.filter((r): r is SeatRequest => 'slotId' in r);
  const answers = rows.length ? await writeSeats(pool, rows) : [];
  let k = 0;
  return resolved.map((r) => ('slotId' in r ? answers[k++]! : r));
}

const BOOK_SQL = `select i, id::text as id, outcome from vaccination_book_seats(
  $1::uuid[], $2::uuid[], $3::uuid[], $4::int[], $5::bigint[], $6::timestamptz[],
  $7::timestamptz[], $8::bigint[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[])`;

/** A batch's call of vaccination_book_seats as a named prepared statement (also used by bench/_booking-pg.ts). */
export const bookSeatsQuery = (rows: Pick<SeatRequest, 'personId' | 'slotId' | 'campaignId' | 'doseNumber' | 'by' | 'now' | 'audit'>[]) => ({
  name: 'vaccination_book_seats',
  text: BOOK_SQL,
  values: [
    rows.map((r) => r.personId),
    rows.map((r) => r.slotId),
    rows.map((r) => r.campaignId),
    rows.map((r) => r.doseNumber),
    rows.map((r) => r.by),
    rows.map((r) => r.now.toISOString()),
    ...auditColumns(rows.map((r) => r.audit)),
  ],
});

async function writeSeats(pool: pg.Pool, rows: SeatRequest[]): Promise<SeatResult[]> {
  const query = bookSeatsQuery(rows);
  for (let attempt = 0; ; attempt++) {
    try {
      const out = (await pool.query<{ i: number; id: string | null; outcome: 'ok' | 'full' | 'unregistered' | 'booked' | 'unknown-slot' }>(query)).rows;
      return out.map((o, i) => (o.outcome === 'ok' ? { id: o.id!, personId: rows[i]!.personId } : { refused: o.outcome }));
    } catch (e) {
      // a deadlock with some other path: nothing of the call was written, so it is simply made again
      if (attempt < 3 && isRetryable(e)) continue;
      throw e;
    }
  }
}

/** The booking batcher of one app instance (drained when the app closes). */
export const bookingBatcher = (db: Db, pool: pg.Pool) =>
  new Batcher<SeatRequest, SeatResult>({
    write: (rows) => writeBookings(db, pool, rows),
    maxRows: 400,
    maxWaitMs: 2,
    maxConcurrent: 4,
    maxQueuedRows: 20_000,
    // a constraint refusing a row (it should not: seats are counted under the lock) fails only its own caller
    isolatable: (e) => ['23505', '23514', '23503', '22P02'].includes((e as { code?: string }).code ?? ''),
  });
