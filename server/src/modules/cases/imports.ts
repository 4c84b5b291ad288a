// F1/F2 lists from Excel/CSV (`vigil import contacts <file>` and the contacts page): columns full_name, phone,
// national_id, address, relation, last_exposure_date, case_code (+ optional commune_code, level). Each line is
// checked; good lines become contacts, bad lines are reported with line and column; a line naming someone the
// registry cannot tell apart (same phone, other name; several people) goes to a review list. Re-importing the same
// file adds nothing twice (same case, person, relation and date = the same exposure; the same review line once).
import { addSheet, workbook, xlsxBuffer } from '../../platform/http/files';
import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Db, DbOrTx } from '../../platform/db/types';
import type { SubtreeResolver } from '../../platform/auth/access';
import { findOrCreatePerson, nationalIdProblem, normalizeName, normalizePhone, registryHoldersOfNationalId } from '../people';
import { readTable } from '../venues';
import { dayOf, dayStart, plusDays } from './days';
import { upsertContacts, type CaseSettings, type ContactInput } from './service';

export const CONTACT_COLUMNS = ['full_name', 'phone', 'national_id', 'address', 'relation', 'last_exposure_date', 'case_code'] as const;
export const CONTACT_OPTIONAL = ['commune_code', 'level'] as const;
const RELATIONS = ['household', 'workplace', 'travel', 'other'] as const;
/** Vietnamese words officers type for the relation, mapped to ours. */
const RELATION_WORDS: Record<string, (typeof RELATIONS)[number]> = {
  'gia dinh': 'household', 'cung ho': 'household', 'ho gia dinh': 'household', 'cung nha': 'household',
  'dong nghiep': 'workplace', 'noi lam viec': 'workplace', 'co quan': 'workplace',
  'di cung': 'travel', 'cung chuyen': 'travel', 'di lai': 'travel',
  khac: 'other',
};

export interface ContactImportResult {
  total: number;
  imported: number;
  duplicates: number;
  review: number;
  errors: { line: number; path: string; message: string }[];
}

export interface ContactImportOptions {
  resolver: SubtreeResolver;
  settings: CaseSettings;
  now: Date;
  /** commune codes the importer may add contacts for / cases they may touch (null = anywhere) */
  scope: Set<string> | null;
  userId: string | null;
}

function parseDay(raw: string): string | null {
  const s = raw.trim();
  let day: string | null = null;
  let m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s);
  if (m) day = `${m[1]}-${m[2]}-${m[3]}`;
  m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(s); // 15/08/2021 as written in Vietnam
  if (m) day = `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}`;
  // a real calendar day (not 2021-13-45 or 31/02/2021)
  const t = day ? Date.parse(`${day}T12:00:00Z`) : NaN;
  return day && !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === day ? day : null;
}

const plain = (s: string) => s.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').trim();

