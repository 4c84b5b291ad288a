// Registration and booking routes: staff-assisted and self registration (a citizen for themself and the dependants
// their account manages), an organisation's Excel list, booking (dose 1 + 2 together), rebooking, cancellation,
// walk-ins.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError, conflict, forbidden, invalidField, notFound } from '../../platform/http/errors';
import type { AppContext } from '../../platform/module';
import { withinScope } from '../../platform/auth/jurisdiction';
import { ImportFileError } from '../venues';
import { LruCache } from '../../platform/cache';
import { Batcher, BatcherFullError } from '../../platform/batcher';
import { auditActor } from '../../platform/auth/routes';
import { book, cancel, findBooking, rebook, seatRefusal, slotAgeError, slotInfo, slotInfos, walkInSlot, type SlotInfo } from './booking';
import { findPeopleForDesk, getPersonBrief, maskNationalId, maskPhone, normalizeName, type DeskQuery, type PersonBrief } from '../people';
import { bookingBatcher } from './booking-batch';
import { campaignClosed, siteClosed } from './close';
import { routeKit } from './kit';
import { importRegistrations, personForDetails, register, registrationTemplateXlsx } from './registration';
import { BookingBody, BookingResponse, DeskSearchQuery, DeskSearchResponse, IdParam, ImportQuery, ImportResponse, PriorityDecisionBody, PriorityReviewList, PriorityReviewQuery, RebookBody, RegistrationBody, RegistrationResponse, WalkInBody } from './schema';
import { sql } from 'kysely';

