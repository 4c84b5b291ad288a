// HTTP routes of venue management: venues, entrances, operators, QR codes and posters, approvals, imports.
// Parse (TypeBox) → authorize → service → shape. Check-in routes are in checkin-routes.ts.
import { acceptUploads, attachment, XLSX_TYPE } from '../../platform/http/files';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import QRCode from 'qrcode';
import type { AppContext } from '../../platform/module';
import { recordAudit } from '../../platform/audit';
import { auditActor } from '../../platform/auth/routes';
import type { AuthUser } from '../../platform/auth/service';
import { AppError, forbidden, invalidField, notFound } from '../../platform/http/errors';
import { Page } from '../../platform/http/schema';
import type { CheckinEngine } from './checkins';
import { ImportFileError, importCheckinsData, importVenuesData, venueTemplateXlsx } from './imports';
import { areaCommunes, entrancesOf, findEntrance } from './queries';
import {
  AreaCommuneQuery,
  AreaCommunes,
  CreateVenueBody,
  EntranceBody,
  ImportResult,
  OperatorBody,
  QrResponse,
  UpdateEntranceBody,
  UpdateVenueBody,
  VenueDetail,
  VenueItem,
  VenueListQuery,
  VenueStatusBody,
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
import { checkinUrl, entranceShortCode, shortCheckinUrl } from './tokens';
import { isLoopbackUrl } from '../../platform/public-url';
import type { PeoplePort } from './people-port';

const VenueIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const EntranceParams = Type.Object({ id: Type.String({ format: 'uuid' }), entranceId: Type.String({ format: 'uuid' }) });


/** What venueRoutes and checkinRoutes (checkin-routes.ts) are built with. */
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
    acceptUploads(scoped, 32 * 1024 * 1024);
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
        // operators too import only into their own area
        const scope = await access.scopeCodes(user);
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
          const scope = await access.scopeCodes(req.user!);
          const r = await importCheckinsData(
            db,
            { clock: config.clock, retentionDays: config.checkinRetentionDays, people, recordedBy: req.user!.id, allowedCommunes: scope ? new Set(scope) : null },
            bodyBuffer(req),
          );
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

  // The venue form's commune picker: only where this user may place a venue (requireCommuneInArea), best first.
  app.get(
    '/api/venues/communes',
    { config: { permission: 'authenticated' }, schema: { tags: ['venues'], querystring: AreaCommuneQuery, response: { 200: AreaCommunes } } },
    async (req) => {
      const user = req.user!;
      if (!user.permissions.has('venues.manage') && !user.permissions.has('venues.own')) throw forbidden();
      const unit = await access.resolver.unit(user.jurisdictionCode);
      if (!unit) return { items: [], total: 0 };
      return areaCommunes(db, { areaPath: unit.path, q: req.query.q ?? '', userId: user.id, limit: req.query.limit });
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
      engine.entrances.invalidateVenue(venue.id);
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
      engine.entrances.invalidateVenue(venue.id);
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
      engine.entrances.invalidateVenue(venue.id);
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
    const commune = await db.selectFrom('admin_units').select(['name', 'path']).where('code', '=', venue.commune_code).executeTakeFirst();
    const address = [venue.address, commune?.name].filter(Boolean).join(', ');
    const testOnly = isLoopbackUrl(config.publicUrl);
    return {
      name: venue.name,
      code: venue.code,
      items: entrances.map((e) => ({
        venueName: venue.name,
        venueAddress: address,
        entranceName: e.name,
        checkinUrl: checkinUrl(config.publicUrl, entranceToken(keys, e, venue)),
        shortUrl: shortCheckinUrl(config.publicUrl, entranceShortCode(commune?.path ?? '', venue.short_code, e.number)),
        testOnly,
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
}
