// A person's certificates: the citizen's own and their dependants' (/api/me/…), and staff reading or printing a
// person's certificates within their jurisdiction (audited). Someone else's certificate is "not found".
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { recordAudit } from '../../platform/audit';
import { auditActor } from '../../platform/auth/routes';
import type { AuthUser } from '../../platform/auth/service';
import { notFound } from '../../platform/http/errors';
import type { AppContext } from '../../platform/module';
import { dependantsOf, getPersonBrief, resolvePersonId } from '../people';
import { testForCertificate } from '../testing';
import { sql } from 'kysely';
import { certificateById, certificatesOfPerson, type CertificateRow } from './queries';
import { certificateView } from './present';
import { certificatePdf, qrPng } from './documents';
import { CertificateIdParam, CertificateListResponse, CertificateView, MyCertificatesQuery, PdfQuery, PersonIdParam, TestCertificateBody } from './schema';
import { issueForTest, type TestIssueDeps } from './service';

const tags = ['certificates'];

export async function holderRoutes(fastify: FastifyInstance, ctx: AppContext, deps: TestIssueDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, access } = ctx;

  /** the signed-in citizen's own person and their dependants (empty when they have no record yet) */
  const household = async (user: AuthUser): Promise<string[]> => {
    const own = user.personId ? await resolvePersonId(db, user.personId) : null;
    return own ? [own, ...(await dependantsOf(db, own)).map((d) => d.id)] : [];
  };

  const myCertificate = async (user: AuthUser, id: string): Promise<CertificateRow> => {
    const row = await certificateById(db, id);
    if (!row || !(await household(user)).includes(row.person_id)) throw notFound('Certificate');
    return row;
  };

  /** staff: the certificate, if its holder lives in (or it was issued in) the caller's jurisdiction */
  const staffCertificate = async (user: AuthUser, id: string): Promise<CertificateRow> => {
    const row = await certificateById(db, id);
    if (!row) throw notFound('Certificate');
    const person = await getPersonBrief(db, row.person_id);
    await access.authorize(user, 'certificates.read', { unitCode: person?.communeCode ?? row.commune_code });
    return row;
  };

  const sendPdf = async (reply: FastifyReply, row: CertificateRow, lang: 'vi' | 'en' = 'vi') =>
    reply
      .header('content-type', 'application/pdf')
      .header('content-disposition', `inline; filename="certificate-${row.id}.pdf"`)
      .header('cache-control', 'private, no-store')
      .send(await certificatePdf(certificateView(row), lang, ctx.config.timeZone));

  const sendPng = async (reply: FastifyReply, row: CertificateRow) =>
    reply.header('content-type', 'image/png').header('cache-control', 'private, no-store').send(await qrPng(row.hc1));

  /** A test certificate for `personId` from tube `sampleId`: one at a time per tube (two taps, one certificate). */
  const testCertificate = (sampleId: string, personId: (personIds: string[]) => string | undefined, allowed: (communeCode: string) => Promise<void>) =>
    db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtext(${`dcc-test:${sampleId}`}))`.execute(trx);
      const test = await testForCertificate(trx, sampleId);
      const who = test && personId(test.personIds);
      if (!test || !who) throw notFound('Sample');
      await allowed(test.communeCode);
      return issueForTest(trx, deps, test, who);
    });

  // ── citizens ─────────────────────────────────────────────────────────────────

  app.post(
    '/api/me/certificates/test',
    {
      config: { permission: 'self', audit: 'self', rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: { tags, body: TestCertificateBody, response: { 200: CertificateView, 201: CertificateView } },
    },
    async (req, reply) => {
      const mine = await household(req.user!);
      const asked = req.body.personId ? ((await resolvePersonId(db, req.body.personId)) ?? req.body.personId) : null;
      if (asked && !mine.includes(asked)) throw notFound('Person');
      const r = await testCertificate(req.body.sampleId, (ids) => (asked ? ids.find((id) => id === asked) : ids.find((id) => mine.includes(id))), async () => {});
      return reply.code(r.created ? 201 : 200).send(certificateView(r.row));
    },
  );

  app.get(
    '/api/me/certificates',
    { config: { permission: 'self', audit: 'self' }, schema: { tags, querystring: MyCertificatesQuery, response: { 200: CertificateListResponse } } },
    async (req) => {
      const mine = await household(req.user!);
      let ids = mine;
      if (req.query.personId) {
        const p = (await resolvePersonId(db, req.query.personId)) ?? req.query.personId;
        if (!mine.includes(p)) throw notFound('Person');
        ids = [p];
      }
      const rows = (await Promise.all(ids.map((id) => certificatesOfPerson(db, id)))).flat();
      return { items: rows.map(certificateView) };
    },
  );

  app.get(
    '/api/me/certificates/:id/qr.png',
    { config: { permission: 'self', audit: 'self' }, schema: { tags, params: CertificateIdParam } },
    async (req, reply) => sendPng(reply, await myCertificate(req.user!, req.params.id)),
  );

  app.get(
    '/api/me/certificates/:id/pdf',
    { config: { permission: 'self', audit: 'self' }, schema: { tags, params: CertificateIdParam, querystring: PdfQuery } },
    async (req, reply) => sendPdf(reply, await myCertificate(req.user!, req.params.id), req.query.lang),
  );

  // ── staff ────────────────────────────────────────────────────────────────────

  app.get(
    '/api/people/:personId/certificates',
    { config: { permission: 'certificates.read', audit: 'handler' }, schema: { tags, params: PersonIdParam, response: { 200: CertificateListResponse } } },
    async (req) => {
      const user = req.user!;
      const person = await getPersonBrief(db, req.params.personId);
      if (!person) throw notFound('Person');
      await access.authorize(user, 'certificates.read', { unitCode: person.communeCode });
      const rows = await certificatesOfPerson(db, person.id);
      await recordAudit(db, {
        actor: await auditActor(access, user),
        ip: req.ip,
        at: ctx.config.clock(),
        action: 'certificate.list',
        subjectType: 'person',
        subjectId: person.id,
        details: { count: rows.length },
      });
      return { items: rows.map(certificateView) };
    },
  );

  app.post(
    '/api/people/:personId/certificates/test',
    {
      config: { permission: 'testing.read', audit: 'handler' },
      schema: { tags, params: PersonIdParam, body: TestCertificateBody, response: { 200: CertificateView, 201: CertificateView } },
    },
    async (req, reply) => {
      const user = req.user!;
      const person = (await resolvePersonId(db, req.params.personId)) ?? req.params.personId;
      // the tube's area decides (a lab or sampling team of that commune, or an officer above it)
      const r = await testCertificate(req.body.sampleId, (ids) => ids.find((id) => id === person), async (unitCode) => {
        await access.authorize(user, 'testing.read', { unitCode });
      });
      await recordAudit(db, {
        actor: await auditActor(access, user),
        ip: req.ip,
        at: ctx.config.clock(),
        action: 'certificate.issue_test',
        subjectType: 'certificate',
        subjectId: r.row.id,
        details: { personId: r.row.person_id, created: r.created },
      });
      return reply.code(r.created ? 201 : 200).send(certificateView(r.row));
    },
  );

  app.get(
    '/api/certificates/:id/pdf',
    { config: { permission: 'certificates.read', audit: 'handler' }, schema: { tags, params: CertificateIdParam, querystring: PdfQuery } },
    async (req, reply) => {
      const user = req.user!;
      const row = await staffCertificate(user, req.params.id);
      await recordAudit(db, {
        actor: await auditActor(access, user),
        ip: req.ip,
        at: ctx.config.clock(),
        action: 'certificate.print',
        subjectType: 'certificate',
        subjectId: row.id,
        details: { personId: row.person_id },
      });
      return sendPdf(reply, row, req.query.lang);
    },
  );
}
