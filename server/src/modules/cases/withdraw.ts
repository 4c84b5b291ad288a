// A positive test corrected to negative (`test.positive-withdrawn`, testing module): the case it created is undone
// when nothing else stands behind it; else an officer is asked to look again.
//   discarded: the case's status is 'discarded' with the reason; its contacts still under orders have them ended
//     today ('ended', "case discarded"); its exposure notices are withdrawn (the citizen page stops matching
//     them); one audit row (no personal data).
//     Each contact whose order ended this way and who has a phone is told by SMS (`contact.order-ended` through
//     `messaging.requested`, subject `case-discarded:<case id>`): the order has ended, no need to stay home for it;
//     never who the case was. Vietnamese, English for a foreign phone number (the registry keeps no language).
//   flagged:   the person's active case came from elsewhere (an officer, a contact confirmed, another test) or the
//     person has another positive: the case stays; `review_reason` says what changed (case page and list).
import { sql } from 'kysely';
import { recordAudit } from '../../platform/audit';
import type { DbOrTx } from '../../platform/db/types';
import { dayOf } from './days';
import type { WarningOptions } from './warnings';

export const ORDER_ENDED_PURPOSE = 'contact.order-ended';

export interface TestPositiveWithdrawnInput {
  testId: string;
  personId: string;
  reason: string;
  /** ISO 8601 */
  correctedAt: string;
  /** the person's other individual tests whose current result is positive */
  otherPositiveTestIds: string[];
}

export async function withdrawPositive(db: DbOrTx, o: WarningOptions, p: TestPositiveWithdrawnInput, now: Date) {
  const { resolver, timeZone } = o;
  const c = await db
    .selectFrom('cases')
    .select(['id', 'code', 'origin', 'origin_ref', 'commune_code', 'province_code'])
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
  const ended = (await sql<{ person_id: string; unit_code: string; order_kind: 'quarantine' | 'monitoring'; order_start: string }>`
      update case_contacts set status = 'ended', status_changed_at = ${now}, end_reason = 'case discarded', updated_at = ${now},
             order_end = least(order_end, greatest(order_start, ${today}::date))
      where case_id = ${c.id} and status = 'monitoring' returning person_id, unit_code, order_kind, order_start::text`.execute(db)).rows;
  await tellOrderEnded(db, o, c, ended, today);
  const withdrawn = await sql<{ n: string }>`
    with w as (update exposure_notices set withdrawn_at = ${now} where case_id = ${c.id} and withdrawn_at is null returning 1)
    select count(*) as n from w`.execute(db);
  await recordAudit(db, {
    actor: null,
    action: 'case.discard',
    subjectType: 'case',
    subjectId: c.id,
    reason: 'positive test corrected to negative',
    details: { testId: p.testId, contactsEnded: ended.length, noticesWithdrawn: Number(withdrawn.rows[0]!.n) },
    at: now,
    areaPath,
  });
  return { outcome: 'discarded' as const, caseId: c.id };
}

const dmy = (day: string) => `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`;
const ORDER_WORDS = { quarantine: { vi: 'cách ly tại nhà', en: 'home quarantine' }, monitoring: { vi: 'theo dõi sức khỏe', en: 'health monitoring' } } as const;

/** One SMS per contact with a phone whose order the discarded case ended (the case's person is never named). */
async function tellOrderEnded(
  db: DbOrTx,
  o: WarningOptions,
  c: { id: string; province_code: string },
  ended: { person_id: string; unit_code: string; order_kind: 'quarantine' | 'monitoring'; order_start: string }[],
  today: string,
) {
  if (!ended.length) return;
  const phones = new Map(
    (await db.selectFrom('persons').select(['id', 'phone']).where('id', 'in', ended.map((e) => e.person_id)).where('phone', 'is not', null).execute()).map((p) => [p.id, p.phone!]),
  );
  const recipients = ended
    .filter((e) => phones.has(e.person_id))
    .map((e) => {
      const phone = phones.get(e.person_id)!;
      const lang = phone.startsWith('+84') ? ('vi' as const) : ('en' as const);
      return { phone, personId: e.person_id, unitCode: e.unit_code, lang, vars: { order: ORDER_WORDS[e.order_kind][lang], from: dmy(e.order_start) } };
    });
  if (!recipients.length) return;
  const province = await o.resolver.unit(c.province_code);
  await o.events.publish(db, 'messaging.requested', {
    purpose: ORDER_ENDED_PURPOSE,
    subject: `case-discarded:${c.id}`,
    vars: { sender: province ? `Sở Y tế ${province.name.replace(/^(Tỉnh|Thành phố)\s+/i, '')}` : 'Sở Y tế', hotline: o.hotline, today: dmy(today) },
    recipients,
  });
}
