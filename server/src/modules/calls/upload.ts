// An uploaded call list (Excel or CSV: full_name, phone, optional national_id, unit_code) becomes a list campaign's
// audience: each row's phone is checked (libphonenumber-js, Vietnam by default) and a bad row is reported with its
// line and reason while the good rows are kept; rows missing from a new upload leave the audience.
import { validatePhoneNumberLength, type CountryCode } from 'libphonenumber-js/max';
import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';
import { normalizePhone, registryHoldersOfNationalId } from '../people';
import { readTable } from '../venues';

export const LIST_COLUMNS = ['full_name', 'phone'] as const;
export const LIST_OPTIONAL = ['national_id', 'unit_code'] as const;

export interface ListUploadResult {
  total: number;
  accepted: number;
  left: number;
  errors: { line: number; path: string; message: string }[];
}

const LENGTH_REASONS: Record<string, string> = {
  TOO_SHORT: 'is too short for a phone number',
  TOO_LONG: 'is too long for a phone number',
  INVALID_LENGTH: 'has the wrong number of digits',
  NOT_A_NUMBER: 'is not a phone number',
  INVALID_COUNTRY: 'has an unknown country code',
};

export function phoneProblem(raw: string, country: CountryCode = 'VN'): string | null {
  if (!raw.trim()) return 'is empty';
  if (normalizePhone(raw)) return null;
  const len = /^[+0-9\s().\-/]+$/.test(raw.trim()) ? validatePhoneNumberLength(raw, country) : 'NOT_A_NUMBER';
  return (len && LENGTH_REASONS[len]) ?? 'is not a valid phone number';
}

export async function uploadList(db: DbOrTx, campaign: { id: string; unit_code: string }, data: Buffer, inScope: (unit: string) => Promise<boolean>): Promise<ListUploadResult> {
  const table = await readTable(data, LIST_COLUMNS, LIST_OPTIONAL);
  const errors: ListUploadResult['errors'] = table.unreadable.map((u) => ({ line: u.line, path: 'line', message: u.message }));
  const rows: { member_key: string; person_id: string | null; phone: string; full_name: string; unit_code: string }[] = [];
  const seen = new Set<string>();
  for (const { line, values } of table.rows) {
    const name = (values.full_name ?? '').trim();
    const problem = phoneProblem(values.phone ?? '');
    if (problem) {
      errors.push({ line, path: 'phone', message: `phone ${problem} ("${(values.phone ?? '').slice(0, 32)}")` });
      continue;
    }
    if (!name || name.length > 200) {
      errors.push({ line, path: 'full_name', message: 'full_name is empty or longer than 200 characters' });
      continue;
    }
    const unit = (values.unit_code ?? '').trim() || campaign.unit_code;
    if (!(await inScope(unit))) {
      errors.push({ line, path: 'unit_code', message: `unit_code "${unit.slice(0, 20)}" is not inside the campaign's area` });
      continue;
    }
    const phone = normalizePhone(values.phone)!;
    if (seen.has(phone)) {
      errors.push({ line, path: 'phone', message: 'the same phone is on an earlier line' });
      continue;
    }
    seen.add(phone);
    const nid = (values.national_id ?? '').trim();
    const matches = nid ? await registryHoldersOfNationalId(db, nid) : []; // never a record a citizen typed in
    rows.push({ member_key: matches.length === 1 ? matches[0]! : phone, person_id: matches.length === 1 ? matches[0]! : null, phone, full_name: name, unit_code: unit });
  }
  for (let i = 0; i < rows.length; i += 5000)
    await sql`insert into call_audience (campaign_id, member_key, person_id, phone, full_name, unit_code, active, left_at)
      select ${campaign.id}::uuid, x.member_key, x.person_id, x.phone, x.full_name, x.unit_code, true, null
      from jsonb_to_recordset(${JSON.stringify(rows.slice(i, i + 5000))}::jsonb) as x(member_key text, person_id uuid, phone text, full_name text, unit_code text)
      on conflict (campaign_id, member_key) do update set phone = excluded.phone, full_name = excluded.full_name, unit_code = excluded.unit_code, active = true, left_at = null`.execute(db);
  const left = await sql`update call_audience set active = false, left_at = now()
    where campaign_id = ${campaign.id} and active and not (member_key = any(${rows.map((r) => r.member_key)}::text[]))`.execute(db);
  return { total: table.rows.length + table.unreadable.length, accepted: rows.length, left: Number(left.numAffectedRows ?? 0), errors };
}
