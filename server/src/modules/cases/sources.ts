// The sources present during one exposure, computed on demand: an exposure stores one venue stay of a contact with
// how many sources (the F0 for an F1, the case's F(n-1)s for an Fn) were there and the one of the longest overlap
// (migration 0005); the contact detail's "with N F1s — list" reads the whole list here, by the same rule as the
// engine (stays from check-ins and venue declarations, open stays ending at the venue's default stay or the next
// check-in elsewhere, each source inside its own window, the minimum overlap).
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';
import { notFound } from '../../platform/http/errors';
import type { AppContext } from '../../platform/module';
import { getPersonIdentities } from '../people';
import { ExposureSourcesParams, ExposureSourcesResponse } from './schema';
import { routeKit } from './scope';
import { infectiousWindow, type CaseSettings } from './service';
import { STAY_CAP_MS } from './trace-types';

interface Interval {
  person_id: string;
  f: Date;
  t: Date;
}

/**
 * The sources of a contact's exposure: for a venue stay every source present during it (longest overlap first),
 * for the other kinds the one recorded. Null when the exposure is not the contact's.
 */
export async function exposureSources(db: DbOrTx, contactId: string, exposureId: string, s: CaseSettings) {
  const e = await db
    .selectFrom('contact_exposures as e')
    .innerJoin('case_contacts as k', 'k.id', 'e.contact_id')
    .innerJoin('cases as c', 'c.id', 'k.case_id')
    .leftJoin('venues as v', 'v.id', 'e.venue_id')
    .select(['e.id', 'e.kind', 'e.via', 'e.venue_id', 'v.code as venue_code', 'v.name as venue_name', 'e.from_at', 'e.to_at', 'e.sources_count', 'e.source_person_id', 'e.overlap_minutes'])
    .select(['k.id as contact_id', 'k.person_id', 'k.level', 'k.unit_code', 'c.id as case_id', 'c.person_id as case_person_id', 'c.onset_date', 'c.test_date', 'c.confirmed_at', 'c.isolated_at'])
    .where('e.id', '=', exposureId)
    .where('e.contact_id', '=', contactId)
    .executeTakeFirst();
  if (!e) return null;
  const sourceLevel = e.level - 1;
  let rows: Interval[] = [];
  if (e.kind === 'venue' && e.venue_id && e.from_at && e.to_at) {
    const from = e.from_at;
    const to = e.to_at;
    const w = infectiousWindow(e, s);
    // level 1: the case's person in its window; level n: the case's contacts of level n−1, each from its first exposure
    const src =
      sourceLevel === 0
        ? sql`select ${e.case_person_id}::uuid as person_id, ${w.from}::timestamptz as w_from, ${w.to}::timestamptz as w_to`
        : sql`select person_id, first_exposure_at as w_from, 'infinity'::timestamptz as w_to from case_contacts
              where case_id = ${e.case_id} and level = ${sourceLevel} and first_exposure_at is not null`;
    const lo = new Date(from.getTime() - STAY_CAP_MS);
    const r = await sql<Interval>`
      with src as (${src}),
      stays as (
        select c.person_id, greatest(c.checkin_at, s.w_from) as a,
               least(coalesce(least(c.checkout_at, nx.checkin_at), c.auto_checkout_at), s.w_to) as b
        from checkins c
        join src s on s.person_id = c.person_id
        left join lateral (
          select n.checkin_at from checkins n
          where n.person_id = c.person_id and n.checkin_at > c.checkin_at and n.checkin_at < c.auto_checkout_at
            and n.checkin_at >= ${lo} and n.checkin_at < ${new Date(to.getTime() + STAY_CAP_MS)}
          order by n.checkin_at limit 1
        ) nx on true
        where c.venue_id = ${e.venue_id} and c.checkin_at >= ${lo} and c.checkin_at < ${to}
        union all
        select d.subject_person_id, greatest(d.submitted_at, s.w_from),
               least(d.submitted_at + make_interval(mins => v.default_stay_minutes), s.w_to)
        from declarations d
        join src s on s.person_id = d.subject_person_id
        join venues v on v.id = d.venue_id
        where d.venue_id = ${e.venue_id} and d.submitted_at >= ${lo} and d.submitted_at < ${to}
      )
      select person_id, greatest(a, ${from}::timestamptz) as f, least(b, ${to}::timestamptz) as t
      from stays
      where least(b, ${to}::timestamptz) > greatest(a, ${from}::timestamptz) and person_id <> ${e.person_id}
      order by person_id, f`.execute(db);
    rows = r.rows;
  }
  // per source: its time with the contact (merged), kept when one visit reaches the minimum overlap (as the engine)
  const minMs = Math.max(0, s.traceMinOverlapMinutes) * 60_000;
  const per = new Map<string, { f: number; t: number; total: number; longest: number; end: number }>();
  for (const x of rows) {
    const f = x.f.getTime();
    const t = x.t.getTime();
    const p = per.get(x.person_id);
    if (!p) per.set(x.person_id, { f, t, total: t - f, longest: t - f, end: t });
    else {
      p.total += Math.max(0, t - Math.max(f, p.end));
      p.longest = Math.max(p.longest, t - f);
      p.t = Math.max(p.t, t);
      p.end = Math.max(p.end, t);
    }
  }
  const kept = [...per.entries()].filter(([, p]) => p.longest > 0 && p.longest >= minMs);
  if (e.kind !== 'venue' && e.source_person_id) kept.push([e.source_person_id, { f: NaN, t: NaN, total: NaN, longest: NaN, end: NaN }]);
  const people = await getPersonIdentities(db, kept.map(([id]) => id));
  const iso = (ms: number) => (Number.isNaN(ms) ? null : new Date(ms).toISOString());
  const items = kept
    .map(([id, p]) => ({
      person: { id, fullName: people.get(id)?.fullName ?? '—' },
      level: Math.max(0, sourceLevel),
      from: iso(p.f),
      to: iso(p.t),
      overlapMinutes: Number.isNaN(p.total) ? null : Math.max(1, Math.round(p.total / 60_000)),
    }))
    .sort((a, b) => (b.overlapMinutes ?? 0) - (a.overlapMinutes ?? 0) || (a.from ?? '').localeCompare(b.from ?? '') || a.person.id.localeCompare(b.person.id));
  return {
    unitCode: e.unit_code,
    caseId: e.case_id,
    exposure: {
      id: String(e.id),
      contactId: e.contact_id,
      kind: e.kind,
      via: e.via,
      venue: e.venue_id ? { id: e.venue_id, code: e.venue_code ?? '', name: e.venue_name ?? '' } : null,
      from: e.from_at?.toISOString() ?? null,
      to: e.to_at?.toISOString() ?? null,
      sourcesCount: e.sources_count,
    },
    items,
  };
}

export async function sourceRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, access, settings, audit } = routeKit(ctx);
  app.get(
    '/api/contacts/:id/exposures/:exposureId/sources',
    {
      config: { audit: 'handler', permission: 'cases.read' },
      schema: {
        tags: ['contacts'],
        params: ExposureSourcesParams,
        response: { 200: ExposureSourcesResponse },
      },
    },
    async (req) => {
      const contact = await db.selectFrom('case_contacts').select(['id', 'unit_code']).where('id', '=', req.params.id).executeTakeFirst();
      if (!contact) throw notFound('Contact');
      // the contact's commune follows them up: whoever may read the contact may read whom they met
      await access.authorize(req.user!, 'cases.read', { unitCode: contact.unit_code });
      const r = await exposureSources(db, contact.id, req.params.exposureId, settings);
      if (!r) throw notFound('Exposure');
      await audit(req, { action: 'contact.sources.read', subjectType: 'contact', subjectId: contact.id, details: { exposureId: r.exposure.id, rows: r.items.length } });
      return { exposure: r.exposure, items: r.items };
    },
  );
}
