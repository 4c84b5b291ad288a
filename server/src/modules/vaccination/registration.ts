// Registrations: by staff (at a desk, by phone), by citizens for themselves and the dependants their account manages,
// and by organisations in bulk (an Excel template). People are matched through the people module: a national ID
// already held by a record with another name or birth year is refused (typed details never attach to someone else's
// record); a file's rows are checked one by one, the good ones registered, the bad ones listed with their line.
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';
import type { JurisdictionResolver } from '../../platform/auth/jurisdiction';
import { AppError, invalidField } from '../../platform/http/errors';
import { localDay } from '../../platform/time';
import { findOrCreatePerson, registryHoldersOfNationalId, getPersonBirth, getPersonIdentities, nationalIdProblem, normalizeName, type FindOrCreateInput, type Sex } from '../people';
import { ageOn, judgePriorityClaim, type EligibilityRule, type PriorityStatus } from './rules';
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
  /** the deployment's time zone (the local day of `now`) */
  timeZone?: string;
  /** the registration of a walk-in at the site: the site day's warnings cover age, no refusal here */
  walkIn?: boolean;
}

export interface PriorityClaim {
  code: string;
  status: PriorityStatus;
  reason: string;
}

export interface Registered {
  id: string;
  created: boolean;
  /** the claimed group and what became of the claim (null: no group claimed) */
  priority: PriorityClaim | null;
}

/**
 * Registers a person in a campaign; registering again changes nothing and says so. Refused (400 AGE_LIMIT) when
 * the person's age fits none of the campaign's vaccines during the campaign; a claimed priority group is judged by
 * its rule (rules.ts judgePriorityClaim): accepted, put to staff review, or refused (400 PRIORITY_REFUSED with the
 * reason), never taken on the claimant's word alone.
 */
export async function register(db: DbOrTx, r: RegisterInput): Promise<Registered> {
  const path = r.path ?? 'body';
  if (r.priorityCode && !r.campaign.priority_codes.includes(r.priorityCode)) throw invalidField(`${path}.priorityCode`, 'is not a priority group of this campaign');
  const birth = await getPersonBirth(db, r.personId);
  const today = localDay(r.now, r.timeZone ?? 'Asia/Ho_Chi_Minh');
  const from = today > r.campaign.starts_on ? today : r.campaign.starts_on;
  if (!r.walkIn && birth && (birth.birthDate || birth.birthYear !== null)) {
    const products = (await sql<{ name: string; min_age: number; max_age: number | null }>`select name, min_age, max_age from vaccine_products where code = any(${r.campaign.product_codes}::text[])`.execute(db)).rows;
    const ageAtEnd = ageOn(r.campaign.ends_on, birth.birthDate, birth.birthYear)!;
    const ageFrom = ageOn(from, birth.birthDate, birth.birthYear)!;
    const fits = products.some((p) => ageAtEnd >= p.min_age && (p.max_age === null || ageFrom <= p.max_age));
    if (products.length && !fits) {
      const youngest = Math.min(...products.map((p) => p.min_age));
      const text =
        ageAtEnd < youngest
          ? `is ${ageAtEnd} years old on the campaign's last day (${r.campaign.ends_on}); its vaccines are given from age ${youngest}`
          : `is ${ageFrom} years old on ${from}; this campaign's vaccines are given up to age ${Math.max(...products.map((p) => p.max_age ?? 200))}`;
      throw new AppError(400, 'AGE_LIMIT', `${path}.personId: ${text}`, [{ path: `${path}.personId`, message: text }]);
    }
  }
  let priority: PriorityClaim | null = null;
  if (r.priorityCode) {
    const group = (await sql<{ rule: EligibilityRule; name_en: string }>`select rule, name_en from priority_groups where code = ${r.priorityCode} and active`.execute(db)).rows[0];
    if (!group) throw invalidField(`${path}.priorityCode`, 'is not an active priority group');
    const verdict = judgePriorityClaim(group.rule, {
      age: birth ? ageOn(from, birth.birthDate, birth.birthYear) : null,
      occupation: r.occupation?.trim() || null,
      vouched: r.channel !== 'self',
    });
    if (verdict.status === 'refused')
      throw new AppError(400, 'PRIORITY_REFUSED', `${path}.priorityCode: the group "${group.name_en}" does not apply (${verdict.reason})`, [
        { path: `${path}.priorityCode`, message: verdict.reason },
      ]);
    priority = { code: r.priorityCode, ...verdict };
  }
  const ins = await sql<{ id: string }>`
    insert into vaccination_registrations (campaign_id, person_id, priority_code, priority_status, priority_reason, channel, organisation, occupation, account_person_id, registered_by, commune_code, created_at)
    values (${r.campaign.id}, ${r.personId}, ${r.priorityCode}, ${priority?.status ?? 'none'}, ${priority?.reason ?? null}, ${r.channel}, ${r.organisation ?? null}, ${r.occupation ?? null},
            ${r.accountPersonId ?? null}, ${r.by}, ${r.communeCode}, ${r.now})
    on conflict (campaign_id, person_id) do nothing returning id`.execute(db);
  if (ins.rows.length) return { id: ins.rows[0]!.id, created: true, priority };
  const cur = (
    await sql<{ id: string; priority_code: string | null; priority_status: PriorityStatus | 'none'; priority_reason: string | null }>`
      select id, priority_code, priority_status, priority_reason from vaccination_registrations where campaign_id = ${r.campaign.id} and person_id = ${r.personId}`.execute(db)
  ).rows[0]!;
  return { id: cur.id, created: false, priority: cur.priority_code ? { code: cur.priority_code, status: cur.priority_status as PriorityStatus, reason: cur.priority_reason ?? '' } : null };
}

/**
 * The record for details typed by staff: an existing registry record holding the national ID is used only when its
 * name and birth year agree with what was typed (the ID card was seen); otherwise 409. Records citizens typed in are
 * never matched (people's staffMayMatch): a new registry record is made and both show up as duplicates. Without a national ID match, the
 * people module's staff matching (phone + name + year) or a new record.
 */
export async function personForDetails(db: DbOrTx, p: FindOrCreateInput, opts: { resolver: JurisdictionResolver; now: Date; prefix: string; source: 'officer' | 'import' }) {
  const nid = p.nationalId?.trim() || null;
  if (nid) {
    const problem = nationalIdProblem(nid, p.birthYear ?? (p.birthDate ? Number(p.birthDate.slice(0, 4)) : null));
    if (problem) throw invalidField(`${opts.prefix}.nationalId`, problem);
    // the oldest registry record holding the number; never one a citizen account typed in (a dependant typed with a
    // neighbour's ID card must not collect the neighbour's doses and certificate)
    const holders = await registryHoldersOfNationalId(db, nid);
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
  o: { campaign: CampaignRow; organisation: string; resolver: JurisdictionResolver; inScope: (commune: string) => Promise<boolean>; by: string; now: Date; timeZone?: string },
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
        timeZone: o.timeZone,
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
