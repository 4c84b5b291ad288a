// A positive test corrected to negative (`test.positive-withdrawn`, testing module): the case it created is undone
// when nothing else stands behind it; else an officer is asked to look again.
//   discarded: the case's status is 'discarded' with the reason; its contacts still under orders have them ended
//     today ('ended', "case discarded"); its exposure notices are withdrawn (the citizen page stops matching
//     them); one audit row (no personal data).
//   flagged:   the person's active case came from elsewhere (an officer, a contact confirmed, another test) or the
//     person has another positive: the case stays; `review_reason` says what changed (case page and list).
import { sql } from 'kysely';
import { recordAudit } from '../../platform/audit';
import type { DbOrTx } from '../../platform/db/types';
import type { SubtreeResolver } from '../../platform/auth/access';
import { dayOf } from './days';

export interface TestPositiveWithdrawnInput {
  testId: string;
  personId: string;
  reason: string;
  /** ISO 8601 */
  correctedAt: string;
  /** the person's other individual tests whose current result is positive */
  otherPositiveTestIds: string[];
}

export async function withdrawPositive(db: DbOrTx, resolver: SubtreeResolver, p: TestPositiveWithdrawnInput, now: Date, timeZone: string) {
  const c = await db
    .selectFrom('cases')
    .select(['id', 'code', 'origin', 'origin_ref', 'commune_code'])
    .where('person_id', '=', p.personId)
    .where('status', '=', 'active')
    .executeTakeFirst();
  if (!c) return { outcome: 'none' as const };
  const areaPath = (await resolver.unit(c.commune_code))?.path ?? null;
  const fromThisTest = c.origin === 'test' && c.origin_ref === p.testId;
  if (!fromThisTest || p.otherPositiveTestIds.length) {
    const basis = !fromThisTest ? (c.origin === 'test' ? 'another positive test' : c.origin === 'contact' ? 'a contact confirmed as a case' : 'an officer’s confirmation') : 'another positive test of the person';
    const reason = `A positive test of this person was corrected to negative (${p.reason}); the case stands on ${basis}: please review.`.slice(0, 500);
    await db.updateTable('cases').set({ review_reason: reason, review_flagged_at: now, updated_at: now }).where('id', '=', c.id).execute();
    await recordAudit(db, { actor: null, action: 'case.review_flag', subjectType: 'case', subjectId: c.id, details: { testId: p.testId, basis }, at: now, areaPath });
    return { outcome: 'flagged' as const, caseId: c.id };
  }
  const today = dayOf(now, timeZone);
  await db
    .updateTable('cases')
    .set({ status: 'discarded', status_changed_at: now, status_reason: `Test corrected to negative: ${p.reason}`.slice(0, 500), updated_at: now })
    .where('id', '=', c.id)
    .execute();
  const ended = await sql<{ n: string }>`
    with e as (
      update case_contacts set status = 'ended', status_changed_at = ${now}, end_reason = 'case discarded', updated_at = ${now},
             order_end = least(order_end, greatest(order_start, ${today}::date))
      where case_id = ${c.id} and status = 'monitoring' returning 1)
    select count(*) as n from e`.execute(db);
  const withdrawn = await sql<{ n: string }>`
    with w as (update exposure_notices set withdrawn_at = ${now} where case_id = ${c.id} and withdrawn_at is null returning 1)
    select count(*) as n from w`.execute(db);
  await recordAudit(db, {
    actor: null,
    action: 'case.discard',
    subjectType: 'case',
    subjectId: c.id,
    reason: 'positive test corrected to negative',
    details: { testId: p.testId, contactsEnded: Number(ended.rows[0]!.n), noticesWithdrawn: Number(withdrawn.rows[0]!.n) },
    at: now,
    areaPath,
  });
  return { outcome: 'discarded' as const, caseId: c.id };
}
