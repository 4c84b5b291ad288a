// Campaigns over HTTP: list, create, read with today's live figures, plan/run a day, pause, upload a call list,
// the day's calls (personal: audited).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError, invalidField } from '../../platform/http/errors';
import type { AppContext } from '../../platform/module';
import { withinScope } from '../../platform/auth/jurisdiction';
import { ImportFileError } from '../venues';
import { callKit } from './kit';
import { CampaignBody, CampaignItem, CampaignList, Counts, Day, DayQuery, IdParam } from './schema';
import { prepareDay } from './service';
import { createCampaign, dayCounts } from './store';
import type { CampaignRow } from './tables';
import type { CallScript } from './types';
import { uploadList } from './upload';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const CallRow = Type.Object({
  id: Type.String(),
  personId: Type.Union([Type.String(), Type.Null()]),
  fullName: Type.String(),
  phone: Type.Union([Type.String(), Type.Null()]),
  unitCode: Type.Union([Type.String(), Type.Null()]),
  status: Type.String(),
  attempts: Type.Integer(),
  lastDisposition: Type.Union([Type.String(), Type.Null()]),
  lastSipCode: Type.Union([Type.Integer(), Type.Null()]),
  symptomatic: Type.Union([Type.Boolean(), Type.Null()]),
  nextAt: Type.String(),
  /** a `failed` call's reason: 'dialer-lost-answered' (a poison call) */
  failedReason: Type.Union([Type.String(), Type.Null()]),
});

