/**
 * Bulk imports: venues (CSV or Excel, also the downloadable template) and historical check-ins (CSV/Excel).
 * The same code serves the HTTP upload and the CLI (`vigil import venues|checkins <file>`).
 *
 * Policy for both: every line is checked; valid lines are imported, each bad line is reported with its line number
 * and column, and nothing else is affected. Re-running a file is safe: venues with an existing code and check-ins
 * already imported (same person, venue and time → same derived client id) are reported as duplicates, not doubled.
 */
import { addSheet, workbook } from '../../platform/http/files';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import type { Db } from '../../platform/db/types';
import { AppError } from '../../platform/http/errors';
import { retentionCutoff } from '../../platform/purge';
import { insertCheckins, type NewCheckin } from './checkin-insert';
import { existingVenueCodes, MAX_STAY_MS, venueIdsByCodes } from './queries';
import { VENUE_TYPES, type ImportLineError, type ImportResult } from './schema';
import { DEFAULT_ENTRANCE_NAME, generateVenueCode } from './service';
import type { PeoplePort } from './people-port';

export const VENUE_COLUMNS = ['code', 'name', 'type', 'commune_code', 'address', 'default_stay_minutes'] as const;
export const CHECKIN_COLUMNS = ['person_national_id', 'person_phone', 'person_name', 'venue_code', 'checkin_at', 'checkout_at'] as const;
const MAX_LISTED_ERRORS = 1000;
const MAX_ROWS = 200_000;

export class ImportFileError extends Error {}

export interface Progress {
  onProgress?: (done: number, total: number) => void;
}

interface Table {
  rows: { line: number; values: Record<string, string> }[];
  /** CSV lines that cannot be read (e.g. an unclosed quote): reported, the other lines are imported */
  unreadable: { line: number; message: string }[];
}

const XLSX_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/** CSV (comma or semicolon, UTF-8 with or without BOM) or .xlsx (first sheet), first row = column names. */
export async function readTable(data: Buffer, required: readonly string[], optional: readonly string[] = []): Promise<Table> {
  let matrix: string[][];
  let lineOf: (i: number) => number = (i) => i + 1;
  const unreadable: Table['unreadable'] = [];
  if (data.subarray(0, 4).equals(XLSX_MAGIC)) {
    const wb = new ExcelJS.Workbook();
    try {
      await wb.xlsx.load(data as unknown as ArrayBuffer);
    } catch {
      throw new ImportFileError('The file is not a readable .xlsx workbook');
    }
    const ws = wb.worksheets[0];
    if (!ws) throw new ImportFileError('The workbook has no sheet');
    matrix = [];
    const lines: number[] = [];
    ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
      const values: string[] = [];
      for (let c = 1; c <= Math.max(row.cellCount, required.length + optional.length); c++) values.push(cellText(row.getCell(c).value));
      matrix.push(values);
      lines.push(rowNumber);
    });
    lineOf = (i) => lines[i] ?? i + 1;
  } else {
    const text = data.toString('utf8').replace(/^\uFEFF/, '');
    const firstLine = text.slice(0, text.indexOf('\n') >>> 0);
    const delimiter = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
    const opts = { delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: false, trim: true, bom: true };
    try {
      matrix = parseCsv(text, opts) as string[][];
    } catch {
      // Some line cannot be read (typically an unclosed quote, which swallows the rest of the file). Our columns
      // never hold line breaks, so read line by line: each bad line is reported and the others are imported.
      matrix = [];
      const lines: number[] = [];
      text.split(/\r?\n/).forEach((raw, i) => {
        if (!raw.trim()) return;
        try {
          const [cells] = parseCsv(raw, opts) as string[][];
          matrix.push(cells ?? []);
          lines.push(i + 1);
        } catch (err) {
          if (i === 0) throw new ImportFileError(`The CSV header cannot be read: ${(err as Error).message}`);
          unreadable.push({ line: i + 1, message: `cannot be read as CSV (${(err as { code?: string }).code ?? 'error'}); check its quotes` });
        }
      });
      lineOf = (i) => lines[i] ?? i + 1;
    }
  }
  const header = (matrix[0] ?? []).map((h) => h.trim().toLowerCase().replace(/\s+/g, '_'));
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length) throw new ImportFileError(`Missing column(s): ${missing.join(', ')} (expected ${[...required, ...optional].join(',')})`);
  if (matrix.length - 1 > MAX_ROWS) throw new ImportFileError(`Too many rows (${matrix.length - 1}); split the file into parts of at most ${MAX_ROWS}`);
  const rows: Table['rows'] = [];
  for (let i = 1; i < matrix.length; i++) {
    const cells = matrix[i]!;
    if (cells.every((c) => !c?.trim())) continue;
    const values: Record<string, string> = {};
    header.forEach((h, j) => (values[h] = (cells[j] ?? '').trim()));
    rows.push({ line: lineOf(i), values });
  }
  return { rows, unreadable };
}

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') {
    if ('text' in v && typeof v.text === 'string') return v.text;
    if ('result' in v) return cellText(v.result as ExcelJS.CellValue);
    if ('richText' in v) return v.richText.map((r) => r.text).join('');
    return '';
  }
  return String(v);
}

