// Templates over HTTP: officers read them; national staff edit a purpose's vi/en texts (validated against the
// purpose's variables), preview them with sample values, and see every change (audited with before/after).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { recordAudit } from '../../platform/audit';
import { auditActor } from '../../platform/auth/routes';
import { forbidden, notFound } from '../../platform/http/errors';
import type { AppContext } from '../../platform/module';
import { TEMPLATES } from './templates';
import { checkTemplate, listTemplates, saveTemplate, templateHistory } from './template-store';

const tags = ['messaging'];
const Text = Type.String({ minLength: 1, maxLength: 1000, pattern: '^[^\\u0000]*$' });
const Body = Type.Object({ textVi: Text, textEn: Text }, { additionalProperties: false });
const Params = Type.Object({ purpose: Type.String({ minLength: 1, maxLength: 40, pattern: '^[a-z.]+$' }) });
const TemplateItem = Type.Object({
  purpose: Type.String(),
  textVi: Type.String(),
  textEn: Type.String(),
  defaultVi: Type.String(),
  defaultEn: Type.String(),
  variables: Type.Array(Type.String()),
  required: Type.Array(Type.String()),
  edited: Type.Boolean(),
  updatedBy: Type.Union([Type.String(), Type.Null()]),
  updatedAt: Type.Union([Type.String(), Type.Null()]),
});
const Preview = Type.Object({ vi: Type.Object({ text: Type.String(), parts: Type.Integer() }), en: Type.Object({ text: Type.String(), parts: Type.Integer() }) });

/** The root unit: templates are national (every province's texts), so editing them is for national staff. */
const ROOT = 'VN';

export async function templateRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, access, config } = ctx;
  const known = (purpose: string) => {
    if (!TEMPLATES[purpose]) throw notFound(`Template ${purpose}`);
    return purpose;
  };
  const mayEdit = async (user: NonNullable<FastifyRequest['user']>) => {
    if (!(await access.can(user, 'messaging.send', { unitCode: ROOT }))) throw forbidden('Templates are national: only national staff change them');
  };

  app.get('/api/messaging/templates', { config: { permission: 'messaging.read' }, schema: { tags, response: { 200: Type.Object({ items: Type.Array(TemplateItem) }) } } }, async () => ({ items: await listTemplates(db) }));

  app.post(
    '/api/messaging/templates/:purpose/preview',
    { config: { permission: 'messaging.read' }, schema: { tags, params: Params, body: Body, response: { 200: Preview } } },
    async (req) => checkTemplate(known(req.params.purpose), req.body),
  );

  app.put(
    '/api/messaging/templates/:purpose',
    { config: { permission: 'messaging.send' }, schema: { tags, params: Params, body: Body, response: { 200: TemplateItem } } },
    async (req) => {
      const purpose = known(req.params.purpose);
      await mayEdit(req.user!);
      const at = config.clock();
      await db.transaction().execute(async (trx) => {
        const b = await saveTemplate(trx, purpose, req.body, req.user!.username, at);
        await recordAudit(trx, {
          actor: await auditActor(access, req.user!),
          ip: req.ip,
          at,
          action: 'messaging.template.save',
          subjectType: 'sms_template',
          subjectId: purpose,
          details: { before: { vi: b.vi, en: b.en }, after: { vi: req.body.textVi, en: req.body.textEn } },
        });
      });
      return (await listTemplates(db)).find((t) => t.purpose === purpose)!;
    },
  );

  app.get(
    '/api/messaging/templates/:purpose/history',
    { config: { permission: 'messaging.read' }, schema: { tags, params: Params, response: { 200: Type.Object({ items: Type.Array(Type.Object({ textVi: Type.String(), textEn: Type.String(), changedBy: Type.String(), changedAt: Type.String() })) }) } } },
    async (req) => ({ items: await templateHistory(db, known(req.params.purpose)) }),
  );
}
