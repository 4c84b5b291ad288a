// Citizen routes: the forms (public), declaring without an account (public, rate limited), declaring for oneself
// or a dependant, and one's own declarations and those of one's dependants.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { recordAudit } from '../../platform/audit';
import { auditActor } from '../../platform/auth/routes';
import type { AuthUser } from '../../platform/auth/service';
import { AppError, badRequest, conflict, forbidden, notFound, type ErrorDetail } from '../../platform/http/errors';
import type { AppContext } from '../../platform/module';
import { dependantsOf, findOrCreatePerson, isManagerOf, resolvePersonId } from '../people';
import { formListItem, formView, presenter } from './present';
import { findDeclaration, listForms, searchDeclarations, type DeclarationRow } from './queries';
import {
  FormKeyParam,
  FormListResponse,
  FormResponse,
  FormVersionQuery,
  DeclarationIdParam,
  MyDeclarationListResponse,
  MyDeclarationResponse,
  MyListQuery,
  PublicSubmitBody,
  SelfSubmitBody,
  SubmitResponse,
} from './schema';
import { loadForm } from './service';
import { prepareDeclaration, storeDeclaration, submitDeclaration, submitDeps } from './submit';

const submitted = (d: DeclarationRow) => ({
  declaration: { id: d.id, formKey: d.form_key, formVersion: d.form_version, submittedAt: d.submitted_at.toISOString(), followUp: d.flagged },
});

