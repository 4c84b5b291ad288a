// Registrations: by staff (at a desk, by phone), by citizens for themselves and the dependants their account manages,
// and by organisations in bulk (an Excel template). People are matched through the people module: a national ID
// already held by a record with another name or birth year is refused (typed details never attach to someone else's
// record); a file's rows are checked one by one, the good ones registered, the bad ones listed with their line.
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';
import type { JurisdictionResolver } from '../../platform/auth/jurisdiction';
import { AppError, invalidField } from '../../platform/http/errors';
import { findOrCreatePerson, findPeopleByIdentifier, getPersonIdentities, nationalIdProblem, normalizeName, type FindOrCreateInput, type Sex } from '../people';
import { readTable } from '../venues';
import type { CampaignRow } from './admin';

export interface RegisterInput {
  campaign: CampaignRow;
  personId: string;
  communeCode: string;
  priorityCode: string | null;
  channel: 'self' | 'staff' | 'bulk';
  organisation?: string | null;
  occupation?: string | null;
  accountPersonId?: string | null;
  by: string | null;
  now: Date;
  path?: string;
}

/** Registers a person in a campaign; registering again changes nothing and says so. */
export async function register(db: DbOrTx, r: RegisterInput): Promise<{ id: string; created: boolean }> {
  const path = r.path ?? 'body';
  if (r.priorityCode && !r.campaign.priority_codes.includes(r.priorityCode)) throw invalidField(`${path}.priorityCode`, 'is not a priority group of this campaign');
  const ins = await sql<{ id: string }>`
    insert into vaccination_registrations (campaign_id, person_id, priority_code, channel, organisation, occupation, account_person_id, registered_by, commune_code, created_at)
    values (${r.campaign.id}, ${r.personId}, ${r.priorityCode}, ${r.channel}, ${r.organisation ?? null}, ${r.occupation ?? null}, ${r.accountPersonId ?? null}, ${r.by}, ${r.communeCode}, ${r.now})
    on conflict (campaign_id, person_id) do nothing returning id`.execute(db);
  if (ins.rows.length) return { id: ins.rows[0]!.id, created: true };
  const cur = await sql<{ id: string }>`select id from vaccination_registrations where campaign_id = ${r.campaign.id} and person_id = ${r.personId}`.execute(db);
  return { id: cur.rows[0]!.id, created: false };
}

/**
 * The record for details typed by staff: an existing record holding the national ID is used only when its name and
 * birth year agree with what was typed (the ID card was seen); otherwise 409. Without a national ID match, the
 * people module's staff matching (phone + name + year) or a new record.
 */
export async function personForDetails(db: DbOrTx, p: FindOrCreateInput, opts: { resolver: JurisdictionResolver; now: Date; prefix: string; source: 'officer' | 'import' }) {
  const nid = p.nationalId?.trim() || null;
  if (nid) {
    const problem = nationalIdProblem(nid, p.birthYear ?? (p.birthDate ? Number(p.birthDate.slice(0, 4)) : null));
    if (problem) throw invalidField(`${opts.prefix}.nationalId`, problem);
    const holders = await findPeopleByIdentifier(db, nid);
    if (holders.length) {
      const held = (await getPersonIdentities(db, holders)).get(holders[0]!)!;
      const year = p.birthYear ?? (p.birthDate ? Number(p.birthDate.slice(0, 4)) : null);
      const sameName = normalizeName(held.fullName) === normalizeName(p.fullName);
      const sameYear = held.birthYear === null || year === null || held.birthYear === year;
      if (!sameName || !sameYear)
        throw new AppError(409, 'NATIONAL_ID_TAKEN', `${opts.prefix}.nationalId: is registered to another person (different name or birth year); check the ID card`, [
          { path: `${opts.prefix}.nationalId`, message: 'is registered to another person' },
        ]);
      return { id: held.id, created: false, communeCode: held.communeCode };
    }
  }
  const r = await findOrCreatePerson(db, { ...p, nationalId: nid }, { resolver: opts.resolver, now: opts.now, source: opts.source, prefix: opts.prefix, requirePhone: false, trust: 'staff' });
  return { ...r, communeCode: p.communeCode ?? null };
}

