// Transmission graph of a case or a cluster (cases, contacts by level, venues where they met) and clusters:
// cases connected through contacts (someone listed as a contact of one case who is, or becomes, a case).
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';
import { notFound } from '../../platform/http/errors';
import type { AppContext } from '../../platform/module';
import { getPersonIdentities } from '../people';
import { dayOf, plusDays } from './days';
import { ClusterListResponse, GraphResponse, IdParam, type GraphResponse as Graph } from './schema';
import { routeKit } from './scope';

const MAX_NODES = 1500;

/** Case-to-case links: case `from` listed the person of case `to` as a contact. */
async function caseLinks(db: DbOrTx, scope: string[] | null) {
  const r = await sql<{ from_case: string; to_case: string }>`
    select cc.case_id as from_case, k.id as to_case
    from case_contacts cc join cases k on k.person_id = cc.person_id and k.id <> cc.case_id
    join cases f on f.id = cc.case_id
    where ${scope}::text[] is null or (f.commune_code = any(${scope}::text[]) and k.commune_code = any(${scope}::text[]))`.execute(db);
  return r.rows;
}

export interface Cluster {
  id: string;
  label: string;
  caseIds: string[];
  size: number;
  last7: number;
  previous7: number;
  firstConfirmed: string;
  lastConfirmed: string;
}

/** Connected components of cases (union–find), two or more cases each, biggest first. */
export async function clusters(db: DbOrTx, scope: string[] | null, today: string, timeZone: string): Promise<Cluster[]> {
  const links = await caseLinks(db, scope);
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let p = parent.get(x) ?? x;
    while (p !== (parent.get(p) ?? p)) p = parent.get(p) ?? p;
    parent.set(x, p);
    return p;
  };
  for (const l of links) {
    const a = find(l.from_case);
    const b = find(l.to_case);
    if (a !== b) parent.set(a, b);
  }
  const ids = [...new Set(links.flatMap((l) => [l.from_case, l.to_case]))];
  if (!ids.length) return [];
  const cases = await db.selectFrom('cases').select(['id', 'code', 'confirmed_at']).where('id', 'in', ids).execute();
  const groups = new Map<string, typeof cases>();
  for (const c of cases) {
    const root = find(c.id);
    groups.set(root, [...(groups.get(root) ?? []), c]);
  }
  const weekAgo = plusDays(today, -7);
  const twoWeeksAgo = plusDays(today, -14);
  return [...groups.values()]
    .filter((g) => g.length >= 2)
    .map((g) => {
      g.sort((a, b) => a.confirmed_at.getTime() - b.confirmed_at.getTime() || a.code.localeCompare(b.code));
      const days = g.map((c) => dayOf(c.confirmed_at, timeZone));
      return {
        id: g[0]!.id,
        label: g[0]!.code,
        caseIds: g.map((c) => c.id),
        size: g.length,
        last7: days.filter((d) => d > weekAgo).length,
        previous7: days.filter((d) => d > twoWeeksAgo && d <= weekAgo).length,
        firstConfirmed: g[0]!.confirmed_at.toISOString(),
        lastConfirmed: g[g.length - 1]!.confirmed_at.toISOString(),
      };
    })
    .sort((a, b) => b.size - a.size || b.lastConfirmed.localeCompare(a.lastConfirmed));
}

