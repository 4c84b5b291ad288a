// HTTP routes of check-ins: the public citizen check-in/out (and the gate, signed in), look-ups, statistics, exports.
// Parse (TypeBox) → authorize → engine/service → shape. Venue management routes are in routes.ts.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import { recordAudit } from '../../platform/audit';
import { localIso } from '../../platform/time';
import { auditActor } from '../../platform/auth/routes';
import type { AuthUser } from '../../platform/auth/service';
import { AppError, forbidden, invalidField, notFound } from '../../platform/http/errors';
import { checkinScope, exportCsv, exportRowCount, exportXlsx, parseRange, personFilter, toListItems } from './lookups';
import { openCheckinOf } from './checkin-queries';
import { checkinStats, checkinTotals, listCheckins } from './checkin-reads';
import { entranceByShortCode } from './queries';
import { entranceToken } from './service';
import { parseShortCode, provinceOfPath, SHORT_CODE_ROUTE } from './tokens';
import { identifyGateScans } from './gate';
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
  PersonCheckins,
  PersonCheckinsQuery,
  PeopleStatusResponse,
  StatsQuery,
  StatsResponse,
  VenuePublic,
  type CheckinItem,
} from './schema';
import { attachment, XLSX_TYPE } from '../../platform/http/files';
import type { VenueRouteDeps } from './routes';

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

  // A typed short code (poster: "Không quét được? Nhập địa chỉ: vigil.example/c/40-ZPBMEV-1") → the same signed
  // entrance URL as the QR. The pattern keeps full tokens (~150 characters) on the page route in app.ts.
  app.get(
    `/c/:code(${SHORT_CODE_ROUTE})`,
    {
      config: { public: true, rateLimit: { max: PUBLIC_LIMITS.venueLookupPerMinute, timeWindow: '1 minute' } },
      schema: { hide: true, params: Type.Object({ code: Type.String({ maxLength: 20 }) }) },
    },
    async (req, reply) => {
      const parsed = parseShortCode(req.params.code);
      const e = parsed ? await entranceByShortCode(db, parsed.venue, parsed.number) : undefined;
      reply.header('cache-control', 'no-store');
      if (!parsed || !e || provinceOfPath(e.commune_path).toUpperCase() !== parsed.province)
        return reply.status(404).type('text/html; charset=utf-8').send(unknownCodePage(req.params.code));
      return reply.redirect(`/c/${entranceToken(ctx.keys, e, e)}`, 302);
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
      // a phone's check-in with a poster and a device token seen before: the warm path (checkins.ts warmSingle)
      const warm = !user && !body.items ? engine.warmSingle(body as CheckinItem) : null;
      if (warm)
        return warm.then((r) =>
          // JSON text already (the route's serializer would see a string and send it as it is)
          typeof r === 'string'
            ? (reply as FastifyReply).status(201).type('application/json; charset=utf-8').send(r)
            : reply.status(r.status === 'created' ? 201 : 200).send(summarise([r])),
        );
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
      const mine = new Set((req.body.checkinClientIds ?? []).map((c) => c.toLowerCase()));
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
        const [brief, stay] = await Promise.all([people.briefs(db, [personId]), openCheckinOf(db, personId, now())]);
        // the current stay only to the phone that started it (it sends that check-in's client id)
        const open = stay && mine.has(stay.client_id) ? stay : undefined;
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

  app.get('/api/checkins', { config: { audit: 'handler', permission: 'authenticated' }, schema: { tags: ['checkins'], querystring: CheckinListQuery, response: { 200: CheckinList } } }, async (req) => {
    const user = req.user!;
    lookupPermission(user);
    const range = parseRange(req.query.from, req.query.to);
    const scope = await checkinScope(db, access, user, req.query);
    const who = await personFilter(db, people, req.query);
    const r = await listCheckins(db, { ...scope, ...range, personIds: who.personIds, limit: req.query.limit, offset: req.query.offset });
    await recordAudit(db, {
      actor: await auditActor(access, user),
      action: 'checkins.read',
      ...auditSubject(req.query, who),
      ip: req.ip,
      details: { from: req.query.from, to: req.query.to, communeCode: req.query.communeCode ?? null, personBy: who.kind ?? null, rows: r.items.length, total: r.total },
    });
    return { items: await toListItems(db, people, r.items, now()), total: r.total };
  });

  // A person's page: where they checked in over the last days (tracing's first question), audited as a read of them.
  app.get(
    '/api/people/:id/checkins',
    {
      config: { audit: 'handler', permission: 'checkins.read' },
      schema: { tags: ['checkins'], params: Type.Object({ id: Type.String({ format: 'uuid' }) }), querystring: PersonCheckinsQuery, response: { 200: PersonCheckins } },
    },
    async (req) => {
      const user = req.user!;
      const person = await people.liveRecord(db, req.params.id);
      if (!person) throw notFound('Person');
      const live = person.id;
      // those who may read the person see all their check-ins; others only those at venues of their area
      const whole = await access.can(user, 'people.read', { unitCode: person.communeCode });
      const scope = whole ? { communeCodes: null } : await checkinScope(db, access, user, {});
      const to = now();
      const from = new Date(to.getTime() - req.query.days * 86400_000);
      const r = await listCheckins(db, { ...scope, from, to: new Date(to.getTime() + 1000), personIds: [live], limit: 500, offset: 0 });
      await recordAudit(db, {
        actor: await auditActor(access, user),
        action: 'person.checkins.read',
        subjectType: 'person',
        subjectId: live,
        ip: req.ip,
        details: { days: req.query.days, scope: whole ? 'person' : 'venues', rows: r.items.length },
      });
      return { items: await toListItems(db, people, r.items, to), total: r.total, from: from.toISOString(), to: to.toISOString(), scope: whole ? ('person' as const) : ('venues' as const) };
    },
  );

  app.get('/api/checkins/stats', { config: { permission: 'authenticated' }, schema: { tags: ['checkins'], querystring: StatsQuery, response: { 200: StatsResponse } } }, async (req) => {
    const user = req.user!;
    lookupPermission(user);
    const range = parseRange(req.query.from, req.query.to);
    const scope = await checkinScope(db, access, user, req.query);
    const who = await personFilter(db, people, req.query);
    const f = { ...scope, ...range, personIds: who.personIds };
    const [rows, total] = await Promise.all([
      checkinStats(db, { ...f, timeZone: config.timeZone, groupBy: req.query.groupBy, limit: req.query.limit }),
      checkinTotals(db, f),
    ]);
    return { groupBy: req.query.groupBy, total, rows };
  });

  app.get('/api/checkins/export', { config: { permission: 'authenticated' }, schema: { tags: ['checkins'], querystring: ExportQuery } }, async (req, reply) => {
    const user = req.user!;
    lookupPermission(user);
    const range = parseRange(req.query.from, req.query.to);
    const scope = await checkinScope(db, access, user, req.query);
    const who = await personFilter(db, people, req.query);
    // Full numbers only for those who work with them: phones for the roles that call people, ID numbers for those
    // who may open a person's record; either needs a reason, written to the audit log with the export.
    const unmask = { phone: user.permissions.has('people.contact'), nationalId: user.permissions.has('people.read') };
    const reason = req.query.reason?.trim() || null;
    if ((unmask.phone || unmask.nationalId) && (!reason || reason.length < 3))
      throw new AppError(400, 'REASON_REQUIRED', 'query.reason: say why the data is exported (it carries full phone or ID numbers)', [
        { path: 'query.reason', message: 'is required (at least 3 characters)' },
      ]);
    const f = { ...scope, ...range, personIds: who.personIds };
    const rows = await exportRowCount(db, f);
    // audited before a byte leaves: a download cut short was still a disclosure
    await recordAudit(db, {
      actor: await auditActor(access, user),
      action: 'checkins.export',
      ...auditSubject(req.query, who),
      reason,
      ip: req.ip,
      details: {
        format: req.query.format,
        from: req.query.from,
        to: req.query.to,
        communeCode: req.query.communeCode ?? null,
        personBy: who.kind ?? null,
        unmasked: [...(unmask.phone ? ['phone'] : []), ...(unmask.nationalId ? ['national_id'] : [])],
        rows,
      },
    });
    const ef = { ...f, now: now(), timeZone: config.timeZone, headers: req.query.headers, lang: req.query.lang, unmask };
    const stamp = localIso(range.from, config.timeZone).slice(0, 10);
    return req.query.format === 'xlsx'
      ? attachment(reply, XLSX_TYPE, `checkins-${stamp}.xlsx`, exportXlsx(db, people, ef))
      : attachment(reply, 'text/csv; charset=utf-8', `checkins-${stamp}.csv`, exportCsv(db, people, ef));
  });
}

/** What an audit row of a look-up is about: the person asked for, else the venue, else check-ins in general. */
function auditSubject(q: { venueId?: string }, who: { personIds?: string[]; kind?: string }) {
  if (who.personIds?.length === 1) return { subjectType: 'person', subjectId: who.personIds[0]! };
  if (who.personIds) return { subjectType: 'person', subjectId: null };
  return { subjectType: q.venueId ? 'venue' : 'checkins', subjectId: q.venueId ?? null };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** A small page for a short code that names no entrance (typo), in both languages, phone-sized. */
function unknownCodePage(code: string): string {
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Mã không đúng</title><style>body{font:16px/1.5 system-ui,sans-serif;margin:0;padding:24px;color:#16202c}h1{font-size:20px;color:#b42318}code{font-size:18px;background:#f2f4f7;padding:2px 6px;border-radius:4px}</style></head>
<body><h1>Không tìm thấy mã <code>${escapeHtml(code)}</code></h1>
<p>Kiểm tra lại mã in dưới mã QR trên poster (ví dụ <code>40-ABCDEF-1</code>: chữ và số, không có chữ O, I).</p>
<p lang="en">No entrance has this code. Check the code printed under the QR code on the poster (e.g. 40-ABCDEF-1).</p></body></html>`;
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
