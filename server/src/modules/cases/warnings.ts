// The contact warning: when tracing finds a new F1/F2 who has a phone, cases asks messaging for an SMS
// ('contact.warning': where and when, stay home until the order's end, the hotline). Published as
// `messaging.requested` inside the tracing transaction, so a rolled-back trace warns no one. The subject is
// `case:<id>`: with purpose and phone it is the notification's idempotency key, so a re-trace (or a retried
// delivery) never texts a contact twice for the same case.
import type { SubtreeResolver } from '../../platform/auth/access';
import type { DbOrTx } from '../../platform/db/types';
import type { Events } from '../../platform/events';
import { dayOf } from './days';
import type { CaseRow } from './tables';
import type { TracedContact } from './trace-types';

export const WARNING_PURPOSE = 'contact.warning';

export interface WarningOptions {
  events: Events;
  resolver: SubtreeResolver;
  hotline: string;
  timeZone: string;
}

const dm = (d: Date, timeZone: string) => {
  const day = dayOf(d, timeZone);
  return `${day.slice(8, 10)}/${day.slice(5, 7)}`;
};
const dmy = (day: string) => `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`;

/** Where and when a contact was exposed, for the text: the latest exposure's venue (or "home") and its day(s). */
export function exposureText(c: Pick<TracedContact, 'exposures'>, timeZone: string) {
  const last = [...c.exposures].sort((a, b) => b.to.getTime() - a.to.getTime())[0]!;
  const place = last.kind === 'household' ? 'nơi ở' : (last.venueName ?? last.venueCode ?? 'nơi công cộng');
  const days = [...new Set(c.exposures.filter((e) => e.venueId === last.venueId).map((e) => dm(e.from, timeZone)))];
  return { place, date: days.length > 2 ? `${days[0]}–${days.at(-1)}` : days.join(', ') };
}

/**
 * Publishes one `messaging.requested` for the contacts of `caseRow` first found by this trace (`personIds`) who are
 * under monitoring and have a phone. Returns the number of recipients asked for.
 */
export async function publishContactWarnings(tx: DbOrTx, o: WarningOptions, caseRow: CaseRow, traced: TracedContact[], personIds: string[]): Promise<number> {
  if (!personIds.length) return 0;
  const rows = await tx
    .selectFrom('case_contacts')
    .innerJoin('persons', 'persons.id', 'case_contacts.person_id')
    .select(['case_contacts.person_id', 'case_contacts.unit_code', 'case_contacts.order_end', 'persons.phone'])
    .where('case_contacts.case_id', '=', caseRow.id)
    .where('case_contacts.person_id', 'in', personIds)
    .where('case_contacts.status', '=', 'monitoring')
    .where('persons.phone', 'is not', null)
    .execute();
  if (!rows.length) return 0;
  const byPerson = new Map(traced.map((c) => [c.personId, c]));
  const province = await o.resolver.unit(caseRow.province_code);
  await o.events.publish(tx, 'messaging.requested', {
    purpose: WARNING_PURPOSE,
    subject: `case:${caseRow.id}`,
    vars: { sender: province ? `Sở Y tế ${province.name.replace(/^(Tỉnh|Thành phố)\s+/i, '')}` : 'Sở Y tế', hotline: o.hotline },
    recipients: rows.map((r) => {
      const c = byPerson.get(r.person_id);
      const where = c ? exposureText(c, o.timeZone) : { place: 'nơi công cộng', date: '' };
      return { phone: r.phone!, personId: r.person_id, unitCode: r.unit_code, vars: { ...where, until: dmy(String(r.order_end)) } };
    }),
  });
  return rows.length;
}
