// HTTP routes of check-ins: the public citizen check-in/out (and the gate, signed in), look-ups, statistics, exports.
// Parse (TypeBox) → authorize → engine/service → shape. Venue management routes are in routes.ts.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import { recordAudit } from '../../platform/audit';
import { auditActor } from '../../platform/auth/routes';
import type { AuthUser } from '../../platform/auth/service';
import { AppError, forbidden, invalidField } from '../../platform/http/errors';
import { identifyGateScans } from './gate';
import { checkinScope, exportCsv, exportXlsx, parseRange, toListItems } from './lookups';
import { checkinStats, listCheckins, openCheckinOf } from './queries';
import {
  CheckinBody,
  CheckinList,
  CheckinListQuery,
  CheckinResponse,
  CheckoutBody,
  CommuneOption,
  CommuneQuery,
  ExportQuery,
  PeopleStatusBody,
  PeopleStatusResponse,
  StatsQuery,
  StatsResponse,
  VenuePublic,
  type CheckinItem,
} from './schema';
import { attachment, XLSX_TYPE, type VenueRouteDeps } from './routes';

// A wildcard, not :token: tokens (~150 chars) exceed the router's 100-character limit for named parameters.
const TokenParams = Type.Object({ '*': Type.String({ minLength: 1, maxLength: 600 }) });

/** Per-client limits of the public routes (per IP; signed-in gate staff per user, higher). Citizen check-ins and
 * check-outs: config.publicCheckinsPerMinute. */
export const PUBLIC_LIMITS = {
  gatePerMinute: 3000,
  venueLookupPerMinute: 120,
  communesPerMinute: 120,
};

