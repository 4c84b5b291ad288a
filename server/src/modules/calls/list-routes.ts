// Officers' and tracers' lists over HTTP (symptomatic, non-reporting, wrong numbers; personal: audited), and a
// tracer's manual call recorded apart from the robot's attempts.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { invalidField } from '../../platform/http/errors';
import type { AppContext } from '../../platform/module';
import { getPersonBrief } from '../people';
import { callKit } from './kit';
import { defaultFrom, flagList, nonReporting } from './lists';
import { recordSurvey } from './results';
import { Day, UnitCode, Uuid } from './schema';

const ListItem = Type.Object({
  personId: Type.Union([Type.String(), Type.Null()]),
  fullName: Type.String(),
  phone: Type.Union([Type.String(), Type.Null()]),
  unitCode: Type.String(),
  day: Type.String(),
  details: Type.Record(Type.String(), Type.Unknown()),
  source: Type.String(),
});
const Kind = Type.Union([Type.Literal('symptomatic'), Type.Literal('non-reporting'), Type.Literal('wrong-number')]);

export async function listRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, access, today, now, audit, scopeFor } = callKit(ctx);
  const tags = ['calls'];

  app.get(
    '/api/calls/lists/:kind',
    { config: { permission: 'calls.read', audit: 'handler' }, schema: { tags, params: Type.Object({ kind: Kind }), querystring: Type.Object({ unit: Type.Optional(UnitCode), day: Type.Optional(Day) }), response: { 200: Type.Object({ items: Type.Array(ListItem) }) } } },
    async (req) => {
      const scope = await scopeFor(req.user!, 'calls.read', req.query.unit);
      const day = req.query.day ?? today();
      const items = req.params.kind === 'non-reporting' ? await nonReporting(db, scope, day) : await flagList(db, req.params.kind, scope, defaultFrom(day), day);
      await audit(req, { action: 'calls.list_read', subjectType: 'call_list', subjectId: req.params.kind, details: { day, unit: req.query.unit ?? null, rows: items.length } });
      return { items };
    },
  );

  // a tracer's own call (phone in hand): recorded as a manual attempt; answered with the survey, it counts as a
  // completed follow-up like the robot's
  app.post(
    '/api/calls/manual',
    {
      config: { permission: 'followup.write' },
      schema: {
        tags,
        body: Type.Object(
          {
            personId: Uuid,
            disposition: Type.Union([Type.Literal('completed'), Type.Literal('no-answer'), Type.Literal('busy'), Type.Literal('rejected'), Type.Literal('invalid-number')]),
            answers: Type.Optional(Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$' }), Type.String({ pattern: '^[0-9*#]{1,20}$' }), { maxProperties: 20 })),
            note: Type.Optional(Type.String({ maxLength: 1000 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ id: Type.String(), symptomatic: Type.Boolean() }) },
      },
    },
    async (req, reply) => {
      const p = await getPersonBrief(db, req.body.personId);
      if (!p || !p.communeCode) throw invalidField('body.personId', 'is not a known person with a commune');
      await access.authorize(req.user!, 'followup.write', { unitCode: p.communeCode });
      const at = now();
      const r = await db.transaction().execute(async (trx) => {
        const a = await trx
          .insertInto('call_attempts')
          .values({ person_id: p.id, unit_code: p.communeCode, kind: 'manual', direction: 'outbound', provider: 'tracer', started_at: at, ended_at: at, disposition: req.body.disposition, answers: req.body.answers ? JSON.stringify(req.body.answers) : null, recorded_by: req.user!.id, note: req.body.note ?? '' })
          .returning('id')
          .executeTakeFirstOrThrow();
        let symptomatic = false;
        if (req.body.disposition === 'completed' && req.body.answers) {
          const alert = await trx.selectFrom('call_campaigns').select('alert_phones').where('unit_code', '=', p.communeCode!).where('status', '=', 'active').execute();
          const s = await recordSurvey(trx, { events: ctx.events, publicUrl: ctx.config.publicUrl }, { personId: p.id, phone: null, fullName: p.fullName, unitCode: p.communeCode!, campaignId: null }, { answers: req.body.answers, day: today(), at, source: 'manual', channel: 'tracer', alertPhones: [...new Set(alert.flatMap((x) => x.alert_phones))] });
          symptomatic = s.symptomatic;
        }
        return { id: a.id, symptomatic };
      });
      await audit(req, { action: 'calls.manual_call', subjectType: 'person', subjectId: p.id, details: { disposition: req.body.disposition } });
      reply.code(201);
      return r;
    },
  );
}
