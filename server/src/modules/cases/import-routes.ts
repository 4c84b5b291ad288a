// Contact list imports over HTTP: upload (the file as the body, CSV or XLSX), the template, the review list.
import { acceptUploads, attachment, XLSX_TYPE } from '../../platform/http/files';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError, invalidField, notFound } from '../../platform/http/errors';
import type { AppContext } from '../../platform/module';
import { findOrCreatePerson } from '../people';
import { ImportFileError } from '../venues';
import type { AuthUser } from '../../platform/auth/service';
import { addImportedContact, contactTemplateXlsx, importContacts, reviewItems, reviewPickProblem, type ReviewArea } from './imports';
import { phoneFor, routeKit } from './scope';
import { provinceOf } from './service';

const Uuid = Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' });
const ImportResult = Type.Object({
  total: Type.Integer(),
  imported: Type.Integer(),
  duplicates: Type.Integer(),
  review: Type.Integer(),
  errors: Type.Array(Type.Object({ line: Type.Integer(), path: Type.String(), message: Type.String() })),
});

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const ReviewList = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.String(),
      caseCode: Type.String(),
      line: Type.Record(Type.String(), Type.String()),
      reason: Type.String(),
      /** registry records inside the reviewer's area: shown in full, may be picked */
      candidates: Type.Array(Type.Object({ id: Type.String(), fullName: Type.String(), phone: Nullable(Type.String()), birthYear: Nullable(Type.Integer()), communeCode: Nullable(Type.String()) })),
      /** registry records elsewhere: only their province and how many (ask that province's CDC) */
      elsewhere: Type.Array(Type.Object({ provinceCode: Nullable(Type.String()), provinceName: Nullable(Type.String()), count: Type.Integer() })),
    }),
  ),
});

export async function importRoutes(fastify: FastifyInstance, ctx: AppContext) {
  await fastify.register(async (scoped) => {
    acceptUploads(scoped);
    const app = scoped.withTypeProvider<TypeBoxTypeProvider>();
    const { db, access, now, audit, settings } = routeKit(ctx);
    const tags = ['contacts'];
    const bodyBuffer = (req: FastifyRequest): Buffer => {
      const b = req.body as unknown;
      if (Buffer.isBuffer(b)) return b;
      if (typeof b === 'string') return Buffer.from(b, 'utf8');
      throw invalidField('body', 'send the file as the request body (Content-Type text/csv or the .xlsx type)');
    };
    /** The reviewer's area: registry records they may see in full and pick (cases.write where the person lives). */
    const areaOf = (user: AuthUser): ReviewArea => ({
      inArea: (communeCode) => access.can(user, 'cases.write', { unitCode: communeCode }),
      provinceOf: async (communeCode) => {
        const p = communeCode ? await provinceOf(access.resolver, communeCode) : null;
        return p ? { code: p.code, name: p.name } : null;
      },
    });

    app.post('/api/contacts/import', { config: { permission: 'cases.write' }, bodyLimit: 16 * 1024 * 1024, schema: { tags, response: { 200: ImportResult } } }, async (req) => {
      const scope = await access.scopeCodes(req.user!);
      try {
        const r = await importContacts(db, bodyBuffer(req), { resolver: access.resolver, settings, now: now(), scope: scope ? new Set(scope) : null, userId: req.user!.id });
        await audit(req, { action: 'contacts.import', subjectType: 'contacts', details: { total: r.total, imported: r.imported, review: r.review, errors: r.errors.length } });
        return r;
      } catch (err) {
        if (err instanceof ImportFileError) throw new AppError(400, 'IMPORT_REJECTED', err.message, [{ path: 'body', message: err.message }]);
        throw err;
      }
    });

    app.get('/api/contacts/import-template.xlsx', { config: { permission: 'cases.write' }, schema: { tags } }, async (_req, reply) => {
      return attachment(reply, XLSX_TYPE, 'vigil-contacts-template.xlsx', await contactTemplateXlsx());
    });

    app.get('/api/contact-reviews', { config: { audit: 'handler', permission: 'cases.read' }, schema: { tags, response: { 200: ReviewList } } }, async (req) => {
      const shown = phoneFor(req.user!);
      const items = (await reviewItems(db, await access.scopeCodes(req.user!), areaOf(req.user!))).map((i) => ({
        ...i,
        line: { ...i.line, phone: i.line.phone ? (shown(i.line.phone) ?? '') : '' },
        candidates: i.candidates.map((c) => ({ ...c, phone: shown(c.phone) })),
      }));
      await audit(req, { action: 'contact-reviews.read', subjectType: 'contacts', details: { rows: items.length } });
      return { items };
    });

    app.post(
      '/api/contact-reviews/:id/resolve',
      { config: { permission: 'cases.write' }, schema: { tags, params: Type.Object({ id: Uuid }), body: Type.Object({ personId: Type.Union([Uuid, Type.Null()]) }, { additionalProperties: false }), response: { 200: Type.Object({ ok: Type.Boolean() }) } } },
      async (req) => {
        const found = await db.selectFrom('contact_import_reviews').select('unit_code').where('id', '=', req.params.id).executeTakeFirst();
        if (!found) throw notFound('Review item');
        await access.authorize(req.user!, 'cases.write', { unitCode: found.unit_code });
        // One transaction, the item locked: two officers (or a double click) resolving the same item at once get one
        // contact and one new person; the second finds the item gone (404), as if it had come a moment later.
        const { c, newPerson } = await db.transaction().execute(async (tx) => {
          const r = await tx.selectFrom('contact_import_reviews').selectAll().where('id', '=', req.params.id).forUpdate().executeTakeFirst();
          if (!r) throw notFound('Review item');
          const c = await tx.selectFrom('cases').selectAll().where('id', '=', r.case_id).executeTakeFirstOrThrow();
          const line = r.line as Record<string, string>;
          let personId = req.body.personId;
          if (personId && !r.candidate_ids.includes(personId)) throw invalidField('body.personId', 'is not one of the candidates');
          // re-checked now: an item stored earlier may name a record a citizen typed in, or one outside this area
          const problem = personId ? await reviewPickProblem(tx, personId, areaOf(req.user!)) : null;
          if (problem === 'not-registry') throw invalidField('body.personId', 'is not a registry record (typed in by a citizen, or merged away): create a new person instead');
          if (problem === 'outside-area') throw new AppError(403, 'FORBIDDEN', "That record is outside your jurisdiction: ask its province's CDC", [{ path: 'body.personId', message: 'is outside your jurisdiction' }]);
          if (!personId) {
            // a new person: the phone stays with the record that holds it; this one is created without it
            const p = await findOrCreatePerson(
              tx,
              { fullName: line.full_name!, phone: null, nationalId: line.national_id || null, address: line.address || null, communeCode: line.commune_code || c.commune_code },
              { resolver: access.resolver, now: now(), source: 'import', requirePhone: false, trust: 'staff' },
            );
            personId = p.id;
          }
          await addImportedContact(tx, c, personId, { relation: line.relation as 'household', day: line.last_exposure_date!, level: Number(line.level ?? 1), note: line.phone ? `phone on the list: ${line.phone}` : '' }, { settings, now: now() });
          await tx.deleteFrom('contact_import_reviews').where('id', '=', r.id).execute();
          return { c, newPerson: !req.body.personId };
        });
        await audit(req, { action: 'contact-review.resolve', subjectType: 'case', subjectId: c.id, details: { newPerson } });
        return { ok: true };
      },
    );
  });
}