export async function citizenRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, access } = ctx;
  const resolver = access.resolver;
  const now = () => ctx.config.clock();
  const deps = () => submitDeps(ctx, now());

  const ownPerson = async (user: AuthUser): Promise<string> => {
    const id = user.personId ? await resolvePersonId(db, user.personId) : null;
    if (!id) throw conflict('Register your own details first (PUT /api/me/person)');
    return id;
  };

  /** The signed-in citizen's own record and their dependants'. */
  const household = async (user: AuthUser) => {
    const own = await ownPerson(user);
    return [own, ...(await dependantsOf(db, own)).map((d) => d.id)];
  };

  // ── forms (public: the declaration page needs them before anyone signs in) ──

  app.get(
    '/api/public/declaration-forms',
    { config: { public: true }, schema: { tags: ['public'], response: { 200: FormListResponse } } },
    async (_req, reply) => {
      reply.header('cache-control', 'public, max-age=60');
      return {
        items: await Promise.all((await listForms(db, false)).map((f) => formListItem(resolver, f))),
      };
    },
  );

  app.get(
    '/api/public/declaration-forms/:key',
    { config: { public: true }, schema: { tags: ['public'], params: FormKeyParam, querystring: FormVersionQuery, response: { 200: FormResponse } } },
    async (req, reply) => {
      const f = await loadForm(db, req.params.key, req.query.version);
      if (f.form.archived && req.query.version === undefined) throw notFound(`Form "${req.params.key}"`);
      reply.header('cache-control', req.query.version ? 'public, max-age=86400' : 'public, max-age=60');
      return { form: await formView(resolver, f.form, f.version) };
    },
  );

  // ── declaring without an account ─────────────────────────────────────────────

  app.post(
    '/api/public/declarations',
    {
      config: { public: true, rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: { tags: ['public'], body: PublicSubmitBody, response: { 201: SubmitResponse } },
    },
    async (req, reply) => {
      const t = now();
      const { prepared, problems } = await prepareDeclaration(db, req.body, deps());
      const d = await db.transaction().execute(async (tx) => {
        // the person's details and the answers are checked together, so one reply names every problem
        let personId: string | null = null;
        const all: ErrorDetail[] = [];
        try {
          // anonymous input, matched on registry records only (trust 'desk', as the contact import and the sampling
          // page): whoever typed a neighbour's phone, name and birth year into their household would otherwise read
          // the neighbour's declarations (answers, symptoms) as their dependant's
          personId = (await findOrCreatePerson(tx, req.body.person, { resolver, now: t, source: 'declaration', prefix: 'body.person', trust: 'desk' })).id;
        } catch (e) {
          if (!(e instanceof AppError) || e.statusCode !== 400) throw e;
          all.push(...(e.details ?? [{ path: 'body.person', message: e.message }]));
        }
        all.push(...problems);
        if (all.length || !prepared || !personId) throw badRequest(all.map((p) => `${p.path}: ${p.message}`).join('; '), all);
        return storeDeclaration(tx, prepared, { subjectPersonId: personId, declarantPersonId: personId, userId: null, channel: 'public' }, t);
      });
      await recordAudit(db, {
        actor: null,
        ip: req.ip,
        at: t,
        action: 'declaration.create',
        subjectType: 'declaration',
        subjectId: d.id,
        details: { personId: d.subject_person_id, formKey: d.form_key, formVersion: d.form_version, channel: 'public', flagged: d.flagged },
      });
      return reply.status(201).send(submitted(d));
    },
  );

  // ── signed-in citizens ──────────────────────────────────────────────────────

  app.post(
    '/api/me/declarations',
    { config: { permission: 'self' }, schema: { tags: ['me'], body: SelfSubmitBody, response: { 201: SubmitResponse } } },
    async (req, reply) => {
      const user = req.user!;
      const own = await ownPerson(user);
      let subject = own;
      if (req.body.subjectPersonId) {
        subject = (await resolvePersonId(db, req.body.subjectPersonId)) ?? req.body.subjectPersonId;
        if (subject !== own && !(await isManagerOf(db, own, subject)))
          throw forbidden('You may declare only for yourself and the dependants you manage');
      }
      await access.authorize(user, 'self', { ownedBySelf: true });
      const d = await submitDeclaration(
        db,
        { ...req.body, subjectPersonId: subject, declarantPersonId: own, userId: user.id, channel: 'citizen' },
        deps(),
      );
      await recordAudit(db, {
        actor: await auditActor(access, user),
        ip: req.ip,
        at: now(),
        action: 'declaration.create',
        subjectType: 'declaration',
        subjectId: d.id,
        details: { personId: subject, formKey: d.form_key, formVersion: d.form_version, channel: 'citizen', forDependant: subject !== own, flagged: d.flagged },
      });
      return reply.status(201).send(submitted(d));
    },
  );

  app.get(
    '/api/me/declarations',
    { config: { audit: 'self', permission: 'self' }, schema: { tags: ['me'], querystring: MyListQuery, response: { 200: MyDeclarationListResponse } } },
    async (req) => {
      const user = req.user!;
      if (!user.personId) return { items: [], total: 0 };
      const mine = await household(user);
      let personIds = mine;
      if (req.query.personId) {
        const p = (await resolvePersonId(db, req.query.personId)) ?? req.query.personId;
        if (!mine.includes(p)) throw forbidden('You may see only your own declarations and your dependants\'');
        personIds = [p];
      }
      const r = await searchDeclarations(db, {
        scope: null,
        ...(req.query.personId ? { subjectIds: personIds } : { personIds }),
        order: 'recent',
        limit: req.query.limit,
        offset: req.query.offset,
      });
      return { items: await presenter(db, resolver).myItems(r.items), total: r.total };
    },
  );

  app.get(
    '/api/me/declarations/:id',
    { config: { audit: 'self', permission: 'self' }, schema: { tags: ['me'], params: DeclarationIdParam, response: { 200: MyDeclarationResponse } } },
    async (req) => {
      const mine = await household(req.user!);
      const d = await findDeclaration(db, req.params.id);
      // someone else's declaration is reported as missing, not forbidden: ids are not a way to probe
      if (!d || !(mine.includes(d.subject_person_id) || (d.declarant_person_id && mine.includes(d.declarant_person_id)))) throw notFound('Declaration');
      const p = presenter(db, resolver);
      const [item] = await p.myItems([d]);
      const v = await p.version(d.form_key, d.form_version);
      return { declaration: { ...item!, questions: (v?.questions ?? []) as never, answers: d.answers } };
    },
  );
}