class Errors {
  list: ImportLineError[] = [];
  count = 0;
  lines = new Set<number>();
  add(line: number, column: string, message: string) {
    this.count++;
    this.lines.add(line);
    if (this.list.length < MAX_LISTED_ERRORS) this.list.push({ line, path: column, message });
  }
}

// ── venues ─────────────────────────────────────────────────────────────────

export interface VenueImportOptions extends Progress {
  /** 'approved' for officers who may approve and for the CLI; 'pending' for operators. */
  status?: 'approved' | 'pending';
  createdBy?: string | null;
  /** Link each venue to this operator. */
  operatorUserId?: string | null;
  /** Commune codes the importer may register venues in (null = anywhere). */
  allowedCommunes?: Set<string> | null;
}

export async function importVenuesData(db: Db, data: Buffer, opts: VenueImportOptions = {}): Promise<ImportResult> {
  const { rows, unreadable } = await readTable(data, ['name', 'type', 'commune_code'], ['code', 'address', 'default_stay_minutes']);
  const errors = new Errors();
  for (const u of unreadable) errors.add(u.line, 'line', u.message);
  const communes = new Map(
    (
      await db
        .selectFrom('admin_units')
        .select(['code', 'level', 'path'])
        .where('code', 'in', [...new Set(rows.map((r) => r.values.commune_code!).filter(Boolean))].concat(['']))
        .execute()
    ).map((u) => [u.code, u]),
  );
  const codes = rows.map((r) => r.values.code).filter((c): c is string => !!c);
  const taken = await existingVenueCodes(db, codes);
  const inFile = new Set<string>();
  let duplicates = 0;
  const valid: { line: number; code: string; name: string; type: string; commune: string; address: string; stay: number }[] = [];
  for (const { line, values: v } of rows) {
    const before = errors.count;
    const code = v.code ?? '';
    if (code && !/^[A-Za-z0-9._-]{1,40}$/.test(code)) errors.add(line, 'code', 'must be 1–40 letters, digits or . _ -');
    if (code && inFile.has(code.toLowerCase())) errors.add(line, 'code', `"${code}" appears twice in the file`);
    if (!v.name) errors.add(line, 'name', 'is required');
    else if (v.name.length > 200) errors.add(line, 'name', 'is longer than 200 characters');
    const type = (v.type ?? '').toLowerCase();
    if (!(VENUE_TYPES as readonly string[]).includes(type)) errors.add(line, 'type', `must be one of ${VENUE_TYPES.join(', ')}`);
    const u = communes.get(v.commune_code ?? '');
    if (!v.commune_code) errors.add(line, 'commune_code', 'is required');
    else if (!u) errors.add(line, 'commune_code', `unknown administrative unit "${v.commune_code}"`);
    else if (u.level !== 'commune') errors.add(line, 'commune_code', `"${v.commune_code}" is a ${u.level}, not a commune`);
    else if (opts.allowedCommunes && !opts.allowedCommunes.has(u.code)) errors.add(line, 'commune_code', 'is outside your jurisdiction');
    let stay = 60;
    if (v.default_stay_minutes) {
      stay = Number(v.default_stay_minutes);
      if (!Number.isInteger(stay) || stay < 5 || stay > 720) errors.add(line, 'default_stay_minutes', 'must be a whole number of minutes from 5 to 720');
    }
    if ((v.address ?? '').length > 300) errors.add(line, 'address', 'is longer than 300 characters');
    if (errors.count > before) continue;
    if (code) inFile.add(code.toLowerCase());
    if (code && taken.has(code.toLowerCase())) {
      duplicates++;
      continue;
    }
    valid.push({ line, code: code || generateVenueCode(u!.path), name: v.name!, type, commune: v.commune_code!, address: v.address ?? '', stay });
  }
  let imported = 0;
  const CHUNK = 500;
  for (let i = 0; i < valid.length; i += CHUNK) {
    const chunk = valid.slice(i, i + CHUNK);
    await db.transaction().execute(async (tx) => {
      const inserted = await tx
        .insertInto('venues')
        .values(
          chunk.map((r) => ({
            code: r.code,
            name: r.name,
            type: r.type,
            commune_code: r.commune,
            address: r.address,
            default_stay_minutes: r.stay,
            status: opts.status ?? 'approved',
            status_changed_at: opts.status === 'pending' ? null : new Date(),
            created_by: opts.createdBy ?? null,
            contact_name: null,
            contact_phone: null,
            valid_from: null,
            valid_until: null,
            status_reason: null,
            status_changed_by: null,
          })),
        )
        .onConflict((oc) => oc.doNothing())
        .returning(['id'])
        .execute();
      if (inserted.length) {
        await tx.insertInto('venue_entrances').values(inserted.map((v) => ({ venue_id: v.id, name: DEFAULT_ENTRANCE_NAME }))).execute();
        if (opts.operatorUserId)
          await tx.insertInto('venue_operators').values(inserted.map((v) => ({ venue_id: v.id, user_id: opts.operatorUserId! }))).execute();
      }
      imported += inserted.length;
      duplicates += chunk.length - inserted.length; // a code taken concurrently
    });
    opts.onProgress?.(Math.min(i + CHUNK, valid.length), valid.length);
  }
  if (!valid.length) opts.onProgress?.(0, 0);
  return { total: rows.length + unreadable.length, imported, duplicates, errors: errors.list.sort((a, b) => a.line - b.line), errorsTruncated: errors.count > errors.list.length };
}

