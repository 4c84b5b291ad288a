// Uploads (sample lists, lab result files) as raw CSV/XLSX bodies, and their Excel templates.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import ExcelJS from 'exceljs';
import { Type } from '@sinclair/typebox';
import { invalidField } from '../../platform/http/errors';
import type { AppContext } from '../../platform/module';
import { importFileError, readLines } from './lines';
import { importResultLines, RESULT_COLUMNS } from './result-import';
import type { testingKit } from './routes';
import { importSampleLines, SAMPLE_COLUMNS } from './sample-import';
import { ImportResult } from './schema';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const LIMIT = 32 * 1024 * 1024;
const tags = ['testing'];

export const SAMPLE_OPTIONAL = ['person_national_id', 'person_phone', 'site_code'];
export const RESULT_OPTIONAL = ['lab_code'];

export async function templateXlsx(columns: readonly string[], example: (string | null)[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('data');
  ws.addRow([...columns]);
  ws.getRow(1).font = { bold: true };
  for (const row of example) ws.addRow(row);
  columns.forEach((_, i) => (ws.getColumn(i + 1).width = 22));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export async function uploadRoutes(fastify: FastifyInstance, ctx: AppContext, kit: ReturnType<typeof testingKit>) {
  const { access, now, audit } = kit;
  await fastify.register(async (scoped) => {
    for (const type of [XLSX_TYPE, 'application/octet-stream', 'text/csv'])
      if (!scoped.hasContentTypeParser(type)) scoped.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: LIMIT }, (_req, body, done) => done(null, body));
    const app = scoped.withTypeProvider<TypeBoxTypeProvider>();
    const bodyBuffer = (req: FastifyRequest): Buffer => {
      const b = req.body as unknown;
      if (Buffer.isBuffer(b) && b.length) return b;
      if (typeof b === 'string' && b.length) return Buffer.from(b, 'utf8');
      throw invalidField('body', 'send the file as the request body (Content-Type text/csv or the .xlsx type)');
    };
    const FileQuery = Type.Object({ name: Type.Optional(Type.String({ maxLength: 200, pattern: '^[^\\u0000-\\u001f]*$' })) });

    app.post('/api/testing/samples/import', { config: { permission: 'testing.sample' }, bodyLimit: LIMIT, schema: { tags, querystring: FileQuery, response: { 200: ImportResult } } }, async (req) => {
      const user = req.user!;
      try {
        const { lines, unreadable } = await readLines(bodyBuffer(req), SAMPLE_COLUMNS, SAMPLE_OPTIONAL);
        const r = await importSampleLines(ctx, lines, { userId: user.id, now: now(), allowed: (unitCode) => access.can(user, 'testing.sample', { unitCode }) });
        await audit(req, { action: 'testing.samples.import', subjectType: 'samples', details: { total: r.total, imported: r.imported, duplicates: r.duplicates, errors: r.errors.length } });
        return { ...r, total: r.total + unreadable.length, errors: [...unreadable, ...r.errors] };
      } catch (err) {
        throw importFileError(err);
      }
    });

    app.post('/api/testing/results/import', { config: { permission: 'testing.results' }, bodyLimit: LIMIT, schema: { tags, querystring: FileQuery, response: { 200: ImportResult } } }, async (req) => {
      const user = req.user!;
      try {
        const { lines, unreadable } = await readLines(bodyBuffer(req), RESULT_COLUMNS, RESULT_OPTIONAL);
        const r = await importResultLines(ctx, lines, {
          userId: user.id,
          now: now(),
          source: 'upload',
          fileName: req.query.name ?? 'an uploaded file',
          allowed: (unitCode) => access.can(user, 'testing.results', { unitCode }),
        });
        await audit(req, { action: 'testing.results.import', subjectType: 'samples', details: { total: r.total, imported: r.imported, duplicates: r.duplicates, corrected: r.corrected ?? 0, errors: r.errors.length } });
        return { ...r, total: r.total + unreadable.length, errors: [...unreadable, ...r.errors] };
      } catch (err) {
        throw importFileError(err);
      }
    });

    const sendXlsx = (reply: import('fastify').FastifyReply, name: string, buf: Buffer) =>
      reply.header('content-type', XLSX_TYPE).header('content-disposition', `attachment; filename="${name}"`).send(buf);
    app.get('/api/testing/samples/template.xlsx', { config: { permission: 'testing.sample' }, schema: { tags } }, async (_req, reply) =>
      sendXlsx(reply, 'mau-danh-sach-lay-mau.xlsx', await templateXlsx(SAMPLE_COLUMNS, [
        ['T0001', '040090000001', '0912345678', 'Nguyễn Văn An', '2021-08-12T08:30:00+07:00', 'VINH-HB-01', 'rt-pcr'],
        ['T0001', '', '0987654321', 'Trần Thị Bình', '2021-08-12T08:30:00+07:00', 'VINH-HB-01', 'rt-pcr'],
      ])),
    );
    app.get('/api/testing/results/template.xlsx', { config: { permission: 'testing.results' }, schema: { tags } }, async (_req, reply) =>
      sendXlsx(reply, 'mau-ket-qua-xet-nghiem.xlsx', await templateXlsx(RESULT_COLUMNS, [['T0001', 'negative', '2021-08-12T20:00:00+07:00', 'LAB-NA-01']])),
    );
  });
}
