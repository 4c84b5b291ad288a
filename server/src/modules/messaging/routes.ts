// HTTP routes of the messaging module: citizens' sign-up by phone and record linking by a one-time code; officers'
// notifications, campaigns, opt-outs and daily figures (jurisdiction-scoped); the HTTP provider's receipts.
import { acceptUploads } from '../../platform/http/files';
import crypto from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import { recordAudit } from '../../platform/audit';
import { auditActor } from '../../platform/auth/routes';
import { passwordProblem } from '../../platform/auth/password';
import { SESSION_COOKIE } from '../../platform/auth/plugin';
import { createUser, login, type AuthUser } from '../../platform/auth/service';
import { conflict, invalidField, notFound, unauthorized } from '../../platform/http/errors';
import type { AppContext } from '../../platform/module';
import { findPeopleByIdentifier, finishCodeLink, getPersonIdentities, maskPhone, normalizePhone, resolvePersonId, startCodeLink } from '../people';
import { cancelCampaign, campaignCounts, dryRun, finishCampaigns, insertCampaign, readList, runCampaign, audienceOf } from './campaigns';
import { applyReceipts, insertReceipts, type CampaignRow } from './queries';
import { startOtp, verifyOtp } from './otp';
import {
  CampaignBody,
  CampaignItem,
  CampaignList,
  CodeSent,
  DryRunResponse,
  FiguresQuery,
  FiguresResponse,
  HttpReceiptBody,
  IdParam,
  LinkCodeBody,
  LinkCodeSent,
  LinkCodeVerifyBody,
  ListFileResponse,
  NotificationList,
  NotificationListQuery,
  NumericIdParam,
  OptOutBody,
  OptOutList,
  PhoneParam,
  SignupBody,
  SignupCodeBody,
  SignupResponse,
} from './schema';


