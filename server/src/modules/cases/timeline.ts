// A case's timeline: its check-ins and venue declarations in and around the infectious window, declarations,
// the confirmation, contacts found, follow-ups; newest last.
import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';
import { infectiousWindow, type CaseSettings } from './service';
import type { CaseRow } from './tables';

// A check-in's detail is its venue code and length of stay ("CHO-1 · 45′"); its start is the item's time. (Raw UTC
// instants here read as wrong local times on the case page.)
// A declaration's title is its form kind (domestic, entry, venue), its detail 'flagged' or nothing, and `venue` where
// it was made (name and code: a hospital visit declared by QR).
export interface TimelineItem {
  at: string;
  kind: string;
  title: string;
  detail: string;
  venue?: { name: string; code: string };
}

export async function timeline(db: DbOrTx, c: CaseRow, s: CaseSettings): Promise<TimelineItem[]> {
  const w = infectiousWindow(c, s);
  const from = new Date(w.from.getTime() - 7 * 86_400_000);
  const to = new Date(Math.max(w.to.getTime(), c.confirmed_at.getTime()) + 30 * 86_400_000);
  const [checkins, declarations, contacts, followUps] = await Promise.all([
    sql<{ checkin_at: Date; ends_at: Date; code: string; name: string }>`
      select c.checkin_at, coalesce(c.checkout_at, c.auto_checkout_at) as ends_at, v.code, v.name
      from checkins c join venues v on v.id = c.venue_id
      where c.person_id = ${c.person_id} and c.checkin_at >= ${from} and c.checkin_at < ${to}
      order by c.checkin_at limit 500`.execute(db),
    sql<{ submitted_at: Date; kind: string; flagged: boolean; venue: string | null; venue_code: string | null }>`
      select d.submitted_at, d.kind, d.flagged, v.name as venue, v.code as venue_code
      from declarations d left join venues v on v.id = d.venue_id
      where d.subject_person_id = ${c.person_id} and d.submitted_at >= ${from} and d.submitted_at < ${to}
      order by d.submitted_at limit 200`.execute(db),
    db
      .selectFrom('case_contacts')
      .select(['level', 'origin', (eb) => eb.fn.countAll<string>().as('n'), (eb) => eb.fn.min('created_at').as('at')])
      .where('case_id', '=', c.id)
      .groupBy(['level', 'origin'])
      .execute(),
    db.selectFrom('follow_ups').selectAll().where('person_id', '=', c.person_id).orderBy('day').limit(200).execute(),
  ]);
  const items: TimelineItem[] = [
    ...checkins.rows.map((r) => ({ at: r.checkin_at.toISOString(), kind: 'checkin', title: r.name, detail: `${r.code} · ${Math.round((r.ends_at.getTime() - r.checkin_at.getTime()) / 60_000)}′` })),
    ...declarations.rows.map((r) => ({
      at: r.submitted_at.toISOString(),
      kind: 'declaration',
      title: r.kind,
      detail: r.flagged ? 'flagged' : '',
      ...(r.venue !== null && { venue: { name: r.venue, code: r.venue_code ?? '' } }),
    })),
    { at: w.from.toISOString(), kind: 'window', title: 'window.start', detail: '' },
    ...(c.onset_date ? [{ at: `${c.onset_date}T00:00:00.000Z`, kind: 'onset', title: c.onset_date, detail: '' }] : []),
    ...(c.test_date ? [{ at: `${c.test_date}T00:00:00.000Z`, kind: 'test', title: c.test_date, detail: '' }] : []),
    { at: c.confirmed_at.toISOString(), kind: 'confirmed', title: c.code, detail: c.source },
    ...(c.isolated_at ? [{ at: c.isolated_at.toISOString(), kind: 'isolated', title: c.isolation, detail: '' }] : []),
    ...contacts.map((r) => ({ at: new Date(r.at as unknown as string).toISOString(), kind: 'contacts', title: `F${r.level}`, detail: `${r.n} · ${r.origin}` })),
    ...followUps.map((f) => ({
      at: `${f.day}T12:00:00.000Z`,
      kind: 'followup',
      title: f.symptoms ? 'symptoms' : 'well',
      detail: [f.temperature !== null ? `${Number(f.temperature).toFixed(1)} °C` : '', ...f.symptom_list].filter(Boolean).join(', '),
    })),
  ];
  return items.sort((a, b) => a.at.localeCompare(b.at));
}