export const BULK_COLUMNS = ['full_name', 'national_id', 'birth_date', 'sex', 'phone', 'commune_code'] as const;
export const BULK_OPTIONAL = ['address', 'occupation', 'priority_group'] as const;

export interface BulkResult {
  total: number;
  registered: number;
  already: number;
  errors: { line: number; path: string; message: string }[];
}

/** An organisation's list (the template's columns): every row on its own; bad rows reported with their line. */
export async function importRegistrations(
  db: DbOrTx,
  data: Buffer,
  o: { campaign: CampaignRow; organisation: string; resolver: JurisdictionResolver; inScope: (commune: string) => Promise<boolean>; by: string; now: Date },
): Promise<BulkResult> {
  const table = await readTable(data, BULK_COLUMNS, BULK_OPTIONAL);
  const res: BulkResult = { total: table.rows.length + table.unreadable.length, registered: 0, already: 0, errors: table.unreadable.map((u) => ({ line: u.line, path: `line ${u.line}`, message: u.message })) };
  const seen = new Map<string, number>();
  for (const { line, values: v } of table.rows) {
    const prefix = `line ${line}`;
    const fail = (path: string, message: string) => res.errors.push({ line, path: `${prefix}.${path}`, message });
    const nid = (v.national_id ?? '').trim();
    if (!nid) {
      fail('national_id', 'is required for an organisation list');
      continue;
    }
    if (seen.has(nid)) {
      fail('national_id', `repeats line ${seen.get(nid)}`);
      continue;
    }
    seen.set(nid, line);
    const birthDate = (v.birth_date ?? '').trim();
    if (!/^\d{4}-\d{2}-\d{2}$/.test(birthDate)) {
      fail('birth_date', 'must be a date YYYY-MM-DD');
      continue;
    }
    const commune = (v.commune_code ?? '').trim();
    if (!(await o.inScope(commune))) {
      fail('commune_code', 'is not a commune of your area');
      continue;
    }
    const group = (v.priority_group ?? '').trim() || null;
    if (group && !o.campaign.priority_codes.includes(group)) {
      fail('priority_group', `is not a priority group of this campaign (${o.campaign.priority_codes.join(', ')})`);
      continue;
    }
    const sexRaw = (v.sex ?? '').trim().toUpperCase();
    const sex = sexRaw === 'M' || sexRaw === 'NAM' ? 'male' : sexRaw === 'F' || sexRaw === 'NỮ' || sexRaw === 'NU' ? 'female' : sexRaw ? 'invalid' : null;
    if (sex === 'invalid') {
      fail('sex', 'must be M or F (Nam / Nữ)');
      continue;
    }
    try {
      const p = await personForDetails(
        db,
        { fullName: (v.full_name ?? '').trim(), nationalId: nid, birthDate, sex: sex as Sex | null, phone: (v.phone ?? '').trim() || null, communeCode: commune, address: (v.address ?? '').trim() || null },
        { resolver: o.resolver, now: o.now, prefix, source: 'import' },
      );
      const r = await register(db, {
        campaign: o.campaign,
        personId: p.id,
        communeCode: p.communeCode ?? commune,
        priorityCode: group,
        channel: 'bulk',
        organisation: o.organisation,
        occupation: (v.occupation ?? '').trim() || null,
        by: o.by,
        now: o.now,
        path: prefix,
      });
      if (r.created) res.registered++;
      else res.already++;
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      for (const d of e.details?.length ? e.details : [{ path: prefix, message: e.message }]) res.errors.push({ line, path: d.path, message: d.message });
    }
  }
  res.errors.sort((a, b) => a.line - b.line);
  return res;
}

/** The organisation template: the columns with a Vietnamese hint row a reader deletes, and one example. */
export async function registrationTemplateXlsx(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('dang-ky-tiem');
  ws.addRow([...BULK_COLUMNS, ...BULK_OPTIONAL]);
  ws.addRow(['Nguyễn Văn An', '040090001234', '1990-05-17', 'M', '0912345678', '40-16684', 'Số 1 Lê Lợi', 'teacher', 'g07-teachers']);
  ws.getRow(1).font = { bold: true };
  ws.columns.forEach((c) => (c.width = 18));
  ws.getColumn(2).numFmt = '@';
  ws.getColumn(5).numFmt = '@';
  return Buffer.from(await wb.xlsx.writeBuffer());
}