export async function importContacts(db: Db, data: Buffer, o: ContactImportOptions): Promise<ContactImportResult> {
  const table = await readTable(data, CONTACT_COLUMNS, CONTACT_OPTIONAL);
  const r: ContactImportResult = { total: table.rows.length + table.unreadable.length, imported: 0, duplicates: 0, review: 0, errors: [] };
  const err = (line: number, path: string, message: string) => r.errors.push({ line, path, message });
  for (const u of table.unreadable) err(u.line, 'line', u.message);
  const today = dayOf(o.now, o.settings.timeZone);
  const cases = new Map<string, Awaited<ReturnType<typeof loadCase>>>();
  const loadCase = (code: string) => db.selectFrom('cases').selectAll().where(sql`lower(code)`, '=', code.toLowerCase()).executeTakeFirst();

  for (const { line, values: v } of table.rows) {
    const before = r.errors.length;
    const code = v.case_code ?? '';
    if (!cases.has(code)) cases.set(code, code ? await loadCase(code) : undefined);
    const c = cases.get(code);
    if (!code) err(line, 'case_code', 'is required');
    else if (!c) err(line, 'case_code', `no case "${code}"`);
    else if (o.scope && !o.scope.has(c.commune_code)) err(line, 'case_code', `case ${c.code} is outside your jurisdiction`);
    const name = (v.full_name ?? '').trim();
    if (!name) err(line, 'full_name', 'is required');
    else if (name.length > 200) err(line, 'full_name', 'is longer than 200 characters');
    const phone = v.phone ? normalizePhone(v.phone) : null;
    if (v.phone && !phone) err(line, 'phone', `"${v.phone}" is not a phone number`);
    const nid = v.national_id?.replace(/\s/g, '') || null;
    const nidProblem = nid ? nationalIdProblem(nid) : null;
    if (nidProblem) err(line, 'national_id', nidProblem);
    if (!phone && !nid && !v.phone && !v.national_id) err(line, 'phone', 'give a phone or a national ID, so the person can be reached and found again');
    const relRaw = plain(v.relation ?? '');
    const relation = (RELATIONS as readonly string[]).includes(relRaw) ? (relRaw as (typeof RELATIONS)[number]) : (RELATION_WORDS[relRaw] ?? (relRaw ? null : 'other'));
    if (!relation) err(line, 'relation', `"${v.relation}" is not one of ${RELATIONS.join(', ')}`);
    const day = parseDay(v.last_exposure_date ?? '');
    if (!day) err(line, 'last_exposure_date', v.last_exposure_date ? `"${v.last_exposure_date}" is not a date (YYYY-MM-DD or DD/MM/YYYY)` : 'is required');
    else if (day > today) err(line, 'last_exposure_date', 'is in the future');
    const level = v.level ? Number(v.level.replace(/^f/i, '')) : 1;
    if (!Number.isInteger(level) || level < 1 || level > 5) err(line, 'level', `"${v.level}" is not a level (1 = F1, 2 = F2)`);
    const commune = v.commune_code || null;
    if (commune && !(await o.resolver.unit(commune))) err(line, 'commune_code', `"${commune}" is not a known administrative unit`);
    if (r.errors.length > before || !c) continue;

    // match the person: national ID first, then phone + name; anything unclear goes to review
    let personId: string | null = null;
    let reviewReason: string | null = null;
    let candidates: string[] = [];
    const key = normalizeName(name);
    // a record a citizen typed in is never matched nor offered for review (people's staffMayMatch: anyone can type a
    // neighbour's ID number or phone into their household and would then receive the neighbour's order and calls)
    if (nid) personId = (await registryHoldersOfNationalId(db, nid))[0] ?? null;
    if (!personId && phone) {
      const byPhone = await db
        .selectFrom('persons')
        .select(['id', 'name_key', 'national_id'])
        .where('phone', '=', phone)
        .where('merged_into', 'is', null)
        .where('source', '<>', 'citizen')
        .execute();
      const sameName = byPhone.filter((p) => p.name_key === key && !(nid && p.national_id && p.national_id !== nid));
      if (sameName.length === 1) personId = sameName[0]!.id;
      else if (sameName.length > 1) {
        reviewReason = 'several people with this phone and name';
        candidates = sameName.map((p) => p.id);
      } else if (byPhone.length) {
        reviewReason = 'this phone belongs to someone with another name';
        candidates = byPhone.map((p) => p.id);
      }
    }
    const unit = commune ?? c.commune_code;
    if (reviewReason) {
      const lineKey = crypto.createHash('sha256').update(JSON.stringify([c.id, key, phone, nid, day, relation, level])).digest('hex');
      const ins = await db
        .insertInto('contact_import_reviews')
        .values({ case_id: c.id, line: JSON.stringify({ full_name: name, phone: phone ?? '', national_id: nid ?? '', address: v.address ?? '', relation: relation!, last_exposure_date: day!, commune_code: unit, level: String(level) }), line_key: lineKey, candidate_ids: candidates, reason: reviewReason, unit_code: unit, created_by: o.userId })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      if (Number(ins.numInsertedOrUpdatedRows ?? 0) > 0) r.review++;
      else r.duplicates++;
      continue;
    }
    try {
      if (!personId) {
        const p = await findOrCreatePerson(
          db,
          { fullName: name, phone, nationalId: nid, address: v.address || null, communeCode: unit },
          { resolver: o.resolver, now: o.now, source: 'import', requirePhone: false, trust: 'staff', prefix: `line ${line}` },
        );
        personId = p.id;
      }
      const added = await addImportedContact(db, c, personId, { relation: relation!, day: day!, level, note: '' }, o);
      if (added) r.imported++;
      else r.duplicates++;
    } catch (e) {
      const details = (e as { details?: { path: string; message: string }[] }).details;
      if (details?.length) for (const d of details) err(line, d.path.replace(/^line \d+\./, ''), d.message);
      else err(line, 'line', (e as Error).message);
    }
  }
  r.errors.sort((a, b) => a.line - b.line);
  return r;
}

/** Add one contact from an imported or reviewed line; false when exactly this exposure was there already. */
export async function addImportedContact(
  db: DbOrTx,
  c: { id: string; person_id: string; commune_code: string } & Parameters<typeof upsertContacts>[1],
  personId: string,
  l: { relation: (typeof RELATIONS)[number]; day: string; level: number; note: string },
  o: Pick<ContactImportOptions, 'settings' | 'now'>,
): Promise<boolean> {
  if (personId === c.person_id) return false;
  const at = new Date(dayStart(l.day, o.settings.timeZone).getTime() + 12 * 3600_000);
  const exists = await db
    .selectFrom('contact_exposures as e')
    .innerJoin('case_contacts as k', 'k.id', 'e.contact_id')
    .select('e.id')
    .where('k.case_id', '=', c.id)
    .where('k.person_id', '=', personId)
    .where('e.via', '=', 'import')
    .where('e.kind', '=', l.relation)
    .where('e.from_at', '=', at)
    .executeTakeFirst();
  if (exists) return false;
  const input: ContactInput = {
    personId,
    level: l.level,
    viaPersonId: null,
    origin: 'import',
    exposures: [{ kind: l.relation, via: 'import', venueId: null, from: at, to: at, overlapMinutes: null, sourcePersonId: c.person_id, note: l.note }],
  };
  if (db.isTransaction) await upsertContacts(db, c, [input], o.settings, o.now);
  else await db.transaction().execute((tx) => upsertContacts(tx, c, [input], o.settings, o.now));
  return true;
}

