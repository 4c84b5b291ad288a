// HTTP routes of the venues module: parse (TypeBox) → authorize → service → shape.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import QRCode from 'qrcode';
import { sql } from 'kysely';
import type { AppContext } from '../../platform/module';
import { recordAudit } from '../../platform/audit';
import { auditActor } from '../../platform/auth/routes';
import type { AuthUser } from '../../platform/auth/service';
import { AppError, forbidden, invalidField, notFound } from '../../platform/http/errors';
import { Page } from '../../platform/http/schema';
import type { CheckinEngine } from './checkins';
import { ImportFileError, importCheckinsData, importVenuesData, venueTemplateXlsx } from './imports';
import { checkinScope, exportCsv, exportXlsx, parseRange, toListItems } from './lookups';
import { checkinStats, entrancesOf, findEntrance, listCheckins, openCheckinOf } from './queries';
import {
  CheckinBody,
  CheckinList,
  CheckinListQuery,
  CheckinResponse,
  CheckoutBody,
  CommuneOption,
  CommuneQuery,
  CreateVenueBody,
  EntranceBody,
  ExportQuery,
  ImportResult,
  OperatorBody,
  PeopleStatusBody,
  PeopleStatusResponse,
  QrResponse,
  StatsQuery,
  StatsResponse,
  UpdateEntranceBody,
  UpdateVenueBody,
  VenueDetail,
  VenueItem,
  VenueListQuery,
  VenuePublic,
  VenueStatusBody,
  type CheckinItem,
} from './schema';
import {
  addEntrance,
  addOperator,
  createVenue,
  entranceToken,
  isOwnOnly,
  requireVenue,
  searchVenues,
  setVenueStatus,
  updateVenue,
  venueDetail,
  venueRights,
} from './service';
import { postersPdf, postersZip, posterFileStem, slug, type EntrancePosterParams } from './posters';
import { checkinUrl } from './tokens';
import type { PeoplePort } from './people-port';

const VenueIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const EntranceParams = Type.Object({ id: Type.String({ format: 'uuid' }), entranceId: Type.String({ format: 'uuid' }) });
// A wildcard, not :token: tokens (~150 chars) exceed the router's 100-character limit for named parameters.
const TokenParams = Type.Object({ '*': Type.String({ minLength: 1, maxLength: 600 }) });

/** Per-client limits of the public routes (per IP; signed-in gate staff per user, higher). */
export const PUBLIC_LIMITS = {
  checkinPerMinute: 120,
  gatePerMinute: 3000,
  venueLookupPerMinute: 120,
  communesPerMinute: 120,
};

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