/** Nodes and edges for some cases: each case, its contacts (inside `scope`) and the venues where they met. */
export async function graphOf(db: DbOrTx, caseIds: string[], scope: string[] | null, maxLevel = 9): Promise<Graph> {
  const cases = await db.selectFrom('cases').select(['id', 'code', 'person_id']).where('id', 'in', caseIds).execute();
  const caseOfPerson = new Map(cases.map((c) => [c.person_id, c]));
  // every case any of these contacts became, so links between cases show
  let cq = db.selectFrom('case_contacts').selectAll().where('case_id', 'in', caseIds).where('level', '<=', maxLevel);
  if (scope) cq = cq.where('unit_code', 'in', scope.length ? scope : ['-']);
  const contacts = await cq.orderBy('level').limit(MAX_NODES).execute();
  const others = await db
    .selectFrom('cases')
    .select(['id', 'code', 'person_id'])
    .where('person_id', 'in', contacts.length ? contacts.map((c) => c.person_id) : ['00000000-0000-0000-0000-000000000000'])
    .execute();
  for (const o of others) if (!caseOfPerson.has(o.person_id)) caseOfPerson.set(o.person_id, o);
  const exposures = contacts.length
    ? await db
        .selectFrom('contact_exposures as e')
        .leftJoin('venues as v', 'v.id', 'e.venue_id')
        .select(['e.contact_id', 'e.venue_id', 'v.code as venue_code', 'v.name as venue_name', 'e.source_person_id', 'e.kind'])
        .where('e.contact_id', 'in', contacts.map((c) => c.id))
        .execute()
    : [];
  const people = await getPersonIdentities(db, [...cases.map((c) => c.person_id), ...contacts.map((c) => c.person_id)]);
  const nodes = new Map<string, Graph['nodes'][number]>();
  const edges = new Map<string, Graph['edges'][number]>();
  const personNode = (personId: string, level: number) => {
    const k = caseOfPerson.get(personId);
    const id = `p:${personId}`;
    const existing = nodes.get(id);
    if (!existing || existing.level > level)
      nodes.set(id, { id, kind: k ? 'case' : 'contact', label: k ? `${k.code} · ${people.get(personId)?.fullName ?? ''}` : (people.get(personId)?.fullName ?? '—'), level: k ? 0 : level, caseId: k?.id ?? null });
    return id;
  };
  for (const c of cases) personNode(c.person_id, 0);
  const levelOf = new Map(contacts.map((c) => [c.id, c.level]));
  const personOfContact = new Map(contacts.map((c) => [c.id, c.person_id]));
  for (const c of contacts) personNode(c.person_id, c.level);
  for (const e of exposures) {
    const target = `p:${personOfContact.get(e.contact_id)}`;
    const sourceId = e.source_person_id ? `p:${e.source_person_id}` : null;
    if (sourceId && !nodes.has(sourceId)) personNode(e.source_person_id!, Math.max(0, (levelOf.get(e.contact_id) ?? 1) - 1));
    if (e.venue_id && nodes.size < MAX_NODES) {
      const vid = `v:${e.venue_id}`;
      if (!nodes.has(vid)) nodes.set(vid, { id: vid, kind: 'venue', label: e.venue_name ?? e.venue_code ?? '', level: -1, caseId: null });
      if (sourceId) edges.set(`${sourceId}>${vid}`, { source: sourceId, target: vid, kind: 'visited' });
      edges.set(`${vid}>${target}`, { source: vid, target, kind: 'met' });
    } else if (sourceId) edges.set(`${sourceId}>${target}`, { source: sourceId, target, kind: e.kind });
  }
  return { nodes: [...nodes.values()].slice(0, MAX_NODES), edges: [...edges.values()].filter((e) => nodes.has(e.source) && nodes.has(e.target)), truncated: contacts.length >= MAX_NODES || nodes.size > MAX_NODES };
}

export async function graphRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, access, now, audit, scopeFor, tz } = routeKit(ctx);
  const tags = ['cases'];

  app.get('/api/cases/:id/graph', { config: { permission: 'cases.read' }, schema: { tags, params: IdParam, querystring: Type.Object({ levels: Type.Optional(Type.Integer({ minimum: 1, maximum: 9 })) }), response: { 200: GraphResponse } } }, async (req) => {
    const c = await db.selectFrom('cases').select(['id', 'commune_code']).where('id', '=', req.params.id).executeTakeFirst();
    if (!c) throw notFound('Case');
    await access.authorize(req.user!, 'cases.read', { unitCode: c.commune_code });
    const g = await graphOf(db, [c.id], await access.scopeCodes(req.user!), req.query.levels);
    await audit(req, { action: 'case.graph.read', subjectType: 'case', subjectId: c.id, details: { nodes: g.nodes.length } });
    return g;
  });

  app.get('/api/clusters', { config: { permission: 'cases.read' }, schema: { tags, querystring: Type.Object({ unit: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.-]{1,20}$' })) }), response: { 200: ClusterListResponse } } }, async (req) => {
    const scope = await scopeFor(req.user!, 'cases.read', req.query.unit);
    return { items: await clusters(db, scope, dayOf(now(), tz), tz) };
  });

  app.get('/api/clusters/:id/graph', { config: { permission: 'cases.read' }, schema: { tags, params: IdParam, response: { 200: GraphResponse } } }, async (req) => {
    const scope = await access.scopeCodes(req.user!);
    const cl = (await clusters(db, scope, dayOf(now(), tz), tz)).find((x) => x.id === req.params.id || x.caseIds.includes(req.params.id));
    if (!cl) throw notFound('Cluster');
    const g = await graphOf(db, cl.caseIds, scope, 1);
    await audit(req, { action: 'cluster.graph.read', subjectType: 'case', subjectId: cl.id, details: { cases: cl.size, nodes: g.nodes.length } });
    return g;
  });
}
