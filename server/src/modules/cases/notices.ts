// Exposure notices: the venues and time windows a confirmed case was at, with no identity. Venue operators see
// their own venues' notices, officers those of venues in their jurisdiction; the public list feeds the citizen
// check-in page, which matches it against the history it keeps on the phone (the server never learns who matched).
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { AppContext } from '../../platform/module';
import { routeKit } from './scope';

const NoticeItem = Type.Object({
  id: Type.String(),
  venueId: Type.String(),
  venueName: Type.String(),
  venueAddress: Type.String(),
  entranceId: Type.Union([Type.String(), Type.Null()]),
  entranceName: Type.Union([Type.String(), Type.Null()]),
  from: Type.String(),
  to: Type.String(),
  publishedAt: Type.String(),
  /**
   * 1: a confirmed case was there; 2: a mass exposure (close contacts of a case were there in a crowd; the people there
   * were not listed one by one, VIGIL_TRACE_MASS_EXPOSURE)
   */
  level: Type.Integer(),
});
const NoticeList = Type.Object({ items: Type.Array(NoticeItem) });
/** Officers' and venue operators' list: a mass exposure's figures too (counts, no identity; not in the public list). */
const StaffNoticeItem = Type.Composite([
  NoticeItem,
  Type.Object({
    /** level 2: the people at the venue during the window not listed as contacts */
    peopleCount: Type.Union([Type.Integer(), Type.Null()]),
    /** level 2: how many of the case's F1s were there */
    sourcesCount: Type.Union([Type.Integer(), Type.Null()]),
  }),
]);
const StaffNoticeList = Type.Object({ items: Type.Array(StaffNoticeItem) });

/** How far back published notices reach: the incubation period plus the case's window. */
const PUBLIC_DAYS = 21;
/**
 * Notices show whole half hours (start rounded down, end up), never the case's exact check-in and check-out: a
 * venue operator could otherwise find the one gate scan at that very second and so the case's identity. A wider
 * window only adds matches on the phones, it never loses one.
 */
const NOTICE_GRAIN_MS = 30 * 60_000;
const floorGrain = (d: Date) => new Date(Math.floor(d.getTime() / NOTICE_GRAIN_MS) * NOTICE_GRAIN_MS).toISOString();
const ceilGrain = (d: Date) => new Date(Math.ceil(d.getTime() / NOTICE_GRAIN_MS) * NOTICE_GRAIN_MS).toISOString();

export async function noticeRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, now, scopeFor } = routeKit(ctx);
  const tags = ['exposure notices'];

  const list = (since: Date) =>
    db
      .selectFrom('exposure_notices as n')
      .innerJoin('venues as v', 'v.id', 'n.venue_id')
      .leftJoin('venue_entrances as e', 'e.id', 'n.entrance_id')
      .select(['n.id', 'n.venue_id', 'v.name as venue_name', 'v.address as venue_address', 'n.entrance_id', 'e.name as entrance_name', 'n.from_at', 'n.to_at', 'n.published_at', 'n.level', 'n.people_count', 'n.sources_count'])
      .where('n.withdrawn_at', 'is', null)
      .where('n.to_at', '>=', since)
      .orderBy('n.from_at', 'desc');
  const view = (r: { id: string; venue_id: string; venue_name: string; venue_address: string; entrance_id: string | null; entrance_name: string | null; from_at: Date; to_at: Date; published_at: Date; level: number }) => ({
    id: r.id,
    venueId: r.venue_id,
    venueName: r.venue_name,
    venueAddress: r.venue_address,
    entranceId: r.entrance_id,
    entranceName: r.entrance_name,
    from: floorGrain(r.from_at),
    to: ceilGrain(r.to_at),
    publishedAt: r.published_at.toISOString(),
    level: r.level,
  });
  const since = () => new Date(now().getTime() - PUBLIC_DAYS * 86_400_000);

  app.get(
    '/api/exposure-notices',
    { config: { permission: 'exposure.read' }, schema: { tags, querystring: Type.Object({ unit: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.-]{1,20}$' })) }), response: { 200: StaffNoticeList } } },
    async (req) => {
      const user = req.user!;
      let q = list(since()).limit(2000);
      if (user.role === 'venue_operator') {
        q = q.where('n.venue_id', 'in', (eb) => eb.selectFrom('venue_operators').select('venue_id').where('user_id', '=', user.id));
      } else {
        const scope = await scopeFor(user, 'exposure.read', req.query.unit);
        if (scope) q = q.where('v.commune_code', 'in', scope.length ? scope : ['-']);
      }
      return { items: (await q.execute()).map((r) => ({ ...view(r), peopleCount: r.people_count, sourcesCount: r.sources_count })) };
    },
  );

  // Public: no identity, no case id, only venue + time window; rate limited; cacheable for a minute.
  app.get(
    '/api/public/exposure-notices',
    {
      config: { public: true, rateLimit: { max: 60, timeWindow: '1 minute' } },
      schema: { tags, response: { 200: NoticeList } },
    },
    async (_req, reply) => {
      reply.header('cache-control', 'public, max-age=60');
      return { items: (await list(since()).limit(5000).execute()).map(view) };
    },
  );
}