function attachment(reply: FastifyReply, type: string, filename: string, body: Buffer) {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/"/g, '');
  reply.header('content-type', type);
  reply.header('content-disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`);
  reply.header('cache-control', 'no-store');
  return reply.send(body);
}

export interface VenueRouteDeps {
  ctx: AppContext;
  engine: CheckinEngine;
  people: PeoplePort;
}

export async function venueRoutes(fastify: FastifyInstance, deps: VenueRouteDeps) {
  const { ctx, engine, people } = deps;
  const { db, access, keys, config } = ctx;
  const now = () => config.clock();

  // Uploads (Excel/CSV) arrive as raw bodies in this encapsulated context.
  await fastify.register(async (scoped) => {
    if (!scoped.hasContentTypeParser(XLSX_TYPE))
      scoped.addContentTypeParser(XLSX_TYPE, { parseAs: 'buffer', bodyLimit: 32 * 1024 * 1024 }, (_req, body, done) => done(null, body));
    if (!scoped.hasContentTypeParser('application/octet-stream'))
      scoped.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: 32 * 1024 * 1024 }, (_req, body, done) => done(null, body));
    if (!scoped.hasContentTypeParser('text/csv'))
      scoped.addContentTypeParser('text/csv', { parseAs: 'buffer', bodyLimit: 32 * 1024 * 1024 }, (_req, body, done) => done(null, body));
    const app = scoped.withTypeProvider<TypeBoxTypeProvider>();
    const bodyBuffer = (req: FastifyRequest): Buffer => {
      const b = req.body as unknown;
      if (Buffer.isBuffer(b)) return b;
      if (typeof b === 'string') return Buffer.from(b, 'utf8');
      throw invalidField('body', 'send the file as the request body (Content-Type text/csv or the .xlsx type)');
    };
    const importError = (err: unknown) => {
      if (err instanceof ImportFileError) return new AppError(400, 'IMPORT_REJECTED', err.message, [{ path: 'body', message: err.message }]);
      return err;
    };

    app.post(
      '/api/venues/import',
      { config: { permission: 'authenticated' }, bodyLimit: 32 * 1024 * 1024, schema: { tags: ['venues'], response: { 200: ImportResult } } },
      async (req) => {
        const user = req.user!;
        const officer = user.permissions.has('venues.manage') && !isOwnOnly(user);
        if (!officer && !user.permissions.has('venues.own')) throw forbidden();
        const scope = officer ? await access.scopeCodes(user) : null;
        try {
          const r = await importVenuesData(db, bodyBuffer(req), {
            status: officer && user.permissions.has('venues.approve') ? 'approved' : 'pending',
            createdBy: user.id,
            operatorUserId: officer ? null : user.id,
            allowedCommunes: scope ? new Set(scope) : null,
          });
          await recordAudit(db, { actor: await auditActor(access, user), action: 'venues.import', subjectType: 'venue', ip: req.ip, details: { total: r.total, imported: r.imported, errors: r.errors.length } });
          return r;
        } catch (err) {
          throw importError(err);
        }
      },
    );

    app.post(
      '/api/checkins/import',
      { config: { permission: 'checkins.import' }, bodyLimit: 32 * 1024 * 1024, schema: { tags: ['checkins'], response: { 200: ImportResult } } },
      async (req) => {
        try {
          const r = await importCheckinsData(db, { clock: config.clock, retentionDays: config.checkinRetentionDays, people, recordedBy: req.user!.id }, bodyBuffer(req));
          await recordAudit(db, { actor: await auditActor(access, req.user!), action: 'checkins.import', subjectType: 'checkin', ip: req.ip, details: { total: r.total, imported: r.imported, duplicates: r.duplicates, errors: r.errors.length } });
          return r;
        } catch (err) {
          throw importError(err);
        }
      },
    );
  });

  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  // ── venue management ─────────────────────────────────────────────────────

  const listPermission = (user: AuthUser) => {
    if (!['venues.read', 'venues.own', 'venues.manage', 'venues.approve', 'checkins.gate'].some((p) => user.permissions.has(p as never))) throw forbidden();
  };

  app.get('/api/venues', { config: { permission: 'authenticated' }, schema: { tags: ['venues'], querystring: VenueListQuery, response: { 200: Page(VenueItem) } } }, async (req) => {
    listPermission(req.user!);
    return searchVenues(db, access, req.user!, req.query);
  });

  app.post(
    '/api/venues',
    { config: { permission: 'authenticated' }, schema: { tags: ['venues'], body: CreateVenueBody, response: { 201: VenueDetail } } },
    async (req, reply) => {
      const venue = await createVenue(db, access, req.user!, req.body, now());
      await recordAudit(db, { actor: await auditActor(access, req.user!), action: 'venue.create', subjectType: 'venue', subjectId: venue.id, ip: req.ip, details: { code: venue.code, status: venue.status } });
      const rights = await venueRights(db, access, req.user!, venue);
      return reply.status(201).send(await venueDetail(db, keys, config.publicUrl, venue, rights));
    },
  );

  app.get('/api/venues/template.xlsx', { config: { permission: 'authenticated' }, schema: { tags: ['venues'] } }, async (req, reply) => {
    listPermission(req.user!);
    const example = await db
      .selectFrom('admin_units')
      .select('code')
      .where('level', '=', 'commune')
      .where('path', 'like', `${(await access.resolver.unit(req.user!.jurisdictionCode))?.path ?? '/'}%`)
      .orderBy('code')
      .limit(1)
      .executeTakeFirst();
    return attachment(reply, XLSX_TYPE, 'vigil-venues-template.xlsx', await venueTemplateXlsx(example?.code ?? ''));
  });

  app.get('/api/venues/:id', { config: { permission: 'authenticated' }, schema: { tags: ['venues'], params: VenueIdParams, response: { 200: VenueDetail } } }, async (req) => {
    const { venue, rights } = await requireVenue(db, access, req.user!, req.params.id, 'view');
    return venueDetail(db, keys, config.publicUrl, venue, rights);
  });

  app.patch(
    '/api/venues/:id',
    { config: { permission: 'authenticated' }, schema: { tags: ['venues'], params: VenueIdParams, body: UpdateVenueBody, response: { 200: VenueDetail } } },
    async (req) => {
      const { venue, rights } = await requireVenue(db, access, req.user!, req.params.id, 'edit');
      const updated = await updateVenue(db, access, req.user!, venue, req.body, now());
      engine.invalidateVenue(venue.id);
      await recordAudit(db, { actor: await auditActor(access, req.user!), action: 'venue.update', subjectType: 'venue', subjectId: venue.id, ip: req.ip, details: { fields: Object.keys(req.body) } });
      return venueDetail(db, keys, config.publicUrl, updated, rights);
    },
  );

  app.post(
    '/api/venues/:id/status',
    { config: { permission: 'venues.approve' }, schema: { tags: ['venues'], params: VenueIdParams, body: VenueStatusBody, response: { 200: VenueDetail } } },
    async (req) => {
      const { venue, rights } = await requireVenue(db, access, req.user!, req.params.id, 'approve');
      const updated = await setVenueStatus(db, req.user!, venue, req.body.status, req.body.reason, now());
      engine.invalidateVenue(venue.id);
      await recordAudit(db, { actor: await auditActor(access, req.user!), action: `venue.${req.body.status === 'approved' ? 'approve' : 'suspend'}`, subjectType: 'venue', subjectId: venue.id, reason: req.body.reason ?? null, ip: req.ip });
      return venueDetail(db, keys, config.publicUrl, updated, rights);
    },
  );

  app.post(
    '/api/venues/:id/entrances',
    { config: { permission: 'authenticated' }, schema: { tags: ['venues'], params: VenueIdParams, body: EntranceBody, response: { 201: VenueDetail } } },
    async (req, reply) => {
      const { venue, rights } = await requireVenue(db, access, req.user!, req.params.id, 'edit');
      await addEntrance(db, venue.id, req.body.name, req.body.kind);
      return reply.status(201).send(await venueDetail(db, keys, config.publicUrl, venue, rights));
    },
  );

  app.patch(
    '/api/venues/:id/entrances/:entranceId',
    { config: { permission: 'authenticated' }, schema: { tags: ['venues'], params: EntranceParams, body: UpdateEntranceBody, response: { 200: VenueDetail } } },
    async (req) => {
      const { venue, rights } = await requireVenue(db, access, req.user!, req.params.id, 'edit');
      const e = await findEntrance(db, venue.id, req.params.entranceId);
      if (!e) throw notFound('Entrance');
      await db
        .updateTable('venue_entrances')
        .set({
          ...(req.body.name !== undefined && { name: req.body.name.trim() }),
          ...(req.body.kind !== undefined && { kind: req.body.kind }),
          ...(req.body.active !== undefined && { active: req.body.active }),
        })
        .where('id', '=', e.id)
        .execute();
      engine.invalidateVenue(venue.id);
      return venueDetail(db, keys, config.publicUrl, venue, rights);
    },
  );

  app.post(
    '/api/venues/:id/operators',
    { config: { permission: 'venues.manage' }, schema: { tags: ['venues'], params: VenueIdParams, body: OperatorBody, response: { 200: VenueDetail } } },
    async (req) => {
      const { venue, rights } = await requireVenue(db, access, req.user!, req.params.id, 'manageOperators');
      const userId = await addOperator(db, venue.id, req.body.username);
      await recordAudit(db, { actor: await auditActor(access, req.user!), action: 'venue.operator.add', subjectType: 'venue', subjectId: venue.id, ip: req.ip, details: { userId } });
      return venueDetail(db, keys, config.publicUrl, venue, rights);
    },
  );

  app.delete(
    '/api/venues/:id/operators/:userId',
    { config: { permission: 'venues.manage' }, schema: { tags: ['venues'], params: Type.Object({ id: Type.String({ format: 'uuid' }), userId: Type.String({ pattern: '^[0-9]{1,18}$' }) }), response: { 200: VenueDetail } } },
    async (req) => {
      const { venue, rights } = await requireVenue(db, access, req.user!, req.params.id, 'manageOperators');
      await db.deleteFrom('venue_operators').where('venue_id', '=', venue.id).where('user_id', '=', req.params.userId).execute();
      await recordAudit(db, { actor: await auditActor(access, req.user!), action: 'venue.operator.remove', subjectType: 'venue', subjectId: venue.id, ip: req.ip, details: { userId: req.params.userId } });
      return venueDetail(db, keys, config.publicUrl, venue, rights);
    },
  );

  // ── QR codes and posters ─────────────────────────────────────────────────

  const posterParams = async (venueId: string, user: AuthUser, entranceId?: string): Promise<{ name: string; code: string; items: EntrancePosterParams[] }> => {
    const { venue } = await requireVenue(db, access, user, venueId, 'view');
    let entrances = (await entrancesOf(db, venue.id)).filter((e) => e.active);
    if (entranceId) {
      entrances = entrances.filter((e) => e.id === entranceId);
      if (!entrances.length) throw notFound('Entrance');
    }
    const commune = await db.selectFrom('admin_units').select('name').where('code', '=', venue.commune_code).executeTakeFirst();
    const address = [venue.address, commune?.name].filter(Boolean).join(', ');
    return {
      name: venue.name,
      code: venue.code,
      items: entrances.map((e) => ({
        venueName: venue.name,
        venueAddress: address,
        entranceName: e.name,
        checkinUrl: checkinUrl(config.publicUrl, entranceToken(keys, e, venue)),
        venueCode: venue.code,
        validUntil: venue.valid_until,
        timeZone: config.timeZone,
      })),
    };
  };

  app.get(
    '/api/venues/:id/entrances/:entranceId/qr',
    { config: { permission: 'authenticated' }, schema: { tags: ['venues'], params: EntranceParams, response: { 200: QrResponse } } },
    async (req) => {
      const { venue } = await requireVenue(db, access, req.user!, req.params.id, 'view');
      const e = await findEntrance(db, venue.id, req.params.entranceId);
      if (!e) throw notFound('Entrance');
      const token = entranceToken(keys, e, venue);
      const url = checkinUrl(config.publicUrl, token);
      return { token, url, svg: await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }), expiresAt: venue.valid_until?.toISOString() ?? null };
    },
  );

  app.get('/api/venues/:id/entrances/:entranceId/poster.pdf', { config: { permission: 'authenticated' }, schema: { tags: ['venues'], params: EntranceParams } }, async (req, reply) => {
    const p = await posterParams(req.params.id, req.user!, req.params.entranceId);
    return attachment(reply, 'application/pdf', `${posterFileStem(p.items[0]!)}.pdf`, await postersPdf(p.items));
  });

  app.get('/api/venues/:id/posters.pdf', { config: { permission: 'authenticated' }, schema: { tags: ['venues'], params: VenueIdParams } }, async (req, reply) => {
    const p = await posterParams(req.params.id, req.user!);
    if (!p.items.length) throw new AppError(409, 'NO_ENTRANCES', 'The venue has no open entrance to print');
    return attachment(reply, 'application/pdf', `posters-${slug(p.code) || 'venue'}.pdf`, await postersPdf(p.items));
  });

  app.get('/api/venues/:id/posters.zip', { config: { permission: 'authenticated' }, schema: { tags: ['venues'], params: VenueIdParams } }, async (req, reply) => {
    const p = await posterParams(req.params.id, req.user!);
    if (!p.items.length) throw new AppError(409, 'NO_ENTRANCES', 'The venue has no open entrance to print');
    return attachment(reply, 'application/zip', `posters-${slug(p.code) || 'venue'}.zip`, await postersZip(p.items));
  });

  // ── citizen check-in (public) ────────────────────────────────────────────

  app.get(
    '/api/checkin/venue/*',
    {
      config: { public: true, rateLimit: { max: PUBLIC_LIMITS.venueLookupPerMinute, timeWindow: '1 minute' } },
      schema: { tags: ['checkin'], params: TokenParams, response: { 200: VenuePublic } },
    },
    async (req) => {
      const e = await engine.openEntrance(req.params['*'], now(), 'params.token');
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

  const checkinRateLimit = {
    max: (req: FastifyRequest) => (req.user ? PUBLIC_LIMITS.gatePerMinute : PUBLIC_LIMITS.checkinPerMinute),
    keyGenerator: (req: FastifyRequest) => (req.user ? `u:${req.user.id}` : req.ip),
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
        if (Object.keys(body).length > 1) throw invalidField('body.items', 'send either one check-in or { items: [...] }, not both');
        const results = await engine.batch(body.items, user);
        return reply.status(200).send(summarise(results));
      }
      const result = await engine.single(body as CheckinItem, user);
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
    return { items: await toListItems(db, people, r.items), total: r.total };
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
    const f = { ...scope, ...range, personId: req.query.personId?.toLowerCase() };
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

function summarise(results: CheckinResponse['results']): CheckinResponse {
  return {
    results,
    accepted: results.filter((r) => r.status === 'created' || r.status === 'checked_out').length,
    duplicates: results.filter((r) => r.status === 'duplicate').length,
    rejected: results.filter((r) => r.status === 'rejected').length,
  };
}
