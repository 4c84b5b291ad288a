// The daily report over HTTP: figures (page), Excel and PDF downloads, for the caller's area or a unit inside it.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { AppContext } from '../../platform/module';
import { callKit } from './kit';
import { dailyFigures } from './report';
import { reportPdf, reportXlsx } from './report-files';
import { Day, UnitCode } from './schema';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const Figures = Type.Object({
  unitCode: Type.String(),
  unitName: Type.String(),
  day: Type.String(),
  callsMade: Type.Integer(),
  manualCalls: Type.Integer(),
  planned: Type.Integer(),
  reached: Type.Integer(),
  symptomatic: Type.Integer(),
  nonReporting: Type.Integer(),
  wrongNumbers: Type.Integer(),
  smsLinks: Type.Integer(),
  byUnit: Type.Array(Type.Object({ unitCode: Type.String(), unitName: Type.String(), planned: Type.Integer(), reached: Type.Integer(), symptomatic: Type.Integer(), callsMade: Type.Integer() })),
  storedAt: Type.Union([Type.String(), Type.Null()]),
  sentAt: Type.Union([Type.String(), Type.Null()]),
});
const Query = Type.Object({ unit: Type.Optional(UnitCode), day: Type.Optional(Day) });

export async function reportRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, access, today, scopeFor, tz } = callKit(ctx);
  const tags = ['calls'];
  const figures = async (user: Parameters<typeof scopeFor>[0], q: { unit?: string; day?: string }) => {
    const unit = q.unit ?? user.jurisdictionCode;
    const scope = await scopeFor(user, 'calls.read', unit);
    const day = q.day ?? today();
    const f = await dailyFigures(db, scope, unit, day, tz);
    const codes = [unit, ...f.byUnit.map((u) => u.unitCode)];
    const names = new Map<string, string>();
    for (const c of codes) names.set(c, (await access.resolver.unit(c))?.name ?? c);
    const stored = await db.selectFrom('call_reports').select(['created_at', 'sent_at']).where('unit_code', '=', unit).where('day', '=', day).executeTakeFirst();
    return { f, names, stored, unitName: names.get(unit)! };
  };

  app.get('/api/calls/report', { config: { permission: 'calls.read' }, schema: { tags, querystring: Query, response: { 200: Figures } } }, async (req) => {
    const { f, names, stored, unitName } = await figures(req.user!, req.query);
    return { ...f, unitName, byUnit: f.byUnit.map((u) => ({ ...u, unitName: names.get(u.unitCode)! })), storedAt: stored?.created_at.toISOString() ?? null, sentAt: stored?.sent_at?.toISOString() ?? null };
  });

  app.get('/api/calls/report.xlsx', { config: { permission: 'calls.read' }, schema: { tags, querystring: Query } }, async (req, reply) => {
    const { f, unitName } = await figures(req.user!, req.query);
    reply.header('content-type', XLSX_TYPE).header('content-disposition', `attachment; filename="vigil-calls-${f.unitCode}-${f.day}.xlsx"`);
    return reply.send(await reportXlsx(f, unitName));
  });

  app.get('/api/calls/report.pdf', { config: { permission: 'calls.read' }, schema: { tags, querystring: Query } }, async (req, reply) => {
    const { f, names, unitName } = await figures(req.user!, req.query);
    reply.header('content-type', 'application/pdf').header('content-disposition', `attachment; filename="vigil-calls-${f.unitCode}-${f.day}.pdf"`);
    return reply.send(await reportPdf(f, unitName, names));
  });
}