export async function checkinRoutes(fastify: FastifyInstance, deps: VenueRouteDeps) {
  const { ctx, engine, people } = deps;
  const { db, access, config } = ctx;
  const now = () => config.clock();
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  // ── citizen check-in (public) ────────────────────────────────────────────

  app.get(
    '/api/checkin/venue/*',
    {
      config: { public: true, rateLimit: { max: PUBLIC_LIMITS.venueLookupPerMinute, timeWindow: '1 minute' } },
      schema: { tags: ['checkin'], params: TokenParams, response: { 200: VenuePublic } },
    },
    async (req) => {
      const e = await engine.entrances.openEntrance(req.params['*'], now(), 'params.token');
      return {
        venue: {
          id: e.venueId,
          code: e.venueCode,
          name: e.venueName,
          type: e.venueType,
          address: e.address,
          commune: { code: e.communeCode, name: e.communeName },
          provinceCode: e.communePath.split('/').filter(Boolean)[1] ?? null,
          defaultStayMinutes: e.defaultStayMinutes,
          validUntil: e.validUntil?.toISOString() ?? null,
        },
        entrance: { id: e.entranceId, name: e.entranceName, kind: e.kind },
      };
    },
  );

  app.get(
    '/api/checkin/communes',
    {
      config: { public: true, rateLimit: { max: PUBLIC_LIMITS.communesPerMinute, timeWindow: '1 minute' } },
      schema: { tags: ['checkin'], querystring: CommuneQuery, response: { 200: Type.Object({ items: Type.Array(CommuneOption) }) } },
    },
    async (req) => {
      const q = (req.query.q ?? '').trim();
      const like = `%${q.replace(/[%_\\]/g, '\\$&')}%`;
      let query = db
        .selectFrom('admin_units as c')
        .innerJoin('admin_units as d', 'd.code', 'c.parent_code')
        .leftJoin('admin_units as p', 'p.code', 'd.parent_code')
        .select(['c.code', 'c.name', 'd.name as district', 'p.name as province'])
        .where('c.level', '=', 'commune');
      if (req.query.province) query = query.where('c.path', 'like', `/VN/${req.query.province.replace(/[%_\\]/g, '')}/%`);
      if (q)
        query = query.where((eb) =>
          eb.or([
            eb('c.code', '=', q),
            eb(sql`unaccent_vi(c.name)`, 'ilike', sql`unaccent_vi(${like})`),
            eb(sql`unaccent_vi(c.name || ' ' || d.name)`, 'ilike', sql`unaccent_vi(${like})`),
          ]),
        );
      if (req.query.near) query = query.orderBy(sql`c.path like ${`/VN/${req.query.near.replace(/[%_\\]/g, '')}/%`}`, 'desc');
      const rows = await query.orderBy(sql`length(c.name)`).orderBy('c.name').limit(req.query.limit).execute();
      return { items: rows.map((r) => ({ code: r.code, name: r.name, district: r.district, province: r.province ?? '' })) };
    },
  );

  // Gate accounts (venue operators, area gate staff) get their own, higher limit; any other session (a citizen's
  // account) counts like an anonymous phone.
  const checkinRateLimit = {
    max: (req: FastifyRequest) => (mayRunGates(req.user) ? PUBLIC_LIMITS.gatePerMinute : config.publicCheckinsPerMinute),
    keyGenerator: (req: FastifyRequest) => (mayRunGates(req.user) ? `u:${req.user!.id}` : req.ip),
    timeWindow: '1 minute',
  };

  app.post(
    '/api/checkins',
    {
      config: { public: true, rateLimit: checkinRateLimit },
      bodyLimit: 256 * 1024,
      schema: { tags: ['checkin'], body: CheckinBody, response: { 200: CheckinResponse, 201: CheckinResponse } },
    },
    async (req, reply) => {
      const body = req.body;
      const user = req.user;
      if (body.items) {
        // a batch is a gate's offline queue; from anyone else it would be many check-ins for one request's limit
        if (!mayRunGates(user))
          throw new AppError(403, 'FORBIDDEN', 'body.items: batches are for signed-in gate staff; send one check-in per request', [
            { path: 'body.items', message: 'needs a signed-in gate account' },
          ]);
        if (Object.keys(body).length > 1) throw invalidField('body.items', 'send either one check-in or { items: [...] }, not both');
        const results = await engine.batch(body.items, user);
        await identifyGateScans({ db, access, people }, user!, req, body.items, results);
        return reply.status(200).send(summarise(results));
      }
      const result = await engine.single(body as CheckinItem, user);
      if (user) await identifyGateScans({ db, access, people }, user, req, [body as CheckinItem], [result]);
      return reply.status(result.status === 'created' ? 201 : 200).send(summarise([result]));
    },
  );

  app.post(
    '/api/checkouts',
    {
      config: { public: true, rateLimit: checkinRateLimit },
      bodyLimit: 16 * 1024,
      schema: { tags: ['checkin'], body: CheckoutBody, response: { 200: CheckinResponse } },
    },
    async (req) => summarise([await engine.checkoutPeople(req.body)]),
  );

  app.post(
    '/api/checkin/people',
    {
      config: { public: true, rateLimit: { max: PUBLIC_LIMITS.venueLookupPerMinute, timeWindow: '1 minute' } },
      bodyLimit: 16 * 1024,
      schema: { tags: ['checkin'], body: PeopleStatusBody, response: { 200: PeopleStatusResponse } },
    },
    async (req) => {
      const out: PeopleStatusResponse['people'] = [];
      for (const token of req.body.tokens) {
        let personId: string | null = null;
        try {
          personId = await engine.personOfToken(token, 'body.tokens', true);
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
        }
        if (!personId) {
          out.push({ token, valid: false, personId: null, name: null, openCheckin: null });
          continue;
        }
        // A printed personal QR is seen by everyone at the gate: it checks in, but does not tell where its person is
        // now (or their name). Only the token a phone keeps to itself does.
        if (!people.isDeviceToken(token)) {
          out.push({ token, valid: true, personId: null, name: null, openCheckin: null });
          continue;
        }
        const [brief, open] = await Promise.all([people.briefs(db, [personId]), openCheckinOf(db, personId, now())]);
        out.push({
          token,
          valid: true,
          personId,
          name: brief.get(personId)?.name ?? null,
          openCheckin: open
            ? { venueName: open.venue_name, entranceName: open.entrance_name, checkinAt: open.checkin_at.toISOString(), autoCheckoutAt: open.auto_checkout_at.toISOString() }
            : null,
        });
      }
      return { people: out };
    },
  );

  // ── look-ups, statistics, exports ────────────────────────────────────────

  const lookupPermission = (user: AuthUser) => {
    if (!user.permissions.has('checkins.read') && !user.permissions.has('venues.own')) throw forbidden();
  };

  app.get('/api/checkins', { config: { permission: 'authenticated' }, schema: { tags: ['checkins'], querystring: CheckinListQuery, response: { 200: CheckinList } } }, async (req) => {
    const user = req.user!;
    lookupPermission(user);
    const range = parseRange(req.query.from, req.query.to);
    const scope = await checkinScope(db, access, user, req.query);
    const r = await listCheckins(db, { ...scope, ...range, personId: req.query.personId?.toLowerCase(), limit: req.query.limit, offset: req.query.offset });
    await recordAudit(db, {
      actor: await auditActor(access, user),
      action: 'checkins.read',
      subjectType: req.query.personId ? 'person' : req.query.venueId ? 'venue' : 'checkins',
      subjectId: req.query.personId ?? req.query.venueId ?? null,
      ip: req.ip,
      details: { from: req.query.from, to: req.query.to, communeCode: req.query.communeCode ?? null, rows: r.items.length, total: r.total },
    });
    return { items: await toListItems(db, people, r.items, now()), total: r.total };
  });

  app.get('/api/checkins/stats', { config: { permission: 'authenticated' }, schema: { tags: ['checkins'], querystring: StatsQuery, response: { 200: StatsResponse } } }, async (req) => {
    const user = req.user!;
    lookupPermission(user);
    const range = parseRange(req.query.from, req.query.to);
    const scope = await checkinScope(db, access, user, req.query);
    const base = { ...scope, ...range, timeZone: config.timeZone };
    const [rows, total] = await Promise.all([
      checkinStats(db, { ...base, groupBy: req.query.groupBy, limit: req.query.limit }),
      totals(scope, range),
    ]);
    return { groupBy: req.query.groupBy, total, rows };
  });

  const totals = async (scope: { communeCodes: string[] | null; venueIds?: string[] }, range: { from: Date; to: Date }) => {
    let q = db.selectFrom('checkins as c').innerJoin('venues as v', 'v.id', 'c.venue_id').where('c.checkin_at', '>=', range.from).where('c.checkin_at', '<', range.to);
    if (scope.venueIds) q = q.where('c.venue_id', 'in', scope.venueIds.length ? scope.venueIds : ['00000000-0000-0000-0000-000000000000']);
    if (scope.communeCodes) q = q.where('v.commune_code', 'in', scope.communeCodes.length ? scope.communeCodes : ['']);
    const r = await q.select([sql<string>`count(*)`.as('n'), sql<string>`count(distinct c.person_id)`.as('p')]).executeTakeFirstOrThrow();
    return { checkins: Number(r.n), people: Number(r.p) };
  };

  app.get('/api/checkins/export', { config: { permission: 'authenticated' }, schema: { tags: ['checkins'], querystring: ExportQuery } }, async (req, reply) => {
    const user = req.user!;
    lookupPermission(user);
    const range = parseRange(req.query.from, req.query.to);
    const scope = await checkinScope(db, access, user, req.query);
    const f = { ...scope, ...range, personId: req.query.personId?.toLowerCase(), now: now() };
    const out = req.query.format === 'xlsx' ? await exportXlsx(db, people, f) : await exportCsv(db, people, f);
    await recordAudit(db, {
      actor: await auditActor(access, user),
      action: 'checkins.export',
      subjectType: req.query.personId ? 'person' : req.query.venueId ? 'venue' : 'checkins',
      subjectId: req.query.personId ?? req.query.venueId ?? null,
      reason: req.query.reason ?? null,
      ip: req.ip,
      details: { format: req.query.format, from: req.query.from, to: req.query.to, communeCode: req.query.communeCode ?? null, rows: out.rows },
    });
    const stamp = range.from.toISOString().slice(0, 10);
    return req.query.format === 'xlsx'
      ? attachment(reply, XLSX_TYPE, `checkins-${stamp}.xlsx`, out.body)
      : attachment(reply, 'text/csv; charset=utf-8', `checkins-${stamp}.csv`, out.body);
  });
}

/** Accounts that may run a venue gate somewhere (which venue is checked per item by the engine). */
function mayRunGates(user: AuthUser | null | undefined): boolean {
  return !!user && (user.permissions.has('checkins.gate') || user.permissions.has('venues.own'));
}

function summarise(results: CheckinResponse['results']): CheckinResponse {
  return {
    results,
    accepted: results.filter((r) => r.status === 'created' || r.status === 'checked_out').length,
    duplicates: results.filter((r) => r.status === 'duplicate').length,
    rejected: results.filter((r) => r.status === 'rejected').length,
  };
}
