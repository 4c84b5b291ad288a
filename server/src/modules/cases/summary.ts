// Home page tiles of the cases module: cases confirmed per day in the area, contacts (F1/F2) found per day, and the
// contacts under monitoring now (a state, not a daily count).
import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';
import { dailyCounts, dailyTile, stateTile, whenAny, type SummaryQuery, type SummaryTile } from '../../platform/home';

export async function caseTiles(db: DbOrTx, q: SummaryQuery): Promise<SummaryTile[]> {
  if (!q.user.permissions.has('cases.read')) return [];
  const inCases = q.scope ? sql`and c.commune_code = any(${q.scope}::text[])` : sql``;
  const inContacts = q.scope ? sql`and k.unit_code = any(${q.scope}::text[])` : sql``;
  const [cases, contacts, monitoring] = await Promise.all([
    dailyCounts(db, q, { from: sql`cases c`, at: 'c.confirmed_at', where: inCases }),
    dailyCounts(db, q, { from: sql`case_contacts k`, at: 'k.created_at', where: inContacts }),
    sql<{ n: number }>`select count(*)::int as n from case_contacts k where k.status = 'monitoring' ${inContacts}`.execute(db),
  ]);
  return [
    dailyTile({
      key: 'cases',
      order: 50,
      label: { vi: 'Ca bệnh mới (F0)', en: 'New cases (F0)' },
      hint: { vi: 'Ca bệnh được khẳng định trong địa bàn hôm nay', en: 'Cases confirmed in this area today' },
      byDay: cases.n,
      link: '/cases',
      attention: whenAny,
    }),
    dailyTile({
      key: 'contacts',
      order: 51,
      label: { vi: 'F1/F2 mới', en: 'New contacts (F1/F2)' },
      hint: { vi: 'Người tiếp xúc được truy vết hôm nay (F1, F2)', en: 'Contacts traced today (F1, F2)' },
      byDay: contacts.n,
      link: '/contacts',
    }),
    stateTile({
      key: 'contacts.monitoring',
      order: 52,
      label: { vi: 'Đang cách ly/theo dõi', en: 'Under quarantine/monitoring' },
      hint: { vi: 'F1/F2 trong địa bàn đang được theo dõi', en: 'F1/F2 of this area being followed up now' },
      value: monitoring.rows[0]?.n ?? 0,
      link: '/followups',
    }),
  ];
}