export async function campaignRoutes(fastify: FastifyInstance, ctx: AppContext) {
  await fastify.register(async (scoped) => {
    for (const type of [XLSX_TYPE, 'text/csv'])
      if (!scoped.hasContentTypeParser(type)) scoped.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: 8 * 1024 * 1024 }, (_req, body, done) => done(null, body));
    const app = scoped.withTypeProvider<TypeBoxTypeProvider>();
    const { db, access, today, audit, campaignFor } = callKit(ctx);
    const tags = ['calls'];
    const members = async (ids: string[]) => {
      if (!ids.length) return new Map<string, number>();
      const r = await db.selectFrom('call_audience').select(['campaign_id', (e) => e.fn.countAll<string>().as('n')]).where('campaign_id', 'in', ids).where('active', '=', true).groupBy('campaign_id').execute();
      return new Map(r.map((x) => [x.campaign_id, Number(x.n)]));
    };
    const item = (c: CampaignRow, script: { name: string; body: unknown }, n: number) => ({
      id: c.id,
      name: c.name,
      unitCode: c.unit_code,
      scriptId: c.script_id,
      scriptName: script.name,
      scriptTitle: (script.body as CallScript | null)?.title ?? null,
      scriptLanguage: (script.body as CallScript | null)?.language ?? 'vi',
      audience: c.audience_kind,
      windowStart: c.window_start,
      windowEnd: c.window_end,
      retryBusyMinutes: c.retry_busy_minutes,
      retryNoAnswerMinutes: c.retry_no_answer_minutes,
      maxAttempts: c.max_attempts,
      channels: c.channels,
      callsPerSecond: Number(c.calls_per_second),
      status: c.status,
      members: n,
    });
    const scriptOf = async (id: string) => (await db.selectFrom('call_scripts').select(['name', 'body']).where('id', '=', id).executeTakeFirst()) ?? { name: '', body: null };

    app.get('/api/calls/campaigns', { config: { permission: 'calls.read' }, schema: { tags, response: { 200: CampaignList } } }, async (req) => {
      const scope = await access.scopeCodes(req.user!);
      let q = db.selectFrom('call_campaigns as c').innerJoin('call_scripts as s', 's.id', 'c.script_id').selectAll('c').select(['s.name as script_name', 's.body as script_body']).orderBy('c.created_at', 'desc').limit(200);
      if (scope) q = q.where('c.unit_code', 'in', scope);
      const rows = await q.execute();
      const n = await members(rows.map((r) => r.id));
      return { items: rows.map((r) => item(r, { name: r.script_name, body: r.script_body }, n.get(r.id) ?? 0)) };
    });

    app.post('/api/calls/campaigns', { config: { permission: 'calls.manage' }, schema: { tags, body: CampaignBody, response: { 201: CampaignItem } } }, async (req, reply) => {
      const u = await access.resolver.unit(req.body.unitCode);
      if (!u) throw invalidField('body.unitCode', `is not a known administrative unit ("${req.body.unitCode}")`);
      await access.authorize(req.user!, 'calls.manage', { unitCode: u.code });
      // the script: the caller's own area's, or one of an area above the campaign's (a province's default script)
      const s = await db.selectFrom('call_scripts').select(['id', 'name', 'unit_code', 'body']).where('id', '=', req.body.scriptId).executeTakeFirst();
      if (!s || !((await access.can(req.user!, 'calls.read', { unitCode: s.unit_code })) || (await withinScope(access.resolver, s.unit_code, u.code))))
        throw invalidField('body.scriptId', 'is not a script of this area');
      for (const [i, unit] of (req.body.filter?.units ?? []).entries())
        if (!(await access.resolver.unit(unit)) || !(await withinScope(access.resolver, u.code, unit))) throw invalidField(`body.filter.units.${i}`, `is not inside the campaign's area ("${unit}")`);
      const c = await createCampaign(db, req.body, req.user!.id);
      await audit(req, { action: 'calls.campaign_create', subjectType: 'call_campaign', subjectId: c.id, details: { unit: c.unit_code, audience: c.audience_kind } });
      reply.code(201);
      return item(c, s, 0);
    });

    app.get('/api/calls/campaigns/:id', { config: { permission: 'calls.read' }, schema: { tags, params: IdParam, response: { 200: Type.Object({ campaign: CampaignItem, counts: Counts }) } } }, async (req) => {
      const c = await campaignFor(req.user!, req.params.id, 'calls.read');
      const n = await members([c.id]);
      return { campaign: item(c, await scriptOf(c.script_id), n.get(c.id) ?? 0), counts: await dayCounts(db, c.id, today()) };
    });

    app.get('/api/calls/campaigns/:id/dashboard', { config: { permission: 'calls.read' }, schema: { tags, params: IdParam, querystring: DayQuery, response: { 200: Counts } } }, async (req) => {
      const c = await campaignFor(req.user!, req.params.id, 'calls.read');
      return dayCounts(db, c.id, req.query.day ?? today());
    });

    app.post(
      '/api/calls/campaigns/:id/run',
      { config: { permission: 'calls.manage' }, schema: { tags, params: IdParam, body: Type.Object({ day: Type.Optional(Day) }, { additionalProperties: false }), response: { 200: Type.Object({ day: Type.String(), created: Type.Integer(), cancelled: Type.Integer(), members: Type.Integer() }) } } },
      async (req) => {
        const c = await campaignFor(req.user!, req.params.id, 'calls.manage');
        if (c.status !== 'active') throw new AppError(409, 'CAMPAIGN_NOT_ACTIVE', `The campaign is ${c.status}`, [{ path: 'id', message: `campaign is ${c.status}` }]);
        const day = req.body.day ?? today();
        if (day < today()) throw invalidField('body.day', 'is in the past');
        const r = await prepareDay(ctx, c, day);
        await audit(req, { action: 'calls.campaign_run', subjectType: 'call_campaign', subjectId: c.id, details: { day, created: r.created } });
        return { day, ...r };
      },
    );

    app.post(
      '/api/calls/campaigns/:id/status',
      { config: { permission: 'calls.manage' }, schema: { tags, params: IdParam, body: Type.Object({ status: Type.Union([Type.Literal('active'), Type.Literal('paused'), Type.Literal('archived')]) }, { additionalProperties: false }), response: { 200: Type.Object({ status: Type.String() }) } } },
      async (req) => {
        const c = await campaignFor(req.user!, req.params.id, 'calls.manage');
        await db.updateTable('call_campaigns').set({ status: req.body.status, updated_at: new Date() }).where('id', '=', c.id).execute();
        if (req.body.status !== 'active') await db.updateTable('call_daily').set({ status: 'cancelled' }).where('campaign_id', '=', c.id).where('status', 'in', ['queued', 'retry']).execute();
        await audit(req, { action: 'calls.campaign_status', subjectType: 'call_campaign', subjectId: c.id, details: { status: req.body.status } });
        return { status: req.body.status };
      },
    );

    app.post(
      '/api/calls/campaigns/:id/list',
      {
        config: { permission: 'calls.manage' },
        bodyLimit: 8 * 1024 * 1024,
        schema: { tags, params: IdParam, response: { 200: Type.Object({ total: Type.Integer(), accepted: Type.Integer(), left: Type.Integer(), errors: Type.Array(Type.Object({ line: Type.Integer(), path: Type.String(), message: Type.String() })) }) } },
      },
      async (req) => {
        const c = await campaignFor(req.user!, req.params.id, 'calls.manage');
        if (c.audience_kind !== 'list') throw invalidField('id', 'the campaign calls F1/F2 from the cases module, not an uploaded list');
        const raw = req.body as unknown;
        const body = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
        if (!Buffer.isBuffer(body)) throw invalidField('body', 'send the file as the request body (Content-Type text/csv or the .xlsx type)');
        try {
          const r = await uploadList(db, c, body, (unit) => withinScope(access.resolver, c.unit_code, unit));
          await audit(req, { action: 'calls.list_upload', subjectType: 'call_campaign', subjectId: c.id, details: { total: r.total, accepted: r.accepted, errors: r.errors.length } });
          return r;
        } catch (err) {
          if (err instanceof ImportFileError) throw new AppError(400, 'IMPORT_REJECTED', err.message, [{ path: 'body', message: err.message }]);
          throw err;
        }
      },
    );

    app.get(
      '/api/calls/campaigns/:id/calls',
      { config: { permission: 'calls.read', audit: 'handler' }, schema: { tags, params: IdParam, querystring: Type.Object({ day: Type.Optional(Day), status: Type.Optional(Type.String({ pattern: '^[a-z-]{1,20}$' })) }), response: { 200: Type.Object({ items: Type.Array(CallRow) }) } } },
      async (req: FastifyRequest<{ Params: { id: string }; Querystring: { day?: string; status?: string } }>) => {
        const c = await campaignFor(req.user!, req.params.id, 'calls.read');
        const day = req.query.day ?? today();
        let q = db.selectFrom('call_daily').selectAll().where('campaign_id', '=', c.id).where('day', '=', day).orderBy('next_at').limit(500);
        if (req.query.status) q = q.where('status', '=', req.query.status);
        const rows = await q.execute();
        await audit(req, { action: 'calls.calls_read', subjectType: 'call_campaign', subjectId: c.id, details: { day, rows: rows.length } });
        return {
          items: rows.map((r) => ({ id: r.id, personId: r.person_id, fullName: r.full_name, phone: r.phone, unitCode: r.unit_code, status: r.status, attempts: r.attempts, lastDisposition: r.last_disposition, lastSipCode: r.last_sip_code, symptomatic: r.symptomatic, nextAt: r.next_at.toISOString(), failedReason: r.failed_reason })),
        };
      },
    );
  });
}