export async function messagingRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, access, config } = ctx;
  const now = () => config.clock();
  const secure = config.publicUrl.startsWith('https://');

  const audit = async (req: FastifyRequest, action: string, subjectType: string, subjectId: string | null, details: Record<string, unknown>) =>
    recordAudit(db, { actor: await auditActor(access, req.user!), ip: req.ip, at: now(), action, subjectType, subjectId, details });

  // ── citizens: sign-up by phone ──────────────────────────────────────────────────────────────────────────────
  app.post(
    '/api/public/signup/code',
    {
      config: { public: true, rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: { tags: ['public'], body: SignupCodeBody, response: { 202: CodeSent } },
    },
    async (req, reply) => {
      const phone = normalizePhone(req.body.phone);
      if (!phone) throw invalidField('body.phone', 'is not a valid phone number');
      // the same answer whether or not the phone has an account (that is told only to whoever holds the code)
      const r = await db.transaction().execute((trx) => startOtp(trx, { purpose: 'signup', phone, ip: req.ip, now: now(), lang: req.body.lang ?? 'vi' }));
      reply.code(202);
      return { requestId: r.id, expiresAt: r.expiresAt.toISOString(), sentTo: maskPhone(phone)! };
    },
  );

  app.post(
    '/api/public/signup',
    {
      // guessing is bounded per code (5 attempts) and per phone (3 codes per 15 min); this bounds the address
      config: { public: true, rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: { tags: ['public'], body: SignupBody, response: { 201: SignupResponse } },
    },
    async (req, reply) => {
      const problem = passwordProblem(req.body.password);
      if (problem) throw invalidField('body.password', problem); // before the code is spent
      const otp = await verifyOtp(db, { id: req.body.requestId, code: req.body.code, purpose: 'signup', now: now() });
      const username = otp.phone.replace(/^\+/, '');
      const exists = await db.selectFrom('users').select('id').where(sql`lower(username)`, '=', username).executeTakeFirst();
      if (exists) throw conflict('This phone has an account already; sign in with it (or reset the password at your health station)', [{ path: 'body.requestId', message: 'phone has an account' }]);
      const user = await createUser(db, access.resolver, null, {
        username,
        displayName: req.body.displayName.trim(),
        password: req.body.password,
        role: 'citizen',
        jurisdictionCode: 'VN',
        personId: null,
      });
      const session = await login(db, username, req.body.password, now(), config.sessionTtlHours);
      reply.setCookie(SESSION_COOKIE, session.token, { path: '/', httpOnly: true, sameSite: 'lax', secure, expires: session.expiresAt });
      await recordAudit(db, { actor: { id: String(user.id), username }, ip: req.ip, at: now(), action: 'user.signup', subjectType: 'user', subjectId: String(user.id), details: { method: 'sms_code' } });
      reply.code(201);
      return { user: { id: String(user.id), username, displayName: user.display_name } };
    },
  );

  // ── citizens: link the account (or a dependant) to a registry record by a code sent to the record's phone ─────
  const ownPerson = async (user: AuthUser) => {
    const id = user.personId ? await resolvePersonId(db, user.personId) : null;
    if (!id) throw conflict('Register your own details first (PUT /api/me/person)');
    return id;
  };

  app.post(
    '/api/me/link-requests/code',
    {
      config: { permission: 'self', rateLimit: { max: 5, timeWindow: '1 minute', keyGenerator: (req: FastifyRequest) => `link-code|${req.user?.id ?? req.ip}` } },
      schema: { tags: ['me'], body: LinkCodeBody, response: { 202: LinkCodeSent } },
    },
    async (req, reply) => {
      const user = req.user!;
      const own = await ownPerson(user);
      const t = now();
      const r = await db.transaction().execute(async (trx) => {
        const target = await startCodeLink(trx, { userId: user.id, ownId: own, claimantId: req.body.personId, expiresAt: new Date(t.getTime() + 10 * 60_000), now: t });
        const who = target.targetName
          .split(/\s+/)
          .map((w, i, a) => (i === a.length - 1 ? w : `${w[0]}.`))
          .join(' ');
        const otp = await startOtp(trx, {
          purpose: 'link',
          phone: target.phone,
          ip: req.ip,
          now: t,
          lang: 'vi',
          userId: user.id,
          linkRequestId: target.requestId,
          vars: { account: maskPhone(user.username) ?? user.username, who: who.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D') },
        });
        return { target, otp };
      });
      await audit(req, 'person.link.code', 'person', req.body.personId, { requestId: r.target.requestId, toGuardian: r.target.toGuardian });
      reply.code(202);
      return { requestId: r.target.requestId, expiresAt: r.otp.expiresAt.toISOString(), sentTo: maskPhone(r.target.phone)!, toGuardian: r.target.toGuardian };
    },
  );

  app.post(
    '/api/me/link-requests/:id/code',
    {
      config: { permission: 'self', rateLimit: { max: 10, timeWindow: '1 minute', keyGenerator: (req: FastifyRequest) => `link-verify|${req.user?.id ?? req.ip}` } },
      schema: { tags: ['me'], params: IdParam, body: LinkCodeVerifyBody },
    },
    async (req) => {
      const user = req.user!;
      const otpRow = /^[0-9a-f-]{36}$/i.test(req.params.id)
        ? await db.selectFrom('otp_codes').select('id').where('link_request_id', '=', req.params.id).where('user_id', '=', user.id).orderBy('created_at', 'desc').executeTakeFirst()
        : undefined;
      if (!otpRow) throw notFound('Link request');
      await verifyOtp(db, { id: otpRow.id, code: req.body.code, purpose: 'link', now: now(), userId: user.id });
      const done = await finishCodeLink(db, { requestId: req.params.id, userId: user.id, actor: { id: user.id, username: user.username }, now: now(), events: ctx.events });
      await audit(req, 'person.link', 'person', done.personId, { method: 'sms_code', requestId: req.params.id, merged: done.merged });
      return { personId: done.personId, merged: done.merged };
    },
  );

  // ── officers ────────────────────────────────────────────────────────────────────────────────────────────────
  const scopeFilter = async (user: AuthUser) => access.scopeCodes(user);

  app.get(
    '/api/messaging/notifications',
    { config: { audit: 'handler', permission: 'messaging.read' }, schema: { tags: ['messaging'], querystring: NotificationListQuery, response: { 200: NotificationList } } },
    async (req) => {
      const scope = await scopeFilter(req.user!);
      let q = db.selectFrom('notifications').selectAll().orderBy('id', 'desc').limit(req.query.limit);
      if (scope) q = q.where('unit_code', 'in', scope.length ? scope : ['']);
      if (req.query.status) q = q.where('status', '=', req.query.status);
      if (req.query.purpose) q = q.where('purpose', '=', req.query.purpose);
      if (req.query.campaignId) q = q.where('campaign_id', '=', req.query.campaignId);
      const rows = await q.execute();
      await audit(req, 'messaging.notifications.list', 'notification', null, { status: req.query.status ?? null, purpose: req.query.purpose ?? null, campaignId: req.query.campaignId ?? null, count: rows.length });
      return {
        items: rows.map((r) => ({
          id: String(r.id),
          purpose: r.purpose,
          subject: r.subject,
          phone: maskPhone(r.recipient)!,
          unitCode: r.unit_code,
          lang: r.lang,
          text: r.purpose.startsWith('otp.') ? '' : r.body,
          status: r.status,
          parts: r.parts,
          attempts: r.attempts,
          error: r.error,
          createdAt: r.created_at.toISOString(),
          sentAt: r.sent_at?.toISOString() ?? null,
          finalAt: r.final_at?.toISOString() ?? null,
        })),
      };
    },
  );

  app.get(
    '/api/messaging/figures',
    { config: { permission: 'messaging.read' }, schema: { tags: ['messaging'], querystring: FiguresQuery, response: { 200: FiguresResponse } } },
    async (req) => {
      const scope = await scopeFilter(req.user!);
      const from = req.query.from;
      const to = req.query.to;
      if (to < from) throw invalidField('querystring.to', 'is before from');
      const tz = config.timeZone;
      const r = await sql<{ day: string; unit_code: string | null; purpose: string; sent: string; delivered: string; failed: string; opted_out: string }>`
        select to_char((created_at at time zone ${tz})::date, 'YYYY-MM-DD') as day, unit_code, purpose,
          count(*) filter (where sent_at is not null) as sent,
          count(*) filter (where status = 'delivered') as delivered,
          count(*) filter (where status = 'failed') as failed,
          count(*) filter (where status = 'opted_out') as opted_out
        from notifications
        where created_at >= (${from}::date)::timestamp at time zone ${tz} and created_at < ((${to}::date + 1)::timestamp at time zone ${tz})
          ${scope ? sql`and unit_code = any(${scope}::text[])` : sql``}
        group by 1, 2, 3 order by 1, 2, 3`.execute(db);
      const names = new Map<string, string | null>();
      for (const row of r.rows) if (row.unit_code && !names.has(row.unit_code)) names.set(row.unit_code, (await access.resolver.unit(row.unit_code))?.name ?? null);
      return {
        items: r.rows.map((x) => ({
          day: x.day,
          unitCode: x.unit_code,
          unitName: x.unit_code ? (names.get(x.unit_code) ?? null) : null,
          purpose: x.purpose,
          sent: Number(x.sent),
          delivered: Number(x.delivered),
          failed: Number(x.failed),
          optedOut: Number(x.opted_out),
        })),
      };
    },
  );

  // opt-outs: any officer with messaging.send may add a phone (a person asked at the health station); the list shows
  // the entries of their area and the STOP replies (no area)
  app.get('/api/messaging/opt-outs', { config: { audit: 'handler', permission: 'messaging.send' }, schema: { tags: ['messaging'], response: { 200: OptOutList } } }, async (req) => {
    const scope = await scopeFilter(req.user!);
    let q = db.selectFrom('sms_opt_outs').selectAll().orderBy('created_at', 'desc').limit(500);
    if (scope) q = q.where((eb) => eb.or([eb('unit_code', 'in', scope.length ? scope : ['']), eb('source', '=', 'sms')]));
    const rows = await q.execute();
    await audit(req, 'messaging.opt-outs.list', 'opt_out', null, { count: rows.length });
    return { items: rows.map((r) => ({ phone: maskPhone(r.phone)!, source: r.source, reason: r.reason, createdAt: r.created_at.toISOString(), createdBy: r.created_by_username })) };
  });

  app.post('/api/messaging/opt-outs', { config: { permission: 'messaging.send' }, schema: { tags: ['messaging'], body: OptOutBody } }, async (req, reply) => {
    const user = req.user!;
    const phone = normalizePhone(req.body.phone);
    if (!phone) throw invalidField('body.phone', 'is not a valid phone number');
    // a registered person's phone is opted out by their home area only: another province's entry would silence the
    // home area's texts to them, unseen in its list and beyond its reach to remove
    const people = await getPersonIdentities(db, await findPeopleByIdentifier(db, phone));
    for (const p of people.values()) if (p.communeCode) await access.authorize(user, 'messaging.send', { unitCode: p.communeCode });
    await db
      .insertInto('sms_opt_outs')
      .values({ phone, source: 'officer', reason: req.body.reason?.trim() || null, unit_code: user.jurisdictionCode, created_by: user.id, created_by_username: user.username })
      .onConflict((oc) => oc.column('phone').doNothing())
      .execute();
    await audit(req, 'messaging.opt-out.add', 'opt_out', null, { phone: maskPhone(phone) });
    reply.code(201);
    return { phone: maskPhone(phone) };
  });

  app.delete('/api/messaging/opt-outs/:phone', { config: { permission: 'messaging.send' }, schema: { tags: ['messaging'], params: PhoneParam } }, async (req, reply) => {
    const phone = normalizePhone(req.params.phone);
    if (!phone) throw invalidField('params.phone', 'is not a valid phone number');
    const row = await db.selectFrom('sms_opt_outs').selectAll().where('phone', '=', phone).executeTakeFirst();
    if (!row) throw notFound('Opt-out');
    // an officer's entry: only within their jurisdiction; a STOP reply: only the person (START) or a national admin
    if (row.source === 'sms') await access.authorize(req.user!, 'messaging.send', { unitCode: null });
    else await access.authorize(req.user!, 'messaging.send', { unitCode: row.unit_code });
    await db.deleteFrom('sms_opt_outs').where('phone', '=', phone).execute();
    await audit(req, 'messaging.opt-out.remove', 'opt_out', null, { phone: maskPhone(phone) });
    reply.code(204);
  });

  // campaigns
  const authorizeCampaign = async (user: AuthUser, body: CampaignBody) => {
    await access.authorize(user, 'messaging.send', { unitCode: body.unitCode });
    const a = body.source.kind === 'list' ? null : await audienceOf(db, body.source);
    for (const u of a?.units ?? []) await access.authorize(user, 'messaging.send', { unitCode: u });
    return access.scopeCodes(user);
  };

  const campaignItem = (c: CampaignRow, counts: Record<string, number>) => ({
    id: String(c.id),
    name: c.name,
    textVi: c.text_vi,
    textEn: c.text_en,
    source: c.source,
    unitCode: c.unit_code,
    status: c.status,
    scheduledAt: c.scheduled_at.toISOString(),
    startedAt: c.started_at?.toISOString() ?? null,
    finishedAt: c.finished_at?.toISOString() ?? null,
    recipients: c.recipients,
    counts,
    createdBy: c.created_by_username,
    createdAt: c.created_at.toISOString(),
  });

  await fastify.register(async (scoped) => {
    acceptUploads(scoped);
    scoped.withTypeProvider<TypeBoxTypeProvider>().post(
      '/api/messaging/campaigns/list-file',
      { config: { audit: { action: 'messaging.campaign.list-file' }, permission: 'messaging.send' }, schema: { tags: ['messaging'], response: { 200: ListFileResponse } } },
      async (req) => {
        const data = typeof req.body === 'string' ? Buffer.from(req.body) : req.body;
        if (!Buffer.isBuffer(data)) throw invalidField('body', 'send the CSV or .xlsx file as the request body (text/csv or the xlsx type)');
        try {
          return await readList(data);
        } catch (err) {
          throw invalidField('body', (err as Error).message);
        }
      },
    );
  });

  app.post(
    '/api/messaging/campaigns',
    { config: { audit: 'handler', permission: 'messaging.send' }, bodyLimit: 16 * 1024 * 1024, schema: { tags: ['messaging'], body: CampaignBody, response: { 200: DryRunResponse, 201: CampaignItem } } },
    async (req, reply) => {
      const user = req.user!;
      const scope = await authorizeCampaign(user, req.body);
      if (req.body.dryRun) {
        const d = await dryRun(db, req.body, scope);
        await audit(req, 'messaging.campaign.dry-run', 'campaign', null, { source: req.body.source.kind, count: d.count });
        return d;
      }
      const t = now();
      const c = await db.transaction().execute(async (trx) => {
        const row = await insertCampaign(trx, req.body, { id: user.id, username: user.username, scope }, t);
        if (row.scheduled_at <= t) await runCampaign(trx, String(row.id), t);
        return (await trx.selectFrom('sms_campaigns').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow()) as CampaignRow;
      });
      await audit(req, 'messaging.campaign.create', 'campaign', String(c.id), { source: c.source, unitCode: c.unit_code });
      reply.code(201);
      return campaignItem(c, (await campaignCounts(db, [String(c.id)])).get(String(c.id)) ?? {});
    },
  );

  app.get('/api/messaging/campaigns', { config: { permission: 'messaging.read' }, schema: { tags: ['messaging'], response: { 200: CampaignList } } }, async (req) => {
    const scope = await scopeFilter(req.user!);
    await finishCampaigns(db, now()); // running campaigns with nothing left to send show as done at once
    let q = db.selectFrom('sms_campaigns').selectAll().orderBy('id', 'desc').limit(200);
    if (scope) q = q.where('unit_code', 'in', scope.length ? scope : ['']);
    const rows = (await q.execute()) as CampaignRow[];
    const counts = await campaignCounts(db, rows.map((r) => String(r.id)));
    return { items: rows.map((r) => campaignItem(r, counts.get(String(r.id)) ?? {})) };
  });

  app.post('/api/messaging/campaigns/:id/cancel', { config: { permission: 'messaging.send' }, schema: { tags: ['messaging'], params: NumericIdParam } }, async (req) => {
    const c = await db.selectFrom('sms_campaigns').select(['id', 'unit_code']).where('id', '=', req.params.id).executeTakeFirst();
    if (!c) throw notFound('Campaign');
    await access.authorize(req.user!, 'messaging.send', { unitCode: c.unit_code });
    await db.transaction().execute((trx) => cancelCampaign(trx, req.params.id, now()));
    await audit(req, 'messaging.campaign.cancel', 'campaign', req.params.id, {});
    return { ok: true };
  });

  app.get('/api/messaging/provider', { config: { permission: 'messaging.read' }, schema: { tags: ['messaging'] } }, async () => {
    const queued = await db.selectFrom('notifications').select((eb) => eb.fn.countAll<string>().as('n')).where('status', '=', 'queued').executeTakeFirstOrThrow();
    return { provider: config.smsProvider, queued: Number(queued.n) };
  });

  // the HTTP provider's receipts (see providers/http.ts), authenticated with the gateway token
  app.post(
    '/api/sms/http-receipts',
    { config: { public: true, rateLimit: { max: 6000, timeWindow: '1 minute' } }, schema: { tags: ['messaging'], body: HttpReceiptBody } },
    async (req) => {
      const token = config.smsHttpToken;
      // a header of its own: Authorization: Bearer is taken by API tokens (platform/auth)
      const given = String(req.headers['x-sms-gateway-token'] ?? '');
      if (!token || given.length !== token.length || !crypto.timingSafeEqual(Buffer.from(given), Buffer.from(token))) throw unauthorized('Bad gateway token');
      const stat = req.body.status.toUpperCase();
      const state = stat === 'DELIVRD' ? 'delivered' : ['ACCEPTD', 'ENROUTE'].includes(stat) ? 'enroute' : 'failed';
      await insertReceipts(db, 'http', [{ messageId: req.body.message_id, state, detail: stat, at: new Date() }]);
      await applyReceipts(db, 'http', { messageIds: [req.body.message_id] }); // after the commit, as in centre.ts
      return { ok: true };
    },
  );
}
