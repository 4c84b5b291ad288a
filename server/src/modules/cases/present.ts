// Rows → API views, in batches (one query per kind of thing per page, never per row).
import type { DbOrTx } from '../../platform/db/types';
import type { SubtreeResolver } from '../../platform/auth/access';
import { getPersonIdentities, type PersonIdentity } from '../people';
import { daysBetween, dayOf } from './days';
import type { CaseItem, ContactItem } from './schema';
import { infectiousWindow, type CaseSettings } from './service';
import type { CaseRow, ContactRow } from './tables';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export const personRef = (id: string, p: PersonIdentity | undefined) => ({
  id,
  fullName: p?.fullName ?? '—',
  birthYear: p?.birthYear ?? null,
  phone: p?.phone ?? null,
  communeCode: p?.communeCode ?? null,
});

async function unitNames(resolver: SubtreeResolver, codes: (string | null)[]) {
  const out = new Map<string, { code: string; name: string }>();
  for (const c of new Set(codes.filter((x): x is string => !!x))) {
    const u = await resolver.unit(c);
    out.set(c, { code: c, name: u?.name ?? c });
  }
  return out;
}

export async function caseItems(db: DbOrTx, resolver: SubtreeResolver, rows: CaseRow[], s: CaseSettings): Promise<CaseItem[]> {
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const [people, units, places, counts, mass] = await Promise.all([
    getPersonIdentities(db, rows.map((r) => r.person_id)),
    unitNames(resolver, rows.map((r) => r.commune_code)),
    db
      .selectFrom('quarantine_places')
      .select(['id', 'name'])
      .where('id', 'in', [...new Set(rows.map((r) => r.place_id ?? '00000000-0000-0000-0000-000000000000'))])
      .execute(),
    db
      .selectFrom('case_contacts')
      .select(['case_id', 'level', (eb) => eb.fn.countAll<string>().as('n')])
      .where('case_id', 'in', ids)
      .groupBy(['case_id', 'level'])
      .execute(),
    // the mass-exposure rule's notices: crowded settings whose people were not listed one by one
    db
      .selectFrom('exposure_notices as n')
      .innerJoin('venues as v', 'v.id', 'n.venue_id')
      .select(['n.case_id', 'n.level', 'n.venue_id', 'v.code', 'v.name', 'n.from_at', 'n.to_at', 'n.people_count', 'n.sources_count', 'n.withdrawn_at'])
      .where('n.case_id', 'in', ids)
      .where('n.level', '>=', 2)
      .orderBy('n.from_at')
      .execute(),
  ]);
  const placeName = new Map(places.map((p) => [p.id, p.name]));
  return rows.map((r) => {
    const w = infectiousWindow(r, s);
    const mine = counts.filter((c) => c.case_id === r.id);
    const n = (pred: (l: number) => boolean) => mine.filter((c) => pred(c.level)).reduce((a, c) => a + Number(c.n), 0);
    return {
      id: r.id,
      code: r.code,
      person: personRef(r.person_id, people.get(r.person_id)),
      commune: units.get(r.commune_code) ?? null,
      confirmedAt: r.confirmed_at.toISOString(),
      onsetDate: r.onset_date,
      testDate: r.test_date,
      isolatedAt: iso(r.isolated_at),
      source: r.source,
      status: r.status,
      statusReason: r.status_reason,
      review: r.review_reason ? { reason: r.review_reason, flaggedAt: r.review_flagged_at!.toISOString() } : null,
      isolation: r.isolation,
      place: r.place_id ? { id: r.place_id, name: placeName.get(r.place_id) ?? '—' } : null,
      origin: r.origin,
      notes: r.notes,
      lastSymptoms: r.last_symptoms ?? null,
      window: { from: w.from.toISOString(), to: w.to.toISOString() },
      trace: {
        status: r.trace_status,
        startedAt: iso(r.trace_started_at),
        finishedAt: iso(r.trace_finished_at),
        counts: (r.trace_counts ?? {}) as Record<string, number>,
        error: r.trace_error,
        levels: r.trace_levels,
        massExposures: mass
          .filter((m) => m.case_id === r.id)
          .map((m) => ({
            level: m.level,
            venue: { id: m.venue_id, code: m.code, name: m.name },
            from: m.from_at.toISOString(),
            to: m.to_at.toISOString(),
            peopleCount: m.people_count ?? 0,
            sourcesCount: m.sources_count ?? 0,
            withdrawn: m.withdrawn_at !== null,
          })),
      },
      contactCounts: { f1: n((l) => l === 1), f2: n((l) => l === 2), deeper: n((l) => l > 2), total: n(() => true) },
    };
  });
}

export async function contactItems(db: DbOrTx, resolver: SubtreeResolver, rows: ContactRow[], timeZone: string, now: Date): Promise<ContactItem[]> {
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const [people, units, cases, exposures] = await Promise.all([
    getPersonIdentities(db, [...rows.map((r) => r.person_id), ...rows.map((r) => r.via_person_id).filter((x): x is string => !!x)]),
    unitNames(resolver, rows.map((r) => r.unit_code)),
    db.selectFrom('cases').select(['id', 'code']).where('id', 'in', [...new Set(rows.map((r) => r.case_id))]).execute(),
    db
      .selectFrom('contact_exposures as e')
      .leftJoin('venues as v', 'v.id', 'e.venue_id')
      .select(['e.contact_id', 'e.kind', 'e.via', 'e.venue_id', 'v.code as venue_code', 'v.name as venue_name', 'e.from_at', 'e.to_at', 'e.overlap_minutes', 'e.source_person_id', 'e.note', 'e.id', 'e.sources_count'])
      .where('e.contact_id', 'in', ids)
      .orderBy('e.from_at')
      .execute(),
  ]);
  // the people each exposure was to (the F0, or the F1 of the longest overlap of an F2's stay)
  const missing = [...new Set(exposures.map((e) => e.source_person_id).filter((x): x is string => !!x && !people.has(x)))];
  if (missing.length) for (const [id, p] of await getPersonIdentities(db, missing)) people.set(id, p);
  const codeOf = new Map(cases.map((c) => [c.id, c.code]));
  const today = dayOf(now, timeZone);
  return rows.map((r) => ({
    id: r.id,
    caseId: r.case_id,
    caseCode: codeOf.get(r.case_id) ?? '—',
    person: personRef(r.person_id, people.get(r.person_id)),
    level: r.level,
    unit: units.get(r.unit_code) ?? null,
    viaPersonId: r.via_person_id,
    viaPersonName: r.via_person_id ? (people.get(r.via_person_id)?.fullName ?? null) : null,
    lastExposureAt: iso(r.last_exposure_at),
    orderKind: r.order_kind,
    orderStart: r.order_start,
    orderEnd: r.order_end,
    daysLeft: Math.max(0, daysBetween(today, r.order_end)),
    status: r.status,
    flagged: r.flagged,
    origin: r.origin,
    becameCaseId: r.became_case_id,
    exposures: exposures
      .filter((e) => e.contact_id === r.id)
      .map((e) => ({
        kind: e.kind,
        via: e.via,
        venue: e.venue_id ? { id: e.venue_id, code: e.venue_code ?? '', name: e.venue_name ?? '' } : null,
        from: iso(e.from_at),
        to: iso(e.to_at),
        overlapMinutes: e.overlap_minutes,
        sourcePersonId: e.source_person_id,
        sourcePersonName: e.source_person_id ? (people.get(e.source_person_id)?.fullName ?? null) : null,
        id: String(e.id),
        sourcesCount: e.sources_count,
        note: e.note,
      })),
  }));
}