/** For the CLI: `vigil import venues <file.csv|.xlsx>` (venues are registered approved, no operator). */
export async function importVenuesFile(db: Db, file: string, opts: VenueImportOptions = {}): Promise<ImportResult> {
  return importVenuesData(db, await readImportFile(file), { status: 'approved', ...opts });
}

async function readImportFile(file: string): Promise<Buffer> {
  const ext = path.extname(file).toLowerCase();
  if (!['.csv', '.xlsx', '.txt'].includes(ext)) throw new ImportFileError(`Expected a .csv or .xlsx file, got "${path.basename(file)}"`);
  try {
    return await fs.readFile(file);
  } catch (err) {
    throw new ImportFileError(`Cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** The Excel template for bulk venue registration: the columns, a type drop-down, an example row, help. */
export async function venueTemplateXlsx(exampleCommune = ''): Promise<Buffer> {
  const wb = workbook();
  const ws = addSheet(wb, 'venues', [
    { header: 'code', key: 'code', width: 16 },
    { header: 'name', key: 'name', width: 40 },
    { header: 'type', key: 'type', width: 16 },
    { header: 'commune_code', key: 'commune_code', width: 15 },
    { header: 'address', key: 'address', width: 50 },
    { header: 'default_stay_minutes', key: 'default_stay_minutes', width: 22 },
  ]);
  const types = wb.addWorksheet('types');
  VENUE_TYPES.forEach((t, i) => (types.getCell(`A${i + 1}`).value = t));
  types.state = 'hidden';
  for (let r = 2; r <= 5001; r++) {
    ws.getCell(`C${r}`).dataValidation = {
      type: 'list',
      allowBlank: false,
      formulae: [`types!$A$1:$A$${VENUE_TYPES.length}`],
      showErrorMessage: true,
      errorTitle: 'type',
      error: `Chọn một loại: ${VENUE_TYPES.join(', ')}`,
    };
    ws.getCell(`F${r}`).dataValidation = { type: 'whole', operator: 'between', allowBlank: true, formulae: [5, 720], showErrorMessage: true, error: '5–720' };
  }
  const help = wb.addWorksheet('hướng dẫn');
  help.columns = [{ width: 24 }, { width: 90 }];
  [
    ['code', 'Mã địa điểm (tuỳ chọn, duy nhất). Để trống để hệ thống tự tạo. / Venue code (optional, unique).'],
    ['name', 'Tên địa điểm (bắt buộc). / Venue name (required).'],
    ['type', `Loại: ${VENUE_TYPES.join(', ')}`],
    ['commune_code', 'Mã xã/phường (mã GSO, bắt buộc). / Commune code (GSO, required).'],
    ['address', 'Địa chỉ. / Street address.'],
    ['default_stay_minutes', 'Thời gian lưu lại mặc định, phút (5–720, mặc định 60). / Default stay in minutes.'],
  ].forEach((r) => help.addRow(r));
  help.addRow([]);
  help.addRow(['Ví dụ / Example', `code: (trống) · name: Chợ Vinh · type: market · commune_code: ${exampleCommune || '<mã xã>'} · address: Số 1 Cao Thắng · default_stay_minutes: 60`]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

// ── check-ins ──────────────────────────────────────────────────────────────

export interface CheckinImportContext {
  clock: () => Date;
  retentionDays: number;
  people: PeoplePort;
  recordedBy?: string | null;
  /** Communes the importing officer may write check-ins for (null: anywhere, e.g. the CLI or a national officer). */
  allowedCommunes?: Set<string> | null;
}

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Deterministic client id for an imported line, so importing the same file twice does not double count. */
export function importClientId(personKey: string, venueCode: string, checkinAt: Date): string {
  const h = crypto.createHash('sha256').update(`import|${personKey}|${venueCode.toLowerCase()}|${checkinAt.toISOString()}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export async function importCheckinsData(db: Db, ictx: CheckinImportContext, data: Buffer, opts: Progress = {}): Promise<ImportResult> {
  const { rows, unreadable } = await readTable(data, ['venue_code', 'checkin_at'], ['person_national_id', 'person_phone', 'person_name', 'checkout_at']);
  const errors = new Errors();
  for (const u of unreadable) errors.add(u.line, 'line', u.message);
  const now = ictx.clock();
  const oldest = retentionCutoff(now, ictx.retentionDays).getTime();
  const venues = await venueIdsByCodes(db, [...new Set(rows.map((r) => r.values.venue_code!).filter(Boolean))]);
  const pending: NewCheckin[] = [];
  let imported = 0;
  let duplicates = 0;
  let done = 0;
  const flush = async () => {
    if (!pending.length) return;
    const batch = pending.splice(0);
    const written = await insertCheckins(db, batch);
    imported += written.filter((w) => w.id !== null).length;
    duplicates += written.filter((w) => w.known && w.id === null).length;
  };
  const personCache = new Map<string, string>();
  for (const { line, values: v } of rows) {
    const before = errors.count;
    const nationalId = v.person_national_id ?? '';
    const rawPhone = v.person_phone ?? '';
    const name = (v.person_name ?? '').replace(/\s+/g, ' ').trim();
    if (nationalId && !/^(\d{9}|\d{12})$/.test(nationalId)) errors.add(line, 'person_national_id', 'must be 9 or 12 digits');
    const phone = rawPhone ? ictx.people.normalizePhone(rawPhone) : null;
    if (rawPhone && !phone) errors.add(line, 'person_phone', `"${rawPhone}" is not a valid phone number`);
    if (!nationalId && !rawPhone) errors.add(line, 'person_phone', 'give person_national_id or person_phone');
    const venue = venues.get((v.venue_code ?? '').toLowerCase());
    if (!v.venue_code) errors.add(line, 'venue_code', 'is required');
    else if (!venue) errors.add(line, 'venue_code', `unknown venue "${v.venue_code}"`);
    else if (ictx.allowedCommunes && !ictx.allowedCommunes.has(venue.commune_code)) errors.add(line, 'venue_code', `venue "${v.venue_code}" is outside your jurisdiction`);
    let checkin: Date | null = null;
    if (!ISO_WITH_OFFSET.test(v.checkin_at ?? '')) errors.add(line, 'checkin_at', 'must be ISO 8601 with an offset, e.g. 2021-08-01T08:30:00+07:00');
    else {
      checkin = new Date(v.checkin_at!);
      if (Number.isNaN(checkin.getTime())) errors.add(line, 'checkin_at', 'is not a valid date-time');
      else if (checkin.getTime() > now.getTime() + 60_000) errors.add(line, 'checkin_at', 'is in the future');
      else if (checkin.getTime() < oldest) errors.add(line, 'checkin_at', `is older than the ${ictx.retentionDays}-day retention`);
    }
    let checkout: Date | null = null;
    if (v.checkout_at) {
      if (!ISO_WITH_OFFSET.test(v.checkout_at)) errors.add(line, 'checkout_at', 'must be empty or ISO 8601 with an offset');
      else {
        checkout = new Date(v.checkout_at);
        if (Number.isNaN(checkout.getTime())) errors.add(line, 'checkout_at', 'is not a valid date-time');
        else if (checkin && checkout < checkin) errors.add(line, 'checkout_at', 'is before checkin_at');
        else if (checkin && checkout.getTime() - checkin.getTime() > MAX_STAY_MS) errors.add(line, 'checkout_at', 'makes a stay longer than 12 hours');
        else if (checkout.getTime() > now.getTime() + 60_000) errors.add(line, 'checkout_at', 'is in the future');
      }
    }
    if (errors.count > before) continue;
    if (!name) {
      errors.add(line, 'person_name', 'is required');
      continue;
    }
    const personKey = nationalId || phone!;
    const cacheKey = `${nationalId}|${phone ?? ''}|${name.toLowerCase()}`;
    let personId = personCache.get(cacheKey);
    if (!personId) {
      try {
        personId = (
          await ictx.people.findOrCreate(
            db,
            { fullName: name, phone, birthYear: null, communeCode: venue!.commune_code, nationalId: nationalId || undefined },
            { prefix: 'person', source: 'import', now },
          )
        ).id;
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        for (const d of err.details ?? [{ path: 'person', message: err.message }]) {
          const field = d.path.replace(/^person\./, '');
          const col = field === 'nationalId' ? 'person_national_id' : field === 'phone' ? 'person_phone' : field === 'fullName' ? 'person_name' : field;
          errors.add(line, col, d.message);
        }
        continue;
      }
      personCache.set(cacheKey, personId);
    }
    const stay = Math.min(venue!.default_stay_minutes, 720) * 60_000;
    const auto = new Date(checkin!.getTime() + stay);
    pending.push({
      clientId: importClientId(personKey, v.venue_code!, checkin!),
      personId,
      venueId: venue!.id,
      entranceId: null,
      checkinAt: checkin!,
      autoCheckoutAt: auto,
      checkoutAt: checkout,
      source: 'import',
      recordedBy: ictx.recordedBy ?? null,
    });
    if (pending.length >= 1000) await flush();
    done++;
    if (done % 500 === 0) opts.onProgress?.(done + errors.lines.size, rows.length);
  }
  await flush();
  opts.onProgress?.(rows.length, rows.length);
  return { total: rows.length + unreadable.length, imported, duplicates, errors: errors.list.sort((a, b) => a.line - b.line), errorsTruncated: errors.count > errors.list.length };
}

/** For the CLI: `vigil import checkins <file.csv>`. `ctx` is the app context (app.vigil). */
export async function importCheckinsFileWith(db: Db, ictx: CheckinImportContext, file: string, opts: Progress = {}) {
  return importCheckinsData(db, ictx, await readImportFile(file), opts);
}
