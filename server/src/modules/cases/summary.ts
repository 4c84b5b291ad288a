// Home page tiles of the cases module: cases confirmed per day in the area, contacts (F1/F2) found per day, and the
// contacts under monitoring now (a state, not a daily count).
import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';
import { perDay, type SummaryQuery, type SummaryTile } from '../../platform/home';

export async function caseTiles(db: DbOrTx, q: SummaryQuery): Promise<SummaryTile[]> {
  if (!q.user.permissions.has('cases.read')) return [];
  const inCases = q.scope ? sql`and c.commune_code = any(${q.scope}::text[])` : sql``;
  const inContacts = q.scope ? sql`and k.unit_code = any(${q.scope}::text[])` : sql``;
  const [cases, contacts, monitoring] = await Promise.all([
    sql<{ day: string; n: number }>`
      select to_char((c.confirmed_at at time zone ${q.timeZone})::date, 'YYYY-MM-DD') as day, count(*)::int as n
      from cases c where c.confirmed_at >= ${q.from} and c.confirmed_at < ${q.to} ${inCases} group by 1`.execute(db),
    sql<{ day: string; n: number }>`
      select to_char((k.created_at at time zone ${q.timeZone})::date, 'YYYY-MM-DD') as day, count(*)::int as n
      from case_contacts k where k.created_at >= ${q.from} and k.created_at < ${q.to} ${inContacts} group by 1`.execute(db),
    sql<{ n: number }>`select count(*)::int as n from case_contacts k where k.status = 'monitoring' ${inContacts}`.execute(db),
  ]);
  const caseDays = perDay(q.days, cases.rows);
  const contactDays = perDay(q.days, contacts.rows);
  return [
    {
      key: 'cases',
      order: 50,
      label: { vi: 'Ca bệnh mới (F0)', en: 'New cases (F0)' },
      hint: { vi: 'Ca bệnh được khẳng định trong địa bàn hôm nay', en: 'Cases confirmed in this area today' },
      today: caseDays[caseDays.length - 1] ?? 0,
      byDay: caseDays,
      link: '/cases',
      tone: (caseDays[caseDays.length - 1] ?? 0) > 0 ? 'attention' : 'normal',
    },
    {
      key: 'contacts',
      order: 51,
      label: { vi: 'F1/F2 mới', en: 'New contacts (F1/F2)' },
      hint: { vi: 'Người tiếp xúc được truy vết hôm nay (F1, F2)', en: 'Contacts traced today (F1, F2)' },
      today: contactDays[contactDays.length - 1] ?? 0,
      byDay: contactDays,
      link: '/contacts',
      tone: 'normal',
    },
    {
      key: 'contacts.monitoring',
      order: 52,
      label: { vi: 'Đang cách ly/theo dõi', en: 'Under quarantine/monitoring' },
      hint: { vi: 'F1/F2 trong địa bàn đang được theo dõi', en: 'F1/F2 of this area being followed up now' },
      today: monitoring.rows[0]?.n ?? 0,
      byDay: null,
      link: '/followups',
      tone: 'normal',
    },
  ];
}
