// Group commit of single-dose bookings (the hot path when a city books at once): concurrent requests are gathered by
// platform/batcher and written in one transaction: the slots they aim at are locked in id order (so batches and the
// one-at-a-time paths — rebook, cancel, dose 1 + 2 — never deadlock for long and never count seats twice), one
// statement hands out the free seats in arrival order to registered people without a live booking of that dose,
// inserts the bookings and raises the slots' counters by what was inserted, and the audit rows of the bookings go in
// the same transaction. Each caller is answered only after the commit. The database stays the guard: the counter is
// raised under the row lock and CHECK (booked <= capacity) refuses anything beyond a seat; the partial unique index
// refuses a second live booking of a dose.
import { sql } from 'kysely';
import { recordAudit, type AuditEntry } from '../../platform/audit';
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

export async function writeBookings(db: Db, asked: SeatRequest[]): Promise<SeatResult[]> {
  const resolved = await resolvePeople(db, asked);
  const rows = resolved.filter((r): r is SeatRequest => 'slotId' in r);
  const answers = rows.length ? await writeSeats(db, rows) : [];
  let k = 0;
  return resolved.map((r) => ('slotId' in r ? answers[k++]! : r));
}

async function writeSeats(db: Db, rows: SeatRequest[]): Promise<SeatResult[]> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await db.transaction().execute(async (tx) => {
        const slotIds = [...new Set(rows.map((r) => r.slotId))].sort();
        const known = new Set(
          (await sql<{ id: string }>`select id from vaccination_slots where id = any(${slotIds}::uuid[]) order by id for update`.execute(tx)).rows.map((r) => r.id),
        );
        const out = (
          await sql<{ i: string; id: string | null; outcome: 'ok' | 'full' | 'unregistered' | 'booked' }>`
            with req as (
              select * from unnest(${rows.map((r) => r.personId)}::uuid[], ${rows.map((r) => r.slotId)}::uuid[], ${rows.map((r) => r.campaignId)}::uuid[],
                                   ${rows.map((r) => r.doseNumber)}::int[], ${rows.map((r) => r.by)}::bigint[], ${rows.map((r) => r.now.toISOString())}::timestamptz[])
                     with ordinality as r(person_id, slot_id, campaign_id, dose_number, booked_by, created_at, i)
            ),
            facts as (
              select r.*,
                     exists (select 1 from vaccination_registrations g where g.campaign_id = r.campaign_id and g.person_id = r.person_id) as registered,
                     exists (select 1 from vaccination_bookings b where b.person_id = r.person_id and b.dose_number = r.dose_number and b.status = 'booked')
                       or row_number() over (partition by r.person_id, r.dose_number order by r.i) > 1 as booked
              from req r
            ),
            ranked as (
              select f.*, row_number() over (partition by f.slot_id order by f.i) as k from facts f where f.registered and not f.booked
            ),
            granted as (
              select ranked.* from ranked join vaccination_slots s on s.id = ranked.slot_id where ranked.k <= s.capacity - s.booked
            ),
            ins as (
              insert into vaccination_bookings (person_id, campaign_id, slot_id, dose_number, booked_by, created_at)
              select person_id, campaign_id, slot_id, dose_number, booked_by, created_at from granted order by i
              on conflict (person_id, dose_number) where status = 'booked' do nothing
              returning id, person_id, dose_number, slot_id
            ),
            seat as (
              update vaccination_slots s set booked = s.booked + c.n
              from (select slot_id, count(*)::int as n from ins group by slot_id) c where s.id = c.slot_id
              returning s.id
            )
            select f.i::text as i, ins.id,
                   case when ins.id is not null then 'ok' when not f.registered then 'unregistered' when f.booked or g.i is not null then 'booked' else 'full' end as outcome
            from facts f
            left join granted g on g.i = f.i
            left join ins on g.i is not null and ins.person_id = f.person_id and ins.dose_number = f.dose_number
            order by f.i`.execute(tx)
        ).rows;
        const results: SeatResult[] = out.map((o, i) =>
          !known.has(rows[i]!.slotId) ? { refused: 'unknown-slot' } : o.outcome === 'ok' ? { id: o.id!, personId: rows[i]!.personId } : { refused: o.outcome },
        );
        const audits = results.flatMap((r, i) => ('id' in r ? [{ ...rows[i]!.audit, details: { ...rows[i]!.audit.details, bookings: [r.id] } }] : []));
        if (audits.length) await recordAudit(tx, audits);
        return results;
      });
    } catch (e) {
      if (attempt < 3 && isRetryable(e)) continue;
      throw e;
    }
  }
}

/** The booking batcher of one app instance (drained when the app closes). */
export const bookingBatcher = (db: Db) =>
  new Batcher<SeatRequest, SeatResult>({
    write: (rows) => writeBookings(db, rows),
    maxRows: 400,
    maxWaitMs: 2,
    maxConcurrent: 4,
    maxQueuedRows: 20_000,
    // a constraint refusing a row (it should not: seats are counted under the lock) fails only its own caller
    isolatable: (e) => ['23505', '23514', '23503', '22P02'].includes((e as { code?: string }).code ?? ''),
  });
