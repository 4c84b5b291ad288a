// Officer routes of link requests: citizens ask to have their typed-in record (or a dependant's) linked to the
// registry record it describes; an officer of the area compares and approves one record, or rejects. See links.ts.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { recordAudit, type AuditEntry } from '../../platform/audit';
import { auditActor } from '../../platform/auth/routes';
import type { AuthUser } from '../../platform/auth/service';
import { invalidField, notFound } from '../../platform/http/errors';
import type { AppContext } from '../../platform/module';
import { approveLinkRequest, closeLinkRequest } from './links';
import { toListItem, unitLabeler, type UnitLabeler } from './present';
import { findLinkRequest, findPersonById, linkCandidates, linkRequestsInScope, type LinkRequestRow } from './queries';
import { ApproveLinkBody, LinkRequestItem, LinkRequestList, LinkRequestListQuery, PersonIdParam, RejectLinkBody } from './schema';

const tags = ['people'];

export async function linkRequestRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, access } = ctx;
  const now = () => ctx.config.clock();

  const audit = async (req: FastifyRequest, e: Omit<AuditEntry, 'actor' | 'ip'>) =>
    recordAudit(db, { ...e, actor: await auditActor(access, req.user!), ip: req.ip, at: now() });

  /** A request the officer may decide: its commune inside their jurisdiction (404 for an unknown id, 403 outside). */
  const authorizedRequest = async (user: AuthUser, id: string): Promise<LinkRequestRow> => {
    const r = await findLinkRequest(db, id);
    if (!r) throw notFound('Link request');
    await access.authorize(user, 'people.write', { unitCode: r.commune_code });
    return r;
  };

  const item = async (r: LinkRequestRow, scope: string[] | null, units: UnitLabeler): Promise<LinkRequestItem | null> => {
    const claimant = await findPersonById(db, r.claimant_id);
    if (!claimant) return null;
    const account = await db.selectFrom('users').select(['id', 'username']).where('id', '=', r.user_id).executeTakeFirst();
    // a dependant's request: the record of the account that manages it
    const own = r.kind === 'dependant' ? await db.selectFrom('users').select('person_id').where('id', '=', r.user_id).executeTakeFirst() : undefined;
    const managerRow = own?.person_id ? await findPersonById(db, own.person_id) : undefined;
    const candidates = r.status === 'pending' ? await linkCandidates(db, claimant, scope) : [];
    return {
      id: r.id,
      kind: r.kind as LinkRequestItem['kind'],
      method: r.method,
      status: r.status as LinkRequestItem['status'],
      note: r.note,
      createdAt: r.created_at.toISOString(),
      account: { id: String(r.user_id), username: account?.username ?? '' },
      claimant: await toListItem(claimant, units),
      manager: managerRow ? await toListItem(managerRow, units) : null,
      candidates: await Promise.all(candidates.map((c) => toListItem(c, units))),
      targetId: r.target_id,
      decidedAt: r.decided_at?.toISOString() ?? null,
      decidedBy: r.decided_by_username,
      decisionNote: r.decision_note,
    };
  };

  app.get(
    '/api/people/link-requests',
    { config: { audit: 'handler', permission: 'people.write' }, schema: { tags, querystring: LinkRequestListQuery, response: { 200: LinkRequestList } } },
    async (req) => {
      const user = req.user!;
      const scope = await access.scopeCodes(user);
      const r = await linkRequestsInScope(db, { scope, status: req.query.status ?? 'pending', limit: req.query.limit, offset: req.query.offset });
      const units = unitLabeler(access.resolver);
      const items = (await Promise.all(r.items.map((x) => item(x, scope, units)))).filter((x): x is LinkRequestItem => !!x);
      await audit(req, {
        action: 'person.link_requests.read',
        subjectType: 'person',
        details: { status: req.query.status ?? 'pending', rows: items.length, personIds: items.flatMap((i) => [i.claimant.id, ...i.candidates.map((c) => c.id)]) },
      });
      return { items, total: r.total };
    },
  );

  app.post(
    '/api/people/link-requests/:id/approve',
    { config: { audit: 'handler', permission: 'people.write' }, schema: { tags, params: PersonIdParam, body: ApproveLinkBody, response: { 200: Type.Object({ request: LinkRequestItem }) } } },
    async (req) => {
      const user = req.user!;
      const r = await authorizedRequest(user, req.params.id);
      const target = await findPersonById(db, req.body.targetId);
      if (!target) throw invalidField('body.targetId', 'is not a known person');
      if (target.merged_into) throw invalidField('body.targetId', `was merged into ${target.merged_into}; use that record`);
      // the record the account will hold must be inside the officer's area too
      await access.authorize(user, 'people.write', { unitCode: target.commune_code });
      const done = await approveLinkRequest(db, { id: r.id, targetId: target.id, note: req.body.note ?? null, officer: { id: user.id, username: user.username }, now: now(), events: ctx.events });
      await audit(req, {
        action: r.kind === 'self' ? 'person.link_account' : 'person.dependant.link',
        subjectType: 'person',
        subjectId: done.personId,
        details: { method: 'officer', requestId: r.id, claimantId: r.claimant_id, userId: String(r.user_id), merged: done.merged },
      });
      const after = await findLinkRequest(db, r.id);
      return { request: (await item(after!, await access.scopeCodes(user), unitLabeler(access.resolver)))! };
    },
  );

  app.post(
    '/api/people/link-requests/:id/reject',
    { config: { permission: 'people.write' }, schema: { tags, params: PersonIdParam, body: RejectLinkBody } },
    async (req, reply) => {
      const user = req.user!;
      const r = await authorizedRequest(user, req.params.id);
      await closeLinkRequest(db, { id: r.id, status: 'rejected', note: req.body.note, by: { id: user.id, username: user.username }, now: now() });
      await audit(req, { action: 'person.link_request.reject', subjectType: 'person', subjectId: r.claimant_id, details: { requestId: r.id } });
      return reply.status(204).send();
    },
  );
}
