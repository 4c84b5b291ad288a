// Look-ups, statistics and exports of check-ins, scoped to the caller's jurisdiction or own venues.
import ExcelJS from 'exceljs';
import type { DbOrTx } from '../../platform/db/types';
import type { Access } from '../../platform/auth/access';
import type { AuthUser } from '../../platform/auth/service';
import { forbidden, invalidField, notFound } from '../../platform/http/errors';
import { exportCheckinsPage, findVenue, type CheckinFilter } from './queries';
import type { CheckinListItem, StayState } from './schema';
import { isOwnOnly, venueRights } from './service';
import type { PeoplePort } from './people-port';

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

const EXPORT_HEADER = [
  'checkin_id',
  'person_id',
  'person_name',
  'person_phone',
  'person_national_id',
  'venue_code',
  'venue_name',
  'commune_code',
  'entrance',
  'checkin_at',
  'checkout_at',
  'effective_checkout_at',
  'source',
  'stay_state',
];

/** The look-up filter plus the moment the export is made (for each stay's state). */
export type ExportFilter = Omit<CheckinFilter, 'limit' | 'offset'> & { now: Date };

async function* exportRows(db: DbOrTx, people: PeoplePort, f: ExportFilter) {
  let after: string | null = null;
  for (;;) {
    const page = await exportCheckinsPage(db, f, after, 2000);
    if (!page.length) return;
    const briefs = await people.briefs(db, [...new Set(page.map((r) => r.person_id))]);
    for (const r of page) {
      const b = briefs.get(r.person_id);
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
        r.checkin_at.toISOString(),
        r.checkout_at?.toISOString() ?? '',
        (r.checkout_at ?? r.auto_checkout_at).toISOString(),
        r.source,
        stayState(r, f.now),
      ];
    }
    after = String(page[page.length - 1]!.id);
    if (page.length < 2000) return;
  }
}

const csvCell = (s: string) => {
  // Neutralise spreadsheet formulas (CSV injection) and quote when needed.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

export async function exportCsv(db: DbOrTx, people: PeoplePort, f: ExportFilter): Promise<{ body: Buffer; rows: number }> {
  const parts: string[] = ['\uFEFF' + EXPORT_HEADER.join(',')];
  let n = 0;
  for await (const row of exportRows(db, people, f)) {
    parts.push(row.map(csvCell).join(','));
    n++;
  }
  return { body: Buffer.from(parts.join('\r\n') + '\r\n', 'utf8'), rows: n };
}

export async function exportXlsx(db: DbOrTx, people: PeoplePort, f: ExportFilter): Promise<{ body: Buffer; rows: number }> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Vigil';
  const ws = wb.addWorksheet('checkins');
  ws.columns = EXPORT_HEADER.map((h) => ({ header: h, key: h, width: h.includes('_at') ? 26 : h.includes('name') ? 30 : 16 }));
  ws.getRow(1).font = { bold: true };
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  let n = 0;
  for await (const row of exportRows(db, people, f)) {
    ws.addRow(row);
    n++;
  }
  ws.autoFilter = { from: 'A1', to: { row: 1, column: EXPORT_HEADER.length } };
  return { body: Buffer.from(await wb.xlsx.writeBuffer()), rows: n };
}
