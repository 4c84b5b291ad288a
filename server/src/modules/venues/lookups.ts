// Look-ups, statistics and exports of check-ins, scoped to the caller's jurisdiction or own venues.
import { addSheet } from '../../platform/http/files';
import { PassThrough, Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { DbOrTx } from '../../platform/db/types';
import { localIso } from '../../platform/time';
import type { Access } from '../../platform/auth/access';
import type { AuthUser } from '../../platform/auth/service';
import { AppError, forbidden, invalidField, notFound } from '../../platform/http/errors';
import { exportCheckinsPage, staysOverlapping, type CheckinFilter } from './checkin-reads';
import { findVenue } from './queries';
import type { CheckinListItem, StayState } from './schema';
import { isOwnOnly, venueRights } from './service';
import type { PeoplePort, Unmask } from './people-port';

/** Longest time range of one look-up (the retention is 21 days by default; a generous bound). */
const MAX_RANGE_MS = 93 * 86400_000;

export interface Scope {
  communeCodes: string[] | null;
  venueIds?: string[];
}

/**
 * The filter a user may query: officers with checkins.read → their jurisdiction (optionally narrowed to a commune or
 * venue inside it); venue operators → their own venues only.
 */
export async function checkinScope(db: DbOrTx, access: Access, user: AuthUser, q: { venueId?: string; communeCode?: string }): Promise<Scope> {
  if (q.venueId) {
    const venue = await findVenue(db, q.venueId.toLowerCase());
    if (!venue) throw notFound('Venue');
    const rights = await venueRights(db, access, user, venue);
    if (!rights.readCheckins) throw forbidden('You may not see check-ins of this venue');
    return { communeCodes: null, venueIds: [venue.id] };
  }
  if (isOwnOnly(user) || !user.permissions.has('checkins.read')) {
    if (!user.permissions.has('venues.own')) throw forbidden();
    const own = await db.selectFrom('venue_operators').select('venue_id').where('user_id', '=', user.id).execute();
    return { communeCodes: null, venueIds: own.map((o) => o.venue_id) };
  }
  if (q.communeCode) {
    await access.authorize(user, 'checkins.read', { unitCode: q.communeCode });
    const codes = await access.resolver.subtreeCodes(q.communeCode);
    return { communeCodes: codes ?? [q.communeCode] };
  }
  return { communeCodes: await access.scopeCodes(user) };
}

export function parseRange(from: string, to: string): { from: Date; to: Date } {
  const f = new Date(from);
  const t = new Date(to);
  if (Number.isNaN(f.getTime())) throw invalidField('query.from', 'is not a date-time');
  if (Number.isNaN(t.getTime())) throw invalidField('query.to', 'is not a date-time');
  if (t <= f) throw invalidField('query.to', 'must be after from');
  if (t.getTime() - f.getTime() > MAX_RANGE_MS) throw invalidField('query.to', 'the range may span at most 93 days');
  return { from: f, to: t };
}

type ListedRow = {
  id: string;
  person_id: string;
  venue_id?: string;
  venue_code: string;
  venue_name: string;
  commune_code: string;
  entrance_name: string | null;
  checkin_at: Date;
  checkout_at: Date | null;
  auto_checkout_at: Date;
  source: string;
};

/**
 * Where a stay stands at `now`: ended by a check-out (the button, a gate exit, an import, or the person's next
 * check-in elsewhere), still open (no check-out yet and the automatic one is ahead), or ended automatically after
 * the venue's default stay. Check-ins and check-outs are never in the future, so a recorded end is in the past.
 */
export function stayState(r: { checkout_at: Date | null; auto_checkout_at: Date }, now: Date): StayState {
  if (r.checkout_at) return 'checked_out';
  return r.auto_checkout_at > now ? 'open' : 'auto';
}

export async function toListItems(db: DbOrTx, people: PeoplePort, rows: ListedRow[], now: Date): Promise<CheckinListItem[]> {
  const briefs = await people.briefs(db, [...new Set(rows.map((r) => r.person_id))]);
  return rows.map((r) => {
    const b = briefs.get(r.person_id);
    const state = stayState(r, now);
    return {
      id: String(r.id),
      personId: r.person_id,
      personName: b?.name ?? null,
      personPhone: b?.phone ?? null,
      venue: { id: r.venue_id ?? '', code: r.venue_code, name: r.venue_name, communeCode: r.commune_code },
      entrance: r.entrance_name,
      checkinAt: r.checkin_at.toISOString(),
      checkoutAt: r.checkout_at?.toISOString() ?? null,
      effectiveCheckoutAt: (r.checkout_at ?? r.auto_checkout_at).toISOString(),
      state,
      autoCheckedOut: state === 'auto',
      source: r.source,
    };
  });
}

/** Export columns: a stable machine-readable name and the header in each language. */
const EXPORT_COLUMNS: { key: string; vi: string; en: string; width: number }[] = [
  { key: 'checkin_id', vi: 'Mã lượt check-in', en: 'Check-in ID', width: 14 },
  { key: 'person_id', vi: 'Mã người', en: 'Person ID', width: 38 },
  { key: 'person_name', vi: 'Họ và tên', en: 'Name', width: 28 },
  { key: 'person_phone', vi: 'Số điện thoại', en: 'Phone', width: 16 },
  { key: 'person_national_id', vi: 'Số CCCD/CMND', en: 'National ID', width: 16 },
  { key: 'venue_code', vi: 'Mã địa điểm', en: 'Venue code', width: 14 },
  { key: 'venue_name', vi: 'Tên địa điểm', en: 'Venue', width: 30 },
  { key: 'commune_code', vi: 'Mã xã/phường', en: 'Commune code', width: 12 },
  { key: 'entrance', vi: 'Lối vào', en: 'Entrance', width: 18 },
  { key: 'checkin_at', vi: 'Giờ vào', en: 'Checked in', width: 26 },
  { key: 'checkout_at', vi: 'Giờ ra', en: 'Checked out', width: 26 },
  { key: 'effective_checkout_at', vi: 'Kết thúc lưu lại', en: 'Stay ended', width: 26 },
  { key: 'source', vi: 'Nguồn', en: 'Source', width: 10 },
  { key: 'stay_state', vi: 'Trạng thái', en: 'State', width: 14 },
];

/** Stable column names of the export (`headers=code`). */
export const EXPORT_COLUMN_KEYS = EXPORT_COLUMNS.map((c) => c.key);

const STATE_LABELS: Record<'vi' | 'en', Record<StayState, string>> = {
  vi: { open: 'Đang ở', checked_out: 'Đã ra', auto: 'Tự động ra' },
  en: { open: 'Still there', checked_out: 'Checked out', auto: 'Ended automatically' },
};

/** The look-up filter plus how the file is made. */
export type ExportFilter = Omit<CheckinFilter, 'limit' | 'offset'> & {
  /** the moment the export is made (for each stay's state) */
  now: Date;
  /** the deployment time zone: times are written as local ISO 8601 with its offset */
  timeZone: string;
  headers: 'label' | 'code';
  lang: 'vi' | 'en';
  /** full phone / national ID numbers (for users allowed to see them; the export is audited with its reason) */
  unmask: Unmask;
};

const EXPORT_PAGE = 2000;

/** The rows of an export, page by page (keyset on id): one query for the page and a constant few for its persons. */
async function* exportRows(db: DbOrTx, people: PeoplePort, f: ExportFilter): AsyncGenerator<string[]> {
  let after: string | null = null;
  const t = (d: Date) => localIso(d, f.timeZone);
  for (;;) {
    const page = await exportCheckinsPage(db, f, after, EXPORT_PAGE);
    if (!page.length) return;
    const briefs = await people.briefs(db, [...new Set(page.map((r) => r.person_id))], f.unmask);
    for (const r of page) {
      const b = briefs.get(r.person_id);
      const state = stayState(r, f.now);
      yield [
        String(r.id),
        r.person_id,
        b?.name ?? '',
        b?.phone ?? '',
        b?.nationalId ?? '',
        r.venue_code,
        r.venue_name,
        r.commune_code,
        r.entrance_name ?? '',
        t(r.checkin_at),
        r.checkout_at ? t(r.checkout_at) : '',
        t(r.checkout_at ?? r.auto_checkout_at),
        r.source,
        f.headers === 'code' ? state : STATE_LABELS[f.lang][state],
      ];
    }
    after = String(page[page.length - 1]!.id);
    if (page.length < EXPORT_PAGE) return;
  }
}

const headerRow = (f: ExportFilter) => EXPORT_COLUMNS.map((c) => (f.headers === 'code' ? c.key : c[f.lang]));

const csvCell = (s: string) => {
  // Neutralise spreadsheet formulas (CSV injection) and quote when needed; a bare E.164 phone number is no formula.
  const safe = /^[=+\-@\t\r]/.test(s) && !/^\+[0-9]{6,15}$/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/** The CSV (UTF-8 with BOM, CRLF) as a stream: a page of rows at a time, never the whole file in memory. */
export function exportCsv(db: DbOrTx, people: PeoplePort, f: ExportFilter): Readable {
  async function* lines() {
    yield '\uFEFF' + headerRow(f).map(csvCell).join(',') + '\r\n';
    let chunk: string[] = [];
    for await (const row of exportRows(db, people, f)) {
      chunk.push(row.map(csvCell).join(',') + '\r\n');
      if (chunk.length >= 500) {
        yield chunk.join('');
        chunk = [];
      }
    }
    if (chunk.length) yield chunk.join('');
  }
  return Readable.from(lines(), { objectMode: false });
}

/** The workbook as a stream (exceljs' streaming writer: rows are committed as they are written). */
export function exportXlsx(db: DbOrTx, people: PeoplePort, f: ExportFilter): Readable {
  const out = new PassThrough();
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = 'Vigil';
  const ws = addSheet(wb, 'checkins', EXPORT_COLUMNS.map((c, i) => ({ header: headerRow(f)[i]!, key: c.key, width: c.width })), { autoFilter: true });
  void (async () => {
    try {
      ws.getRow(1).commit();
      for await (const row of exportRows(db, people, f)) ws.addRow(row).commit();
      ws.commit();
      await wb.commit();
    } catch (err) {
      out.destroy(err as Error);
    }
  })();
  return out;
}

/** Rows an export will hold (for the audit row written before the file is sent). */
export async function exportRowCount(db: DbOrTx, f: Omit<CheckinFilter, 'limit' | 'offset'>): Promise<number> {
  const r = await staysOverlapping(db, f).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The persons a look-up is about: `personId` (a record id, e.g. from the person page; a merged id is followed) or
 * `person` (a phone number, CCCD/CMND or name as typed). Undefined = everyone. `kind` says how `person` was read
 * (for the audit row; the typed value itself is personal data and is not logged).
 */
export async function personFilter(
  db: DbOrTx,
  people: PeoplePort,
  q: { personId?: string; person?: string },
): Promise<{ personIds?: string[]; kind?: string }> {
  if (q.personId !== undefined && q.person !== undefined) throw invalidField('query.person', 'give either personId or person, not both');
  if (q.personId !== undefined) {
    if (!UUID_RE.test(q.personId.trim()))
      throw new AppError(400, 'PERSON_ID_INVALID', 'query.personId: is not a person id; to find a person by phone, ID number or name use the `person` parameter', [
        { path: 'query.personId', message: 'is not a person id (use `person` for a phone, ID number or name)' },
      ]);
    const live = await people.resolveLiveId(db, q.personId.trim().toLowerCase());
    return { personIds: [live ?? q.personId.trim().toLowerCase()], kind: 'id' };
  }
  if (q.person !== undefined) {
    const found = await people.match(db, q.person);
    if (!found)
      throw new AppError(400, 'PERSON_QUERY_INVALID', 'query.person: type a phone number, a CCCD/CMND number or a name', [
        { path: 'query.person', message: 'is not a phone number, ID number or name' },
      ]);
    // a common name part ("nguyen") names thousands: say so rather than show an arbitrary part of them
    if (found.total > found.ids.length)
      throw new AppError(400, 'PERSON_QUERY_TOO_BROAD', `query.person: ${found.total} people match; type more of the name, or a phone or ID number`, [
        { path: 'query.person', message: `matches ${found.total} people` },
      ]);
    return { personIds: found.ids, kind: found.kind };
  }
  return {};
}
