// Logistics routes: products and priority groups (read), sites, lots and wastage, campaigns, sessions and slots.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import { invalidField, notFound } from '../../platform/http/errors';
import { withinScope } from '../../platform/auth/jurisdiction';
import type { AppContext } from '../../platform/module';
import { localDay } from '../../platform/time';
import { addLot, createCampaign, createSession, createSite, recordWastage } from './admin';
import { routeKit } from './kit';
import { inviteUpToCapacity } from './invitations';
import { CampaignBody, CampaignEditBody, CloseBody, CloseResponse, EditResponse, IdParam, IdResponse, LotBody, ReopenBody, ReopenResponse, SessionBody, SiteBody, SiteEditBody, SlotsQuery, WastageBody } from './schema';
import { campaignClosed, closeCampaign, closeSite, reopenCampaign, reopenSite, siteClosed, updateCampaign, updateSite } from './close';

const tags = ['vaccination'];

export async function adminRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const k = routeKit(ctx);
  const { db, access } = k;

  app.get('/api/vaccination/products', { config: { permission: 'self' }, schema: { tags } }, async () => {
    const r = await sql`select code, name, manufacturer_code as "manufacturerCode", manufacturer_name as "manufacturerName", prophylaxis_code as "prophylaxisCode",
      doses_in_schedule as "dosesInSchedule", interval_days as "intervalDays", min_age as "minAge", max_age as "maxAge" from vaccine_products where active order by name`.execute(db);
    return { items: r.rows };
  });

  app.get('/api/vaccination/priority-groups', { config: { permission: 'self' }, schema: { tags } }, async () => {
    const r = await sql`select code, rank, name_vi as "nameVi", name_en as "nameEn", rule from priority_groups where active order by rank`.execute(db);
    return { items: r.rows };
  });

  app.get('/api/vaccination/campaigns', { config: { permission: 'self' }, schema: { tags } }, async () => {
    const r = await sql`select id, name, unit_code as "unitCode", to_char(starts_on, 'YYYY-MM-DD') as "startsOn", to_char(ends_on, 'YYYY-MM-DD') as "endsOn",
      product_codes as "productCodes", priority_codes as "priorityCodes", status from vaccination_campaigns where status <> 'closed' order by starts_on desc limit 100`.execute(db);
    return { items: r.rows };
  });

  app.post('/api/vaccination/campaigns', { config: { permission: 'vaccination.manage' }, schema: { tags, body: CampaignBody, response: { 201: IdResponse } } }, async (req, reply) => {
    const unit = await access.resolver.unit(req.body.unitCode);
    if (!unit) throw invalidField('body.unitCode', 'is not a known administrative unit');
    await access.authorize(req.user!, 'vaccination.manage', { unitCode: unit.code });
    const id = await createCampaign(db, req.body);
    await k.audit(req, { action: 'vaccination.campaign.create', subjectType: 'vaccination_campaign', subjectId: id, details: { unit: unit.code } });
    return reply.code(201).send({ id });
  });

  app.get('/api/vaccination/sites', { config: { permission: 'self' }, schema: { tags, querystring: Type.Object({ unit: Type.Optional(Type.String({ maxLength: 20 })) }, { additionalProperties: false }) } }, async (req) => {
    // sites are public places (citizens choose where to go); the filter narrows by area
    const codes = req.query.unit ? await access.resolver.subtreeCodes(req.query.unit) : null;
    const r = await sql`select id, code, name, address, commune_code as "communeCode", capacity_per_hour as "capacityPerHour", opening_hours as "openingHours"
      from vaccination_sites where active ${codes ? sql`and commune_code = any(${codes}::text[])` : sql``} order by name limit 2000`.execute(db);
    return { items: r.rows };
  });

  app.post('/api/vaccination/sites', { config: { permission: 'vaccination.manage' }, schema: { tags, body: SiteBody, response: { 201: IdResponse } } }, async (req, reply) => {
    const unit = await access.resolver.unit(req.body.communeCode);
    if (!unit || unit.level !== 'commune') throw invalidField('body.communeCode', 'is not a known commune');
    await access.authorize(req.user!, 'vaccination.manage', { unitCode: unit.code });
    const id = await createSite(db, req.body);
    await k.audit(req, { action: 'vaccination.site.create', subjectType: 'vaccination_site', subjectId: id, details: { commune: unit.code } });
    return reply.code(201).send({ id });
  });

  app.get('/api/vaccination/sites/:id/stock', { config: { permission: 'vaccination.read' }, schema: { tags, params: IdParam } }, async (req) => {
    await k.siteFor(req.user!, req.params.id, 'vaccination.read', 'params.id');
    const r = await sql`select l.id, l.product_code as "productCode", l.lot_number as "lotNumber", to_char(l.expires_on, 'YYYY-MM-DD') as "expiresOn",
      l.quantity, l.used, l.wasted, l.quantity - l.used - l.wasted as left from vaccine_lots l where l.site_id = ${req.params.id} order by l.expires_on`.execute(db);
    return { items: r.rows };
  });

  app.post('/api/vaccination/sites/:id/lots', { config: { permission: 'vaccination.manage' }, schema: { tags, params: IdParam, body: LotBody, response: { 201: IdResponse } } }, async (req, reply) => {
    await k.siteFor(req.user!, req.params.id, 'vaccination.manage', 'params.id');
    const id = await addLot(db, req.params.id, req.body, localDay(k.now(), k.tz));
    await k.audit(req, { action: 'vaccination.lot.receive', subjectType: 'vaccine_lot', subjectId: id, details: { quantity: req.body.quantity } });
    return reply.code(201).send({ id });
  });

  app.post('/api/vaccination/lots/:id/wastage', { config: { permission: 'vaccination.write' }, schema: { tags, params: IdParam, body: WastageBody } }, async (req) => {
    const lot = (await sql<{ site_id: string }>`select site_id from vaccine_lots where id = ${req.params.id}`.execute(db)).rows[0];
    if (!lot) throw notFound('Lot');
    await k.siteFor(req.user!, lot.site_id, 'vaccination.write', 'params.id');
    await recordWastage(db, req.params.id, req.body.doses);
    await k.audit(req, { action: 'vaccination.lot.wastage', subjectType: 'vaccine_lot', subjectId: req.params.id, details: { doses: req.body.doses, reason: req.body.reason } });
    return { ok: true };
  });

  app.post('/api/vaccination/campaigns/:id/sessions', { config: { permission: 'vaccination.manage' }, schema: { tags, params: IdParam, body: SessionBody } }, async (req, reply) => {
    const c = await k.campaignFor(req.user!, req.params.id, null, 'params.id');
    const site = await k.siteFor(req.user!, req.body.siteId, 'vaccination.manage');
    if (c.status === 'closed') throw campaignClosed('params.id');
    if (!site.active) throw siteClosed('body.siteId');
    // a campaign's sessions are held inside its area (another province's officer cannot add sessions to it)
    if (!(await withinScope(access.resolver, c.unit_code, site.commune_code))) throw invalidField('body.siteId', "is not a site inside the campaign's area");
    const r = await createSession(db, c, req.body.siteId, req.body.day, req.body.productCode, k.tz);
    await k.audit(req, { action: 'vaccination.session.create', subjectType: 'vaccination_session', subjectId: r.id, details: { day: req.body.day, slots: r.slots } });
    return reply.code(201).send(r);
  });

  app.post(
    '/api/vaccination/campaigns/:id/invitations',
    { config: { permission: 'vaccination.manage' }, schema: { tags, params: IdParam, body: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 100_000 }) }, { additionalProperties: false }) } },
    async (req) => {
      const c = await k.campaignFor(req.user!, req.params.id, 'vaccination.manage', 'params.id');
      if (c.status === 'closed') throw campaignClosed('params.id');
      const r = await inviteUpToCapacity(db, ctx.events, c, { limit: req.body.limit, now: k.now(), bookingUrl: `${ctx.config.publicUrl}/health-book` });
      await k.audit(req, { action: 'vaccination.invite', subjectType: 'vaccination_campaign', subjectId: c.id, details: r });
      return r;
    },
  );

  // free seats of a day (citizens choose a time): no personal data; nothing of a closed site, no closed slot
  app.get('/api/vaccination/slots', { config: { permission: 'self' }, schema: { tags, querystring: SlotsQuery } }, async (req) => {
    const q = req.query;
    const codes = q.communeCode ? await access.resolver.subtreeCodes(q.communeCode) : null;
    const r = await sql`
      select sl.id, sl.starts_at as "startsAt", sl.ends_at as "endsAt", sl.capacity, sl.booked, se.id as "sessionId", se.product_code as "productCode",
             si.id as "siteId", si.name as "siteName", si.address as "siteAddress"
      from vaccination_sessions se join vaccination_slots sl on sl.session_id = se.id join vaccination_sites si on si.id = se.site_id
      where se.campaign_id = ${q.campaignId} and se.day = ${q.day} and not sl.closed and si.active ${q.siteId ? sql`and se.site_id = ${q.siteId}` : sql``}
        ${codes ? sql`and si.commune_code = any(${codes}::text[])` : sql``}
      order by si.name, sl.starts_at limit 2000`.execute(db);
    return { items: r.rows };
  });

  // --- editing and closing (close.ts): officers with vaccination.manage over the site's commune / campaign's area ---
  const closing = (req: { user?: { id: string } | null; body: { bookings: 'cancel' | 'keep'; reason: string } }) => ({
    mode: req.body.bookings,
    reason: req.body.reason.trim(),
    by: req.user!.id,
    now: k.now(),
    timeZone: k.tz,
    bookingUrl: `${ctx.config.publicUrl}/health-book`,
  });

  app.patch('/api/vaccination/sites/:id', { config: { permission: 'vaccination.manage' }, schema: { tags, params: IdParam, body: SiteEditBody, response: { 200: EditResponse } } }, async (req) => {
    await k.siteFor(req.user!, req.params.id, 'vaccination.manage', 'params.id');
    const changed = await updateSite(db, req.params.id, req.body, k.now());
    await k.audit(req, { action: 'vaccination.site.update', subjectType: 'vaccination_site', subjectId: req.params.id, details: { changed } });
    return { changed };
  });

  app.post('/api/vaccination/sites/:id/close', { config: { permission: 'vaccination.manage' }, schema: { tags, params: IdParam, body: CloseBody, response: { 200: CloseResponse } } }, async (req) => {
    const site = await k.siteFor(req.user!, req.params.id, 'vaccination.manage', 'params.id');
    if (!req.body.reason.trim()) throw invalidField('body.reason', 'say why the site closes (the people booked there are told)');
    const r = await closeSite(db, ctx.events, site, closing(req));
    await k.audit(req, { action: 'vaccination.site.close', subjectType: 'vaccination_site', subjectId: site.id, details: { ...r, choice: req.body.bookings, reason: req.body.reason.trim() } });
    return r;
  });

  app.patch('/api/vaccination/campaigns/:id', { config: { permission: 'vaccination.manage' }, schema: { tags, params: IdParam, body: CampaignEditBody, response: { 200: EditResponse } } }, async (req) => {
    const c = await k.campaignFor(req.user!, req.params.id, 'vaccination.manage', 'params.id');
    if (c.status === 'closed') throw campaignClosed('params.id');
    let unit: string | undefined;
    if (req.body.unitCode) {
      const u = await access.resolver.unit(req.body.unitCode);
      if (!u) throw invalidField('body.unitCode', 'is not a known administrative unit');
      // the new area must be the caller's too (an officer cannot move a campaign into another province)
      await access.authorize(req.user!, 'vaccination.manage', { unitCode: u.code });
      unit = u.code;
    }
    const changed = await updateCampaign(db, c, { ...req.body, ...(unit && { unitCode: unit }) }, (commune) => withinScope(access.resolver, unit ?? c.unit_code, commune), k.now());
    await k.audit(req, { action: 'vaccination.campaign.update', subjectType: 'vaccination_campaign', subjectId: c.id, details: { changed, unit: unit ?? c.unit_code } });
    return { changed };
  });

  app.post('/api/vaccination/campaigns/:id/close', { config: { permission: 'vaccination.manage' }, schema: { tags, params: IdParam, body: CloseBody, response: { 200: CloseResponse } } }, async (req) => {
    const c = await k.campaignFor(req.user!, req.params.id, 'vaccination.manage', 'params.id');
    if (!req.body.reason.trim()) throw invalidField('body.reason', 'say why the campaign closes (the people booked are told)');
    const r = await closeCampaign(db, ctx.events, c, closing(req));
    await k.audit(req, { action: 'vaccination.campaign.close', subjectType: 'vaccination_campaign', subjectId: c.id, details: { ...r, choice: req.body.bookings, reason: req.body.reason.trim() } });
    return r;
  });

  // what the caller closed (or may reopen): closed campaigns and sites of their area, newest first; no personal data
  const ClosedItem = Type.Object({ id: Type.String(), name: Type.String(), closedAt: Type.Union([Type.String(), Type.Null()]), closeReason: Type.Union([Type.String(), Type.Null()]) });
  app.get('/api/vaccination/closed', { config: { permission: 'vaccination.manage' }, schema: { tags, response: { 200: Type.Object({ campaigns: Type.Array(ClosedItem), sites: Type.Array(ClosedItem) }) } } }, async (req) => {
    const scope = await access.scopeCodes(req.user!);
    const within = (col: string) => (scope ? sql`and ${sql.ref(col)} = any(${scope}::text[])` : sql``);
    const stamp = (d: Date | null) => (d ? d.toISOString() : null);
    const [campaigns, sites] = await Promise.all([
      sql<{ id: string; name: string; closed_at: Date | null; close_reason: string | null }>`
        select id, name, closed_at, close_reason from vaccination_campaigns where status = 'closed' ${within('unit_code')} order by closed_at desc nulls last limit 100`.execute(db),
      sql<{ id: string; name: string; closed_at: Date | null; close_reason: string | null }>`
        select id, name, closed_at, close_reason from vaccination_sites where not active ${within('commune_code')} order by closed_at desc nulls last limit 200`.execute(db),
    ]);
    const view = (r: { id: string; name: string; closed_at: Date | null; close_reason: string | null }) => ({ id: r.id, name: r.name, closedAt: stamp(r.closed_at), closeReason: r.close_reason });
    return { campaigns: campaigns.rows.map(view), sites: sites.rows.map(view) };
  });

  // reopening (close.ts): a reason (audited); the slots the close closed stay closed unless reopenSlots
  const reopening = (req: { body: { reason: string; reopenSlots?: boolean } }) => {
    const reason = req.body.reason.trim();
    if (!reason) throw invalidField('body.reason', 'say why it reopens');
    return { reason, reopenSlots: req.body.reopenSlots === true, now: k.now() };
  };

  app.post('/api/vaccination/sites/:id/reopen', { config: { permission: 'vaccination.manage' }, schema: { tags, params: IdParam, body: ReopenBody, response: { 200: ReopenResponse } } }, async (req) => {
    const site = await k.siteFor(req.user!, req.params.id, 'vaccination.manage', 'params.id');
    const o = reopening(req);
    const r = await reopenSite(db, site.id, o);
    await k.audit(req, { action: 'vaccination.site.reopen', subjectType: 'vaccination_site', subjectId: site.id, details: { ...r, reopenSlots: o.reopenSlots, reason: o.reason } });
    return r;
  });

  app.post('/api/vaccination/campaigns/:id/reopen', { config: { permission: 'vaccination.manage' }, schema: { tags, params: IdParam, body: ReopenBody, response: { 200: ReopenResponse } } }, async (req) => {
    const c = await k.campaignFor(req.user!, req.params.id, 'vaccination.manage', 'params.id');
    const o = reopening(req);
    const r = await reopenCampaign(db, c.id, o);
    await k.audit(req, { action: 'vaccination.campaign.reopen', subjectType: 'vaccination_campaign', subjectId: c.id, details: { ...r, reopenSlots: o.reopenSlots, reason: o.reason } });
    return r;
  });
}
