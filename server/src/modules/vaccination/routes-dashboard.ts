// Dashboard routes: the figures of an area (JSON, audited: the overdue list names people) and the Excel export.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { invalidField } from '../../platform/http/errors';
import type { AppContext } from '../../platform/module';
import { addDays, localDay } from '../../platform/time';
import { dashboard, dashboardXlsx } from './dashboard';
import { routeKit } from './kit';
import { Day } from './schema';

const Query = Type.Object({ unit: Type.Optional(Type.String({ maxLength: 20, pattern: '^[A-Za-z0-9_-]*$' })), from: Type.Optional(Day), to: Type.Optional(Day) }, { additionalProperties: false });

export async function dashboardRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const k = routeKit(ctx);

  const figures = async (user: Parameters<typeof k.scopeFor>[0], q: { unit?: string; from?: string; to?: string }) => {
    const today = localDay(k.now(), k.tz);
    const to = q.to ?? today;
    const from = q.from ?? addDays(to, -27);
    if (from > to) throw invalidField('querystring.from', 'is after to');
    if (addDays(from, 366) < to) throw invalidField('querystring.from', 'the range may span at most a year');
    const scope = await k.scopeFor(user, 'vaccination.read', q.unit);
    return dashboard(k.db, scope, from, to, today);
  };

  app.get('/api/vaccination/dashboard', { config: { permission: 'vaccination.read', audit: 'handler' }, schema: { tags: ['vaccination'], querystring: Query } }, async (req) => {
    const d = await figures(req.user!, req.query);
    await k.audit(req, { action: 'vaccination.overdue.read', subjectType: 'vaccination', subjectId: null, details: { unit: req.query.unit ?? null, rows: d.overdue.length } });
    return d;
  });

  app.get('/api/vaccination/dashboard.xlsx', { config: { permission: 'vaccination.read', audit: 'handler' }, schema: { tags: ['vaccination'], querystring: Query } }, async (req, reply) => {
    const d = await figures(req.user!, req.query);
    await k.audit(req, { action: 'vaccination.dashboard.export', subjectType: 'vaccination', subjectId: null, details: { unit: req.query.unit ?? null, from: d.from, to: d.to, overdue: d.overdue.length } });
    reply.header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').header('content-disposition', `attachment; filename="vigil-tiem-chung-${d.from}-${d.to}.xlsx"`);
    return reply.send(await dashboardXlsx(d));
  });
}
