// Files over HTTP, shared by every module: Excel/CSV uploads as raw bodies, downloads with a safe file name, and
// the one way Vigil lays out a sheet (bold header row, frozen, column widths) for exports and templates.
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import ExcelJS from 'exceljs';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** In an encapsulated context: .xlsx, CSV and octet-stream bodies arrive as Buffers of at most `bodyLimit` bytes. */
export function acceptUploads(scoped: FastifyInstance, bodyLimit = 16 * 1024 * 1024) {
  for (const type of [XLSX_TYPE, 'text/csv', 'application/octet-stream'])
    if (!scoped.hasContentTypeParser(type)) scoped.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit }, (_req, body, done) => done(null, body));
}

/** Sends `body` as a download (ASCII name plus the UTF-8 one; never cached). */
export function attachment(reply: FastifyReply, type: string, filename: string, body: Buffer | Readable) {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/"/g, '');
  reply.header('content-type', type);
  reply.header('content-disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`);
  reply.header('cache-control', 'no-store');
  return reply.send(body);
}

export interface SheetColumn {
  header: string;
  key: string;
  width: number;
}

type AnyWorkbook = ExcelJS.Workbook | ExcelJS.stream.xlsx.WorkbookWriter;

/** A workbook made by Vigil. */
export function workbook(): ExcelJS.Workbook {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Vigil';
  return wb;
}

/** A sheet with its columns, a bold header row kept in view, and (optionally) the header's filter buttons. */
export function addSheet(wb: AnyWorkbook, name: string, columns: SheetColumn[], o: { autoFilter?: boolean } = {}): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = columns;
  ws.getRow(1).font = { bold: true };
  if (o.autoFilter) ws.autoFilter = { from: 'A1', to: { row: 1, column: columns.length } };
  return ws;
}

export const xlsxBuffer = async (wb: ExcelJS.Workbook) => Buffer.from(await wb.xlsx.writeBuffer());