export async function contactTemplateXlsx(exampleCase = 'NA40-00001'): Promise<Buffer> {
  const wb = workbook();
  const ws = addSheet(wb, 'contacts', [...CONTACT_COLUMNS, ...CONTACT_OPTIONAL].map((h) => ({ header: h, key: h, width: h === 'full_name' || h === 'address' ? 32 : 18 })));
  ws.addRow({ full_name: 'Nguyễn Thị Mẫu', phone: '0912 345 678', national_id: '', address: 'Số 1 Lê Lợi', relation: 'household', last_exposure_date: plusDays(new Date().toISOString().slice(0, 10), -1), case_code: exampleCase, commune_code: '', level: '1' });
  for (let r = 2; r <= 5001; r++)
    ws.getCell(`E${r}`).dataValidation = { type: 'list', allowBlank: true, formulae: [`"${RELATIONS.join(',')}"`], showErrorMessage: true, errorTitle: 'relation', error: `Chọn: ${RELATIONS.join(', ')}` };
  return xlsxBuffer(wb);
}

/** A review candidate as the list may show it: a registry record (never one a citizen typed in), live. */
async function registryCandidates(db: Db, ids: string[]) {
  const unique = [...new Set(ids)];
  if (!unique.length) return new Map<string, { id: string; fullName: string; phone: string | null; birthYear: number | null; communeCode: string | null }>();
  const rows = await db
    .selectFrom('persons')
    .select(['id', 'full_name', 'phone', 'birth_year', 'commune_code'])
    .where('id', 'in', unique)
    .where('merged_into', 'is', null)
    .where('source', '<>', 'citizen')
    .execute();
  return new Map(rows.map((p) => [p.id, { id: p.id, fullName: p.full_name, phone: p.phone, birthYear: p.birth_year, communeCode: p.commune_code }]));
}

export interface ReviewArea {
  /** may the reviewer see and pick a record of this commune (their jurisdiction)? */
  inArea(communeCode: string | null): Promise<boolean>;
  /** the province a commune lies in (code and name), null when unknown */
  provinceOf(communeCode: string | null): Promise<{ code: string; name: string } | null>;
}

/**
 * The review list of `scope` (null = everywhere). A candidate is shown in full (name, birth year, commune, phone)
 * only when it is a registry record inside the reviewer's area; one elsewhere is shown as "a record in province X
 * matches" (what a tracer needs to ask X's CDC), never its name: the list would otherwise be a phone-to-name
 * look-up across the country for anyone allowed to import contacts. Records a citizen typed in are never shown
 * (items stored before the import skipped them may still name one).
 */
export async function reviewItems(db: Db, scope: string[] | null, area: ReviewArea) {
  let q = db.selectFrom('contact_import_reviews as r').innerJoin('cases as c', 'c.id', 'r.case_id').select(['r.id', 'r.line', 'r.reason', 'r.candidate_ids', 'c.code']);
  if (scope) q = q.where('r.unit_code', 'in', scope.length ? scope : ['-']);
  const rows = await q.orderBy('r.created_at').limit(500).execute();
  const people = await registryCandidates(db, rows.flatMap((r) => r.candidate_ids));
  const inArea = new Map<string | null, boolean>();
  for (const p of people.values()) if (!inArea.has(p.communeCode)) inArea.set(p.communeCode, await area.inArea(p.communeCode));
  const items = [];
  for (const r of rows) {
    const found = r.candidate_ids.map((id) => people.get(id)).filter((p): p is NonNullable<typeof p> => !!p);
    const elsewhere = new Map<string, { provinceCode: string | null; provinceName: string | null; count: number }>();
    for (const p of found.filter((p) => !inArea.get(p.communeCode))) {
      const prov = await area.provinceOf(p.communeCode);
      const key = prov?.code ?? '';
      const e = elsewhere.get(key) ?? { provinceCode: prov?.code ?? null, provinceName: prov?.name ?? null, count: 0 };
      e.count++;
      elsewhere.set(key, e);
    }
    items.push({
      id: r.id,
      caseCode: r.code,
      line: r.line as Record<string, string>,
      reason: r.reason,
      candidates: found.filter((p) => inArea.get(p.communeCode)),
      elsewhere: [...elsewhere.values()],
    });
  }
  return items;
}

/**
 * Why `personId` may not be picked for a review item by this reviewer (null = it may): re-checked at resolve time,
 * since an item stored earlier may name a record a citizen typed in, or one that moved or lies outside the area.
 */
export async function reviewPickProblem(db: Db, personId: string, area: Pick<ReviewArea, 'inArea'>): Promise<'not-registry' | 'outside-area' | null> {
  const p = (await registryCandidates(db, [personId])).get(personId);
  if (!p) return 'not-registry';
  return (await area.inArea(p.communeCode)) ? null : 'outside-area';
}
