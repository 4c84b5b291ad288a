// Call scripts over HTTP: list, save (checked: a script that cannot run is refused naming the state), check without
// saving (the editor), preview a prompt as audio.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { AppContext } from '../../platform/module';
import { callKit } from './kit';
import { checkScript } from './script-check';
import { IdParam, ScriptBody, ScriptItem, ScriptList, ScriptSave } from './schema';
import { saveScript } from './store';
import type { CallScript } from './types';

const Problems = Type.Object({ problems: Type.Array(Type.Object({ path: Type.String(), message: Type.String() })) });

export async function scriptRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, access, scriptFor, audit } = callKit(ctx);
  const tags = ['calls'];
  const item = (s: { id: string; name: string; unit_code: string; language: string; body: unknown; updated_at: Date }) => ({
    id: s.id,
    name: s.name,
    unitCode: s.unit_code,
    language: s.language,
    script: s.body as CallScript,
    updatedAt: s.updated_at.toISOString(),
  });

  app.get('/api/calls/scripts', { config: { permission: 'calls.read' }, schema: { tags, response: { 200: ScriptList } } }, async (req) => {
    const scope = await access.scopeCodes(req.user!);
    let q = db.selectFrom('call_scripts').selectAll().orderBy('name').limit(200);
    if (scope) q = q.where('unit_code', 'in', scope);
    return { items: (await q.execute()).map(item) };
  });

  app.get('/api/calls/scripts/:id', { config: { permission: 'calls.read' }, schema: { tags, params: IdParam, response: { 200: ScriptItem } } }, async (req) => item(await scriptFor(req.user!, req.params.id, 'calls.read')));

  app.post('/api/calls/scripts/check', { config: { permission: 'calls.manage' }, schema: { tags, body: Type.Object({ script: ScriptBody }, { additionalProperties: false }), response: { 200: Problems } } }, async (req) => ({
    problems: checkScript(req.body.script as CallScript, 'body.script'),
  }));

  app.post('/api/calls/scripts', { config: { permission: 'calls.manage' }, schema: { tags, body: ScriptSave, response: { 201: Type.Object({ id: Type.String() }) } } }, async (req, reply) => {
    await access.authorize(req.user!, 'calls.manage', { unitCode: req.body.unitCode });
    const r = await saveScript(db, { unitCode: req.body.unitCode, script: req.body.script as CallScript, userId: req.user!.id });
    await audit(req, { action: 'calls.script_save', subjectType: 'call_script', subjectId: r.id, details: { name: req.body.script.name } });
    reply.code(201);
    return { id: r.id };
  });

  app.put('/api/calls/scripts/:id', { config: { permission: 'calls.manage' }, schema: { tags, params: IdParam, body: ScriptSave, response: { 200: Type.Object({ id: Type.String() }) } } }, async (req) => {
    await scriptFor(req.user!, req.params.id, 'calls.manage');
    await access.authorize(req.user!, 'calls.manage', { unitCode: req.body.unitCode });
    const r = await saveScript(db, { id: req.params.id, unitCode: req.body.unitCode, script: req.body.script as CallScript, userId: req.user!.id });
    await audit(req, { action: 'calls.script_save', subjectType: 'call_script', subjectId: r.id, details: { name: req.body.script.name } });
    return { id: r.id };
  });
}
