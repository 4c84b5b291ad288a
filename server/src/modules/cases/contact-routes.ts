// Contact lists (what CDC staff live in): filters, Excel export, bulk actions, one contact's status.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { addSheet, attachment, workbook, xlsxBuffer, XLSX_TYPE } from '../../platform/http/files';
import type { AuthUser } from '../../platform/auth/service';
import { AppError, badRequest, invalidField, notFound } from '../../platform/http/errors';
import type { AppContext } from '../../platform/module';
import { dayOf, plusDays } from './days';
import { admitToPlace } from './places';
import { contactItems } from './present';
import { ContactBulkBody, ContactListQuery, ContactListResponse, ContactStatus, IdParam } from './schema';
import { routeKit, withPhones } from './scope';
import type { ContactRow } from './tables';
import type { Static } from '@sinclair/typebox';

const tags = ['contacts'];

export async function contactRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, access, now, audit, scopeFor, placeFor, tz } = routeKit(ctx);

  const search = async (user: AuthUser, q: Static<typeof ContactListQuery>, limit: number, offset: number) => {
    const scope = await scopeFor(user, 'cases.read', q.unit);
    let base = db.selectFrom('case_contacts');
    if (scope) base = base.where('unit_code', 'in', scope.length ? scope : ['-']);
    if (q.caseId) base = base.where('case_id', '=', q.caseId);
    if (q.level) base = base.where('level', '=', q.level);
    if (q.status) base = base.where('status', '=', q.status);
    if (q.flagged !== undefined) base = base.where('flagged', '=', q.flagged);
    if (q.maxDaysLeft !== undefined) base = base.where('order_end', '<=', plusDays(dayOf(now(), tz), q.maxDaysLeft));
    if (q.q) {
      const key = q.q.trim().toLowerCase();
      base = base.where((eb) =>
        eb(
          'person_id',
          'in',
          eb
            .selectFrom('persons')
            .select('id')
            .where((p) => p.or([p('name_key', 'like', `%${key.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/[%_\\]/g, '\\$&')}%`), p('phone', 'like', `%${key.replace(/\D/g, '') || '-'}%`)])),
        ),
      );
    }
    const [rows, total] = await Promise.all([
      base.selectAll().orderBy('order_end').orderBy('level').orderBy('id').limit(limit).offset(offset).execute(),
      base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(total.n) };
  };

  app.get('/api/contacts', { config: { audit: 'handler', permission: 'cases.read' }, schema: { tags, querystring: ContactListQuery, response: { 200: ContactListResponse } } }, async (req) => {
    const r = await search(req.user!, req.query, req.query.limit, req.query.offset);
    await audit(req, { action: 'contacts.list', subjectType: 'contacts', details: { unit: req.query.unit ?? null, level: req.query.level ?? null, rows: r.rows.length } });
    return { items: withPhones(req.user!, await contactItems(db, access.resolver, r.rows, tz, now())), total: r.total };
  });

  const ContactExportQuery = Type.Object({ ...ContactListQuery.properties, reason: Type.Optional(Type.String({ maxLength: 300 })) });
  app.get('/api/contacts/export.xlsx', { config: { permission: 'cases.read' }, schema: { tags, querystring: ContactExportQuery } }, async (req, reply) => {
    // full phone numbers (the roles that call people: scope.ts phoneFor) leave only with a reason, in the audit log
    // with the export before a byte is sent, as every export of the check-ins does
    const fullPhones = req.user!.permissions.has('people.contact');
    const reason = req.query.reason?.trim() || null;
    if (fullPhones && (!reason || reason.length < 3))
      throw new AppError(400, 'REASON_REQUIRED', 'query.reason: say why the list is exported (it carries full phone numbers)', [{ path: 'query.reason', message: 'is required (at least 3 characters)' }]);
    const r = await search(req.user!, req.query, 50_000, 0);
    await audit(req, { action: 'contacts.export', subjectType: 'contacts', reason, details: { unit: req.query.unit ?? null, rows: r.rows.length, unmasked: fullPhones ? ['phone'] : [] } });
    const wb = workbook();
    const ws = addSheet(wb, 'F1-F2', [
      { header: 'case_code', key: 'case', width: 14 },
      { header: 'level', key: 'level', width: 6 },
      { header: 'full_name', key: 'name', width: 28 },
      { header: 'phone', key: 'phone', width: 16 },
      { header: 'commune', key: 'unit', width: 24 },
      { header: 'last_exposure', key: 'last', width: 20 },
      { header: 'order', key: 'order', width: 12 },
      { header: 'order_start', key: 'start', width: 12 },
      { header: 'order_end', key: 'end', width: 12 },
      { header: 'days_left', key: 'left', width: 9 },
      { header: 'status', key: 'status', width: 12 },
      { header: 'venues', key: 'venues', width: 40 },
    ], { autoFilter: true });
    for (let i = 0; i < r.rows.length; i += 1000) {
      for (const c of withPhones(req.user!, await contactItems(db, access.resolver, r.rows.slice(i, i + 1000), tz, now())))
        ws.addRow({
          case: c.caseCode,
          level: `F${c.level}`,
          name: c.person.fullName,
          phone: c.person.phone ?? '',
          unit: c.unit?.name ?? '',
          last: c.lastExposureAt ?? '',
          order: c.orderKind,
          start: c.orderStart,
          end: c.orderEnd,
          left: c.daysLeft,
          status: c.status,
          venues: [...new Set(c.exposures.map((e) => e.venue?.code ?? e.kind))].join(', '),
        });
    }
    return attachment(reply, XLSX_TYPE, `contacts-${dayOf(now(), tz)}.xlsx`, await xlsxBuffer(wb));
  });

  /** Contacts the user may change: every id must exist and be inside their jurisdiction. */
  const loadForWrite = async (user: AuthUser, ids: string[]): Promise<ContactRow[]> => {
    const rows = await db.selectFrom('case_contacts').selectAll().where('id', 'in', ids).execute();
    if (rows.length !== new Set(ids).size) throw notFound('Contact');
    for (const r of rows) await access.authorize(user, 'cases.write', { unitCode: r.unit_code });
    return rows;
  };

  const setStatus = async (rows: ContactRow[], status: 'monitoring' | 'completed' | 'lost') => {
    const ids = rows.filter((r) => r.status !== 'became_case').map((r) => r.id);
    if (!ids.length) return 0;
    const t = now();
    const r = await db.updateTable('case_contacts').set({ status, status_changed_at: t, updated_at: t }).where('id', 'in', ids).executeTakeFirst();
    return Number(r.numUpdatedRows);
  };

  app.patch(
    '/api/contacts/:id',
    { config: { audit: 'handler', permission: 'cases.write' }, schema: { tags, params: IdParam, body: Type.Object({ status: ContactStatus }, { additionalProperties: false }), response: { 200: ContactListResponse } } },
    async (req) => {
      const [row] = await loadForWrite(req.user!, [req.params.id]);
      if (req.body.status === 'became_case') throw invalidField('body.status', 'a contact becomes a case by confirming a case for the person');
      if (row!.status === 'became_case') throw badRequest('This contact is a case now');
      await setStatus([row!], req.body.status);
      await audit(req, { action: 'contact.update', subjectType: 'contact', subjectId: row!.id, details: { status: req.body.status } });
      const fresh = await db.selectFrom('case_contacts').selectAll().where('id', '=', row!.id).execute();
      return { items: withPhones(req.user!, await contactItems(db, access.resolver, fresh, tz, now())), total: 1 };
    },
  );

  app.post(
    '/api/contacts/bulk',
    { config: { permission: 'cases.write' }, schema: { tags, body: ContactBulkBody, response: { 200: Type.Object({ changed: Type.Integer() }) } } },
    async (req) => {
      const b = req.body;
      const rows = await loadForWrite(req.user!, b.ids);
      let changed = 0;
      if (b.action === 'place') {
        if (!b.placeId) throw invalidField('body.placeId', 'is required for action "place"');
        await placeFor(req.user!, b.placeId);
        for (const r of rows.filter((x) => x.status === 'monitoring')) {
          await admitToPlace(db, { placeId: b.placeId, personId: r.person_id, contactId: r.id, admittedOn: dayOf(now(), tz), plannedDischargeOn: r.order_end }, 'body.placeId');
          changed++;
        }
      } else changed = await setStatus(rows, b.action === 'complete' ? 'completed' : b.action);
      await audit(req, { action: 'contacts.bulk', subjectType: 'contacts', details: { action: b.action, ids: b.ids.length, changed } });
      return { changed };
    },
  );
}
