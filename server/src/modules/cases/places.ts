// Quarantine and isolation places: capacity, occupants (admission/discharge), cameras and their probe.
import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';
import { conflict, invalidField } from '../../platform/http/errors';

export interface Admission {
  placeId: string;
  personId: string;
  caseId?: string | null;
  contactId?: string | null;
  admittedOn: string;
  plannedDischargeOn?: string | null;
}

/** Admit a person (ends any other open stay of theirs first); refuses a full place. */
export async function admitToPlace(db: DbOrTx, a: Admission, path = 'body.placeId') {
  return db.transaction().execute(async (tx) => {
    const place = await sql<{ id: string; capacity: number; active: boolean }>`
      select id, capacity, active from quarantine_places where id = ${a.placeId} for update`.execute(tx);
    const p = place.rows[0];
    if (!p || !p.active) throw invalidField(path, 'is not an open quarantine/isolation place');
    const current = await tx.selectFrom('place_stays').select(['id', 'place_id']).where('person_id', '=', a.personId).where('discharged_on', 'is', null).executeTakeFirst();
    if (current?.place_id === a.placeId) return current.id;
    const occ = await tx
      .selectFrom('place_stays')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('place_id', '=', a.placeId)
      .where('discharged_on', 'is', null)
      .executeTakeFirstOrThrow();
    if (Number(occ.n) >= p.capacity) throw conflict('The place is full', [{ path, message: `capacity ${p.capacity} reached` }]);
    if (current) await tx.updateTable('place_stays').set({ discharged_on: a.admittedOn }).where('id', '=', current.id).execute();
    const row = await tx
      .insertInto('place_stays')
      .values({
        place_id: a.placeId,
        person_id: a.personId,
        case_id: a.caseId ?? null,
        contact_id: a.contactId ?? null,
        admitted_on: a.admittedOn,
        planned_discharge_on: a.plannedDischargeOn ?? null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (a.contactId) await tx.updateTable('case_contacts').set({ place_id: a.placeId }).where('id', '=', a.contactId).execute();
    return row.id;
  });
}
