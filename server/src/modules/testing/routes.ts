// HTTP routes of the testing module. Every route checks its permission (config) and the record's area through
// platform/auth (access.authorize / scope), and audits personal reads.
//
//   GET  /api/testing/test-types                      test types and their pool sizes              any signed-in user
//   GET  /api/testing/points?unit=&includeInactive=   sampling points in the caller's area          testing.read | testing.sample
//   POST /api/testing/points                          create a sampling point                       testing.manage
//   PATCH /api/testing/points/:id                     rename, team, (de)activate                    testing.manage
//   POST /api/testing/samples                         collect one tube (+ people by QR/token/typed)  testing.sample   201 {sample, replay}
//   POST /api/testing/people/scan                    {token}|{reference}: who a scanned QR/device token or typed card reference names (name, birth year) testing.sample
//   POST /api/testing/samples/batch                   the phone's offline queue (clientId each)      testing.sample   200 {items:[{clientId,status,sample|error}]}
//   GET  /api/testing/samples?unit&day&point&status&tube&limit&offset   sample list                 testing.read | testing.sample
//   GET  /api/testing/samples/:id                     one sample, its result history and tasks       testing.read | testing.results
//   POST /api/testing/results                         lab: one result by tube (correction: reason)   testing.results  200 {status, sample, retestTasks, resampleTasks}
//   POST /api/testing/results/import                  lab: CSV/XLSX body tube_code,result,resulted_at,lab_code   testing.results
//   GET  /api/testing/results/template.xlsx           the results file template                      testing.results
//   POST /api/testing/samples/import                  CSV/XLSX body tube_code,person_national_id,person_phone,person_name,collected_at,site_code,test_type
//   GET  /api/testing/samples/template.xlsx           the sample list template                       testing.sample
//   GET  /api/testing/tasks?kind&status&unit&limit&offset   retest/resample tasks                    testing.read
//   POST /api/testing/tasks/:id/close                 {status: done|cancelled, note}                 testing.manage
//   GET  /api/testing/people/:personId/results        a person's results (officers)                  testing.read
//   GET  /api/testing/me/results                      the citizen's own results (and dependants')    self
//   GET  /api/testing/dashboard?unit&from&to          figures: per day and area, 7-day positivity, turnaround, tasks, pools   testing.read
//   GET  /api/testing/dashboard.xlsx?unit&from&to     the same as an Excel workbook                  testing.read
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { recordAudit, type AuditEntry } from '../../platform/audit';
import { auditActor } from '../../platform/auth/routes';
import type { AuthUser } from '../../platform/auth/service';
import type { Permission } from '../../platform/auth/roles';
import { AppError, forbidden, invalidField, notFound } from '../../platform/http/errors';
import type { AppContext } from '../../platform/module';
import { collectSample } from './collect';
import { getPersonIdentities } from '../people';
import { personOfReference, personOfToken } from './who';
import { dashboard, dashboardXlsx } from './dashboard';
import { personResults, myResults } from './personal';
import { sampleItems } from './present';
import { recordResult } from './results';
import { listSamples, sampleDetail } from './samples';
import { closeTask, listTasks } from './tasks';
import { uploadRoutes } from './upload-routes';
import {
  BatchBody,
  BatchResponse,
  CloseTaskBody,
  CreatePointBody,
  Dashboard,
  DashboardQuery,
  IdParam,
  MyResults,
  PersonIdParam,
  PersonResults,
  PointList,
  PointListQuery,
  ResultBody,
  ResultResponse,
  SampleCreated,
  SampleDetail,
  SampleList,
  SampleListQuery,
  SampleSubmission,
  ScanBody,
  ScanResponse,
  Task,
  TaskList,
  TaskListQuery,
  TestTypeList,
  UpdatePointBody,
} from './schema';
import { createPoint, listPoints, updatePoint } from './points';

const tags = ['testing'];