const tags = ['vaccination'];
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export async function bookingRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const k = routeKit(ctx);
  const { db, access } = k;

  app.post('/api/vaccination/registrations', { config: { permission: 'self' }, schema: { tags, body: RegistrationBody, response: { 200: RegistrationResponse } } }, async (req) => {
    const user = req.user!;
    const b = req.body;
    const campaign = await k.campaignFor(user, b.campaignId, null);
    if (campaign.status === 'closed') throw campaignClosed('body.campaignId');
    let personId: string;
    let commune: string | null;
    let self = false;
    if (b.personId) {
      const p = await k.personFor(user, b.personId, 'vaccination.write');
      personId = p.brief.id;
      commune = p.brief.communeCode;
      self = p.self;
    } else if (b.person) {
      // typed details: staff only (a citizen adds family members as dependants first, with proof, in the people module)
      if (!user.permissions.has('vaccination.write')) throw forbidden('Register yourself or a dependant your account manages (personId)');
      const unit = await access.resolver.unit(b.person.communeCode);
      if (!unit) throw invalidField('body.person.communeCode', 'is not a known commune');
      await access.authorize(user, 'vaccination.write', { unitCode: unit.code });
      const p = await personForDetails(db, b.person, { resolver: access.resolver, now: k.now(), prefix: 'body.person', source: 'officer' });
      personId = p.id;
      commune = p.communeCode ?? unit.code;
    } else throw invalidField('body.personId', 'give personId or person');
    // staff: the person is in their area (checked above); the campaign must cover the person's commune. A ward's
    // desk registers its people into the province's campaign without rights over the whole province.
    if (!self) {
      if (!commune) await access.authorize(user, 'vaccination.write', { unitCode: campaign.unit_code });
      else if (!(await withinScope(access.resolver, campaign.unit_code, commune))) throw invalidField('body.campaignId', "does not cover the person's commune");
    }
    const r = await register(db, {
      campaign,
      personId,
      communeCode: commune ?? campaign.unit_code,
      priorityCode: b.priorityCode ?? null,
      channel: self ? 'self' : 'staff',
      organisation: b.organisation ?? null,
      occupation: b.occupation ?? null,
      accountPersonId: self ? user.personId : null,
      by: self ? null : user.id,
      now: k.now(),
      timeZone: k.tz,
    });
    await k.audit(req, { action: 'vaccination.register', subjectType: 'person', subjectId: personId, details: { campaign: campaign.id, created: r.created, self, priority: r.priority?.status ?? null } });
    return { id: r.id, personId, created: r.created, priority: r.priority };
  });

  // The desk looks for the person on file before typing them in: by national ID, phone, or name + birth date, inside the
  // caller's area, at most 20, only the fields that tell people apart (masked phone and ID, birth year, commune). A
  // record a citizen account typed in (a "dependant" may carry a neighbour's details) is shown marked and without its
  // id: staff cannot take it as the person in front of them and register from the ID card instead (personForDetails
  // never matches it). Every search is audited with the records shown.
  app.get(
    '/api/vaccination/people/search',
    { config: { permission: 'vaccination.write', audit: 'handler' }, schema: { tags, querystring: DeskSearchQuery, response: { 200: DeskSearchResponse } } },
    async (req) => {
      const user = req.user!;
      const f = req.query;
      let q: DeskQuery;
      let by: string;
      if (f.nationalId) [q, by] = [{ nationalId: f.nationalId }, 'nationalId'];
      else if (f.phone) [q, by] = [{ phone: f.phone }, 'phone'];
      else if (f.fullName && f.birthDate) [q, by] = [{ fullName: f.fullName, birthDate: f.birthDate }, 'name'];
      else if (f.fullName) throw invalidField('querystring.birthDate', 'is required with a name (a name alone finds too many people)');
      else throw invalidField('querystring', 'give nationalId, phone, or fullName with birthDate');
      const campaign = f.campaignId ? await k.campaignFor(user, f.campaignId, null, 'querystring.campaignId') : null;
      const found = await findPeopleForDesk(db, q, await access.scopeCodes(user));
      const registered = campaign && found.length
        ? new Set((await sql<{ person_id: string }>`select person_id from vaccination_registrations where campaign_id = ${campaign.id} and person_id = any(${found.map((p) => p.id)}::uuid[])`.execute(db)).rows.map((r) => r.person_id))
        : null;
      const names = new Map<string, string | null>();
      for (const c of new Set(found.map((p) => p.communeCode).filter((c): c is string => !!c))) names.set(c, (await access.resolver.unit(c))?.name ?? null);
      await k.audit(req, {
        action: 'vaccination.person.search',
        subjectType: 'person',
        subjectId: null,
        details: { by, count: found.length, unverified: found.filter((p) => !p.staffMayUse).length, people: found.map((p) => p.id) },
      });
      return {
        items: found.map((p) => ({
          id: p.staffMayUse ? p.id : null,
          fullName: p.fullName,
          birthYear: p.birthYear,
          phoneMasked: maskPhone(p.phone),
          nationalIdMasked: maskNationalId(p.nationalId),
          communeName: p.communeCode ? (names.get(p.communeCode) ?? p.communeCode) : null,
          unverified: !p.staffMayUse,
          registered: registered && p.staffMayUse ? registered.has(p.id) : null,
        })),
      };
    },
  );

  // Priority claims for staff review (a citizen's own occupation, chronic disease, outbreak area) in the caller's
  // area, oldest first: waiting (default) or decided, filtered by group, commune and name; a staff member accepts or
  // refuses each after checking the papers (the review page, /vaccination/priority-review). Every listing is audited
  // with the filters and the people shown.
  app.get(
    '/api/vaccination/campaigns/:id/priority-review',
    { config: { permission: 'vaccination.write', audit: 'handler' }, schema: { tags, params: IdParam, querystring: PriorityReviewQuery, response: { 200: PriorityReviewList } } },
    async (req) => {
      const user = req.user!;
      const f = req.query;
      const campaign = await k.campaignFor(user, req.params.id, null, 'params.id');
      if (f.commune && !(await access.can(user, 'vaccination.write', { unitCode: f.commune }))) throw invalidField('querystring.commune', 'is outside your area');
      const scope = await access.scopeCodes(user);
      const status = f.status ?? 'review';
      const nameKey = f.q ? normalizeName(f.q) : null;
      if (nameKey === '') throw invalidField('querystring.q', 'has no letters or digits to look for');
      const rows = (
        await sql<{ id: string; person_id: string; full_name: string; birth_year: number | null; channel: string; occupation: string | null; organisation: string | null; priority_code: string; priority_reason: string | null; priority_status: 'review' | 'accepted' | 'refused'; commune_code: string; commune_name: string | null; priority_review_note: string | null; priority_reviewed_at: Date | null; reviewer: string | null; created_at: Date; total: number }>`
          select r.id, r.person_id, p.full_name, p.birth_year, r.channel, r.occupation, r.organisation, r.priority_code, r.priority_reason, r.priority_status,
                 r.commune_code, u.name as commune_name, r.priority_review_note, r.priority_reviewed_at, rv.display_name as reviewer, r.created_at,
                 count(*) over ()::int as total
          from vaccination_registrations r
          join persons p on p.id = r.person_id
          left join admin_units u on u.code = r.commune_code
          left join users rv on rv.id = r.priority_reviewed_by
          where r.campaign_id = ${campaign.id} and r.priority_status = ${status}
            ${status !== 'review' ? sql`and r.priority_reviewed_at is not null` : sql``}
            ${scope ? sql`and r.commune_code = any(${scope}::text[])` : sql``}
            ${f.group ? sql`and r.priority_code = ${f.group}` : sql``}
            ${f.commune ? sql`and r.commune_code = ${f.commune}` : sql``}
            ${nameKey ? sql`and p.name_key like ${'%' + nameKey.replace(/[%_\\]/g, (c) => '\\' + c) + '%'}` : sql``}
          order by ${status === 'review' ? sql`r.created_at` : sql`r.priority_reviewed_at desc`} limit 200`.execute(db)
      ).rows;
      await k.audit(req, {
        action: 'vaccination.priority_review.list',
        subjectType: 'vaccination_campaign',
        subjectId: campaign.id,
        details: { count: rows.length, status, group: f.group ?? null, commune: f.commune ?? null, byName: !!f.q, people: rows.map((r) => r.person_id) },
      });
      return {
        total: rows[0]?.total ?? 0,
        items: rows.map((r) => ({
          id: r.id,
          personId: r.person_id,
          fullName: r.full_name,
          birthYear: r.birth_year,
          channel: r.channel,
          occupation: r.occupation,
          organisation: r.organisation,
          priorityCode: r.priority_code,
          reason: r.priority_reason ?? '',
          status: r.priority_status,
          communeCode: r.commune_code,
          communeName: r.commune_name ?? r.commune_code,
          note: r.priority_review_note,
          reviewedAt: r.priority_reviewed_at?.toISOString() ?? null,
          reviewedBy: r.reviewer,
          createdAt: r.created_at.toISOString(),
        })),
      };
    },
  );

  app.post(
    '/api/vaccination/registrations/:id/priority',
    { config: { permission: 'vaccination.write' }, schema: { tags, params: IdParam, body: PriorityDecisionBody } },
    async (req) => {
      const user = req.user!;
      const note = req.body.note?.trim() || null;
      if (!req.body.accept && !note) throw invalidField('body.note', 'say why the claim is refused (the citizen is told)');
      const reg = (await sql<{ id: string; person_id: string; commune_code: string; priority_status: string }>`select id, person_id, commune_code, priority_status from vaccination_registrations where id = ${req.params.id}`.execute(db)).rows[0];
      if (!reg || !(await access.can(user, 'vaccination.write', { unitCode: reg.commune_code }))) throw notFound('Registration');
      if (reg.priority_status !== 'review') throw conflict(`This registration's priority claim is ${reg.priority_status}, not waiting for review`, [{ path: 'params.id', message: reg.priority_status }]);
      const status = req.body.accept ? 'accepted' : 'refused';
      const r = await sql`update vaccination_registrations set priority_status = ${status}, priority_reason = ${req.body.accept ? 'staff-verified' : 'staff-refused'}, priority_review_note = ${note},
                priority_reviewed_by = ${user.id}, priority_reviewed_at = ${k.now()}
                where id = ${reg.id} and priority_status = 'review'`.execute(db);
      // two reviewers at once: the second finds it decided
      if (!Number(r.numAffectedRows ?? 0)) throw conflict('This priority claim was decided meanwhile', [{ path: 'params.id', message: 'decided' }]);
      await k.audit(req, { action: 'vaccination.priority.review', subjectType: 'person', subjectId: reg.person_id, details: { registration: reg.id, status, noted: note !== null } });
      return { ok: true, status };
    },
  );

  await fastify.register(async (scoped) => {
    for (const type of [XLSX_TYPE, 'application/octet-stream', 'text/csv'])
      if (!scoped.hasContentTypeParser(type)) scoped.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: 8 * 1024 * 1024 }, (_req, body, done) => done(null, body));
    const s = scoped.withTypeProvider<TypeBoxTypeProvider>();
    const bodyBuffer = (req: FastifyRequest): Buffer => {
      if (Buffer.isBuffer(req.body)) return req.body;
      throw invalidField('body', 'send the filled-in template as the request body (the .xlsx content type)');
    };
    s.post(
      '/api/vaccination/campaigns/:id/registrations/import',
      { config: { permission: 'vaccination.write' }, bodyLimit: 8 * 1024 * 1024, schema: { tags, params: IdParam, querystring: ImportQuery, response: { 200: ImportResponse } } },
      async (req) => {
        const user = req.user!;
        // the caller's area and the campaign's overlap (a ward's staff import into the province's campaign); each
        // row's commune must lie in both
        const campaign = await k.campaignFor(user, req.params.id, null, 'params.id');
        const overlap = (await withinScope(access.resolver, campaign.unit_code, user.jurisdictionCode)) || (await withinScope(access.resolver, user.jurisdictionCode, campaign.unit_code));
        if (!overlap) await access.authorize(user, 'vaccination.write', { unitCode: campaign.unit_code });
        const scope = await access.scopeCodes(user);
        const set = scope ? new Set(scope) : null;
        try {
          const r = await importRegistrations(db, bodyBuffer(req), {
            campaign,
            organisation: req.query.organisation,
            resolver: access.resolver,
            inScope: async (c) => !!(await access.resolver.unit(c)) && (!set || set.has(c)) && (await withinScope(access.resolver, campaign.unit_code, c)),
            by: user.id,
            now: k.now(),
            timeZone: k.tz,
          });
          await k.audit(req, { action: 'vaccination.registrations.import', subjectType: 'vaccination_campaign', subjectId: campaign.id, details: { total: r.total, registered: r.registered, errors: r.errors.length } });
          return r;
        } catch (e) {
          if (e instanceof ImportFileError) throw new AppError(400, 'IMPORT_REJECTED', e.message, [{ path: 'body', message: e.message }]);
          throw e;
        }
      },
    );
    s.get('/api/vaccination/registrations/template.xlsx', { config: { permission: 'vaccination.write' }, schema: { tags } }, async (_req, reply) => {
      reply.header('content-type', XLSX_TYPE).header('content-disposition', 'attachment; filename="vigil-dang-ky-tiem.xlsx"');
      return reply.send(await registrationTemplateXlsx());
    });
  });

  // Single-dose bookings are group-committed (booking-batch.ts); a slot's session, site and product do not change, so
  // what the route needs of a slot is kept a minute (the seats themselves are always counted in the database).
  const batcher = bookingBatcher(db, ctx.pool);
  fastify.addHook('onClose', async () => {
    await slotReader.drain();
    await batcher.drain();
  });
  // group-commit figures for the benchmark and diagnostics
  if (!fastify.hasDecorator('vigilBookingStats')) fastify.decorate('vigilBookingStats', () => ({ ...batcher.stats, queued: batcher.queued, writing: batcher.writing }));
  // Slots not in memory yet are read together: the misses of requests arriving within a few ms go in one query, and
  // requests for a slot already being read wait for that read (when a city starts booking, every slot is new).
  const slotCache = new LruCache<string, SlotInfo>(50_000, 60_000);
  const slotReads = new Map<string, Promise<SlotInfo | null>>();
  const slotReader = new Batcher<string, SlotInfo | null>({ write: (ids) => slotInfos(db, ids), maxRows: 500, maxWaitMs: 1, maxConcurrent: 2, maxQueuedRows: 1_000_000 });
  const slotFacts = (id: string): Promise<SlotInfo | null> => {
    const hit = slotCache.get(id);
    if (hit) return Promise.resolve(hit);
    let read = slotReads.get(id);
    if (!read) {
      read = slotReader.add([id]).then(
        ([s]) => {
          slotReads.delete(id);
          if (s) slotCache.set(id, s);
          return s ?? null;
        },
        (err: unknown) => {
          slotReads.delete(id);
          throw err;
        },
      );
      slotReads.set(id, read);
    }
    return read;
  };

  app.post('/api/vaccination/bookings', { config: { permission: 'self' }, schema: { tags, body: BookingBody, response: { 201: BookingResponse } } }, async (req, reply) => {
    const user = req.user!;
    const b = req.body;
    const slot = await slotFacts(b.slotId);
    if (!slot) throw invalidField('body.slotId', 'is not a known slot');
    const next = b.nextSlotId ? await slotFacts(b.nextSlotId) : null;
    if (b.nextSlotId && !next) throw invalidField('body.nextSlotId', 'is not a known slot');
    const now = k.now();
    // Staff (no person of their own) book for people of their area: the batch reads those people, one query for
    // all. A citizen books for themself or a dependant, checked here.
    const deferred = !user.personId && !b.nextSlotId && user.permissions.has('vaccination.write');
    const p = deferred ? null : await k.personFor(user, b.personId, 'vaccination.write');
    if (!p?.self) await access.authorize(user, 'vaccination.write', { unitCode: slot.commune_code });
    if (p) {
      const tooYoungOrOld = slotAgeError(slot, p.brief) ?? (next && slotAgeError(next, p.brief, 'body.personId'));
      if (tooYoungOrOld) throw tooYoungOrOld;
    }
    const by = p?.self ? null : user.id;
    if (next && p) {
      // doses 1 and 2 together: both seats or neither, in one transaction of its own
      const ids = await book(db, { personId: p.brief.id, slotId: slot.id, nextSlotId: next.id, doseNumber: b.doseNumber, by, now }, slot, next);
      await k.audit(req, { action: 'vaccination.book', subjectType: 'person', subjectId: p.brief.id, details: { bookings: ids, self: p.self } });
      return reply.code(201).send({ ids });
    }
    if (slot.starts_at.getTime() < now.getTime() - 3_600_000) throw invalidField('body.slotId', 'is in the past');
    const audit = { actor: await auditActor(access, user), ip: req.ip, at: now, action: 'vaccination.book', subjectType: 'person', subjectId: p?.brief.id ?? b.personId, details: { self: !!p?.self } };
    const admit = deferred
      ? async (person: PersonBrief) => ((await access.can(user, 'vaccination.write', { unitCode: person.communeCode })) ? slotAgeError(slot, person) : forbidden('That record is outside your jurisdiction'))
      : undefined;
    const [r] = await batcher.add([{ personId: p?.brief.id ?? b.personId, admit, slotId: slot.id, campaignId: slot.campaign_id, doseNumber: b.doseNumber, by, now, audit }]).catch((err: unknown) => {
      if (err instanceof BatcherFullError)
        throw new AppError(503, 'OVERLOADED', 'too many bookings are waiting to be written; try again shortly', undefined, { 'retry-after': String(err.retryAfterSeconds) });
      throw err;
    });
    if (r && 'id' in r) return reply.code(201).send({ ids: [r.id] });
    if (r && 'error' in r) throw r.error;
    switch (r?.refused) {
      case 'unknown-person':
        throw invalidField('body.personId', 'is not a known person');
      case 'unregistered':
        throw invalidField('body.personId', 'is not registered in this campaign; register first');
      case 'booked':
        throw conflict(`This person already has an appointment for dose ${b.doseNumber}; rebook or cancel it instead`, [{ path: 'body.doseNumber', message: 'already booked' }]);
      case 'unknown-slot':
        slotCache.delete(slot.id);
        throw invalidField('body.slotId', 'is not a known slot');
      default:
        throw await seatRefusal(db, slot.id);
    }
  });

  /** The booking the caller may change: their own / a dependant's, or staff of the site's area. */
  const bookingFor = async (req: FastifyRequest, id: string) => {
    const user = req.user!;
    const b = await findBooking(db, id);
    if (!b) throw notFound('Booking');
    if (await k.ownOrDependant(user, b.person_id)) return { b, self: true };
    const slot = (await slotInfo(db, b.slot_id))!;
    if (!user.permissions.has('vaccination.write')) throw notFound('Booking');
    await access.authorize(user, 'vaccination.write', { unitCode: slot.commune_code });
    return { b, self: false };
  };

  app.post('/api/vaccination/bookings/:id/rebook', { config: { permission: 'self' }, schema: { tags, params: IdParam, body: RebookBody, response: { 201: BookingResponse } } }, async (req, reply) => {
    const { b, self } = await bookingFor(req, req.params.id);
    const slot = await slotInfo(db, req.body.slotId);
    if (!slot) throw invalidField('body.slotId', 'is not a known slot');
    if (!self) await access.authorize(req.user!, 'vaccination.write', { unitCode: slot.commune_code });
    // the new slot's product has its own age limits (a session of another product of the campaign): as when booking
    const person = await getPersonBrief(db, b.person_id);
    const tooYoungOrOld = person && slotAgeError(slot, person, 'body.slotId');
    if (tooYoungOrOld) throw tooYoungOrOld;
    const id = await rebook(db, b.id, slot, self ? null : req.user!.id, k.now());
    await k.audit(req, { action: 'vaccination.rebook', subjectType: 'person', subjectId: b.person_id, details: { from: b.id, to: id } });
    return reply.code(201).send({ ids: [id] });
  });

  app.post('/api/vaccination/bookings/:id/cancel', { config: { permission: 'self' }, schema: { tags, params: IdParam } }, async (req) => {
    const { b } = await bookingFor(req, req.params.id);
    await cancel(db, b.id, k.now());
    await k.audit(req, { action: 'vaccination.cancel', subjectType: 'person', subjectId: b.person_id, details: { booking: b.id } });
    return { ok: true };
  });

  app.post('/api/vaccination/sessions/:id/walk-ins', { config: { permission: 'vaccination.write' }, schema: { tags, params: IdParam, body: WalkInBody, response: { 201: BookingResponse } } }, async (req, reply) => {
    const user = req.user!;
    const session = (await sql<{ site_id: string; campaign_id: string }>`select site_id, campaign_id from vaccination_sessions where id = ${req.params.id}`.execute(db)).rows[0];
    if (!session) throw notFound('Session');
    const site = await k.siteFor(user, session.site_id, 'vaccination.write', 'params.id');
    if (!site.active) throw siteClosed('params.id');
    const campaign = await k.campaignFor(user, session.campaign_id, null);
    if (campaign.status === 'closed') throw campaignClosed('params.id');
    const p = await k.personFor(user, req.body.personId, 'vaccination.write');
    const slotId = await walkInSlot(db, req.params.id, k.now());
    if (!slotId) throw new AppError(409, 'SLOT_FULL', 'No seat left in this session today', [{ path: 'params.id', message: 'session full' }]);
    // a walk-in is registered on the spot
    await register(db, { campaign, personId: p.brief.id, communeCode: p.brief.communeCode ?? campaign.unit_code, priorityCode: null, channel: 'staff', by: user.id, now: k.now(), timeZone: k.tz, walkIn: true });
    const ids = await book(db, { personId: p.brief.id, slotId, doseNumber: req.body.doseNumber, walkIn: true, by: user.id, now: k.now() }, (await slotInfo(db, slotId))!, null);
    await k.audit(req, { action: 'vaccination.walk_in', subjectType: 'person', subjectId: p.brief.id, details: { bookings: ids } });
    return reply.code(201).send({ ids });
  });
}