export function testingKit(ctx: AppContext) {
  const { db, access } = ctx;
  const now = () => ctx.config.clock();
  const audit = async (req: FastifyRequest, e: Omit<AuditEntry, 'actor' | 'ip'>) => recordAudit(db, { ...e, actor: await auditActor(access, req.user!), ip: req.ip, at: now() });
  /** The caller's whole area, or a unit inside it they picked (null = the whole country). */
  const scopeFor = async (user: AuthUser, perm: Permission, unit: string | undefined, path = 'querystring.unit') => {
    if (!unit) return access.scopeCodes(user);
    const u = await access.resolver.unit(unit);
    if (!u) throw invalidField(path, `is not a known administrative unit ("${unit}")`);
    await access.authorize(user, perm, { unitCode: u.code });
    return access.resolver.subtreeCodes(u.code);
  };
  /** The first of `perms` the user holds (a route open to several roles), else 403. */
  const eitherOf = (user: AuthUser, ...perms: Permission[]): Permission => {
    const p = perms.find((x) => user.permissions.has(x));
    if (!p) throw forbidden();
    return p;
  };
  const fullPhone = (user: AuthUser) => user.permissions.has('people.contact');
  return { db, access, now, audit, scopeFor, eitherOf, fullPhone };
}

export async function testingRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const kit = testingKit(ctx);
  const { db, access, now, audit, scopeFor, eitherOf, fullPhone } = kit;

  // reference data (names and pool sizes, nothing personal): any signed-in user, so a citizen's own results can name
  // their test type (the /me results card asked for it and got 403)
  app.get('/api/testing/test-types', { config: { permission: 'authenticated' }, schema: { tags, response: { 200: TestTypeList } } }, async () => {
    const rows = await db.selectFrom('test_types').selectAll().where('active', '=', true).orderBy('code').execute();
    return { items: rows.map((r) => ({ code: r.code, name: r.name_vi, nameEn: r.name_en, maxPool: r.max_pool })) };
  });

  app.get('/api/testing/points', { config: { permission: 'authenticated' }, schema: { tags, querystring: PointListQuery, response: { 200: PointList } } }, async (req) => {
    const perm = eitherOf(req.user!, 'testing.read', 'testing.sample');
    const scope = await scopeFor(req.user!, perm, req.query.unit);
    return { items: await listPoints(db, access.resolver, scope, !!req.query.includeInactive) };
  });

  app.post('/api/testing/points', { config: { permission: 'testing.manage' }, schema: { tags, body: CreatePointBody, response: { 201: PointList.properties.items.items } } }, async (req, reply) => {
    const point = await createPoint(db, access, req.user!, req.body);
    await audit(req, { action: 'testing.point.create', subjectType: 'sampling_point', subjectId: point.id, details: { code: point.code } });
    return reply.status(201).send(point);
  });

  app.patch('/api/testing/points/:id', { config: { permission: 'testing.manage' }, schema: { tags, params: IdParam, body: UpdatePointBody, response: { 200: PointList.properties.items.items } } }, async (req) => {
    const point = await updatePoint(db, access, req.user!, req.params.id, req.body);
    await audit(req, { action: 'testing.point.update', subjectType: 'sampling_point', subjectId: point.id, details: { fields: Object.keys(req.body) } });
    return point;
  });

  // ── collection ──
  // the phone shows who it just scanned before the tube is sent (the sampler compares with the person in front of them)
  app.post('/api/testing/people/scan', { config: { audit: 'handler', permission: 'testing.sample' }, schema: { tags, body: ScanBody, response: { 200: ScanResponse } } }, async (req) => {
    const personId = req.body.token ? await personOfToken(ctx, db, req.body.token, now(), 'body.token') : await personOfReference(ctx, db, req.body.reference!, req.user!.id, 'body.reference');
    const p = (await getPersonIdentities(db, [personId])).get(personId);
    if (!p) throw notFound('Person');
    await audit(req, { action: 'testing.person.scan', subjectType: 'person', subjectId: personId });
    return { personId, fullName: p.fullName, birthYear: p.birthYear };
  });

  const collect = (req: FastifyRequest, body: SampleSubmission, prefix: string) =>
    collectSample(ctx, body, {
      userId: req.user!.id,
      source: 'app',
      now: now(),
      prefix,
      authorize: async (unitCode) => void (await access.authorize(req.user!, 'testing.sample', { unitCode })),
    });

  app.post('/api/testing/samples', { config: { audit: 'handler', permission: 'testing.sample' }, bodyLimit: 256 * 1024, schema: { tags, body: SampleSubmission, response: { 201: SampleCreated, 200: SampleCreated } } }, async (req, reply) => {
    const r = await collect(req, req.body, 'body');
    await audit(req, { action: r.replay ? 'testing.sample.replay' : 'testing.sample.create', subjectType: 'sample', subjectId: r.sample.id, details: { pool: r.sample.pool_size } });
    const [sample] = await sampleItems(db, access.resolver, [r.sample], { fullPhone: fullPhone(req.user!), created: r.created });
    return reply.status(r.replay ? 200 : 201).send({ sample: sample!, replay: r.replay });
  });

  app.post('/api/testing/samples/batch', { config: { audit: 'handler', permission: 'testing.sample' }, bodyLimit: 4 * 1024 * 1024, schema: { tags, body: BatchBody, response: { 200: BatchResponse } } }, async (req) => {
    const out = [];
    for (const [i, item] of req.body.items.entries()) {
      try {
        const r = await collect(req, item, `body.items[${i}]`);
        const [sample] = await sampleItems(db, access.resolver, [r.sample], { fullPhone: fullPhone(req.user!), created: r.created });
        out.push({ clientId: item.clientId, status: r.replay ? ('replay' as const) : ('created' as const), sample: sample! });
      } catch (err) {
        if (!(err instanceof AppError) || err.statusCode >= 500) throw err;
        out.push({ clientId: item.clientId, status: 'rejected' as const, error: { code: err.code, message: err.message, details: err.details } });
      }
    }
    await audit(req, { action: 'testing.sample.batch', subjectType: 'sample', details: { items: out.length, created: out.filter((o) => o.status === 'created').length } });
    return { items: out };
  });

  app.get('/api/testing/samples', { config: { audit: 'handler', permission: 'authenticated' }, schema: { tags, querystring: SampleListQuery, response: { 200: SampleList } } }, async (req) => {
    const perm = eitherOf(req.user!, 'testing.read', 'testing.sample');
    const scope = await scopeFor(req.user!, perm, req.query.unit);
    const r = await listSamples(db, scope, req.query);
    await audit(req, { action: 'testing.samples.list', subjectType: 'samples', details: { unit: req.query.unit ?? null, day: req.query.day ?? null, rows: r.rows.length } });
    return { items: await sampleItems(db, access.resolver, r.rows, { fullPhone: fullPhone(req.user!) }), total: r.total };
  });

  app.get('/api/testing/samples/:id', { config: { audit: 'handler', permission: 'authenticated' }, schema: { tags, params: IdParam, response: { 200: SampleDetail } } }, async (req) => {
    const perm = eitherOf(req.user!, 'testing.read', 'testing.results');
    const d = await sampleDetail(db, req.params.id);
    if (!d) throw notFound('Sample');
    await access.authorize(req.user!, perm, { unitCode: d.sample.commune_code });
    await audit(req, { action: 'testing.sample.read', subjectType: 'sample', subjectId: d.sample.id });
    const [sample] = await sampleItems(db, access.resolver, [d.sample], { fullPhone: fullPhone(req.user!) });
    return { sample: sample!, history: d.history, tasks: d.tasks };
  });

  // ── results ──
  app.post('/api/testing/results', { config: { audit: 'handler', permission: 'testing.results' }, schema: { tags, body: ResultBody, response: { 200: ResultResponse } } }, async (req) => {
    const b = req.body;
    const r = await recordResult(
      ctx,
      { tubeCode: b.tubeCode, result: b.result, resultedAt: new Date(b.resultedAt), labCode: b.labCode ?? null, reason: b.reason ?? null, path: 'body' },
      { now: now(), userId: req.user!.id, source: 'entry', allowed: (unitCode) => access.can(req.user!, 'testing.results', { unitCode }) },
    );
    await audit(req, { action: `testing.result.${r.status}`, subjectType: 'sample', subjectId: r.sample.id, details: { result: b.result } });
    const [sample] = await sampleItems(db, access.resolver, [r.sample], { fullPhone: fullPhone(req.user!) });
    return { status: r.status, sample: sample!, retestTasks: r.retestTasks, resampleTasks: r.resampleTasks };
  });

  await uploadRoutes(fastify, ctx, kit);

  // ── tasks ──
  app.get('/api/testing/tasks', { config: { audit: 'handler', permission: 'testing.read' }, schema: { tags, querystring: TaskListQuery, response: { 200: TaskList } } }, async (req) => {
    const scope = await scopeFor(req.user!, 'testing.read', req.query.unit);
    const r = await listTasks(db, scope, req.query, { fullPhone: fullPhone(req.user!) });
    await audit(req, { action: 'testing.tasks.list', subjectType: 'testing_tasks', details: { kind: req.query.kind ?? null, status: req.query.status, rows: r.items.length } });
    return r;
  });

  app.post('/api/testing/tasks/:id/close', { config: { audit: 'handler', permission: 'testing.manage' }, schema: { tags, params: IdParam, body: CloseTaskBody, response: { 200: Task } } }, async (req) => {
    const t = await closeTask(db, req.params.id, req.body, {
      userId: req.user!.id,
      now: now(),
      authorize: async (unitCode) => void (await access.authorize(req.user!, 'testing.manage', { unitCode })),
      fullPhone: fullPhone(req.user!),
    });
    await audit(req, { action: 'testing.task.close', subjectType: 'testing_task', subjectId: t.id, details: { status: req.body.status } });
    return t;
  });

  // ── a person's results ──
  app.get('/api/testing/people/:personId/results', { config: { audit: 'handler', permission: 'testing.read' }, schema: { tags, params: PersonIdParam, response: { 200: PersonResults } } }, async (req) => {
    const r = await personResults(db, req.params.personId);
    if (!r) throw notFound('Person');
    // the person's home area, or the area of one of their samples
    const areas = [r.communeCode, ...r.sampleCommunes].filter((c): c is string => !!c);
    let allowed = false;
    for (const unitCode of areas) if (await access.can(req.user!, 'testing.read', { unitCode })) allowed = true;
    if (!allowed) throw forbidden('That record is outside your jurisdiction');
    await audit(req, { action: 'testing.person.results', subjectType: 'person', subjectId: r.results.person.id });
    return r.results;
  });

  app.get('/api/testing/me/results', { config: { audit: 'self', permission: 'self' }, schema: { tags, response: { 200: MyResults } } }, async (req) => {
    return { people: await myResults(db, req.user!) };
  });

  // ── dashboard ──
  app.get('/api/testing/dashboard', { config: { permission: 'testing.read' }, schema: { tags, querystring: DashboardQuery, response: { 200: Dashboard } } }, async (req) => {
    const scope = await scopeFor(req.user!, 'testing.read', req.query.unit);
    return dashboard(db, access.resolver, scope, req.query, { now: now(), timeZone: ctx.config.timeZone });
  });

  app.get('/api/testing/dashboard.xlsx', { config: { permission: 'testing.read' }, schema: { tags, querystring: DashboardQuery } }, async (req, reply) => {
    const scope = await scopeFor(req.user!, 'testing.read', req.query.unit);
    const d = await dashboard(db, access.resolver, scope, req.query, { now: now(), timeZone: ctx.config.timeZone });
    const buf = await dashboardXlsx(d);
    return reply
      .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', `attachment; filename="xet-nghiem-${d.from}-${d.to}.xlsx"`)
      .send(buf);
  });
}
