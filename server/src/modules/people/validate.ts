// Validation and normalisation of a person's fields (officer forms, citizens' self-registration, imports).
import type { JurisdictionResolver } from '../../platform/auth/jurisdiction';
import { badRequest, type ErrorDetail } from '../../platform/http/errors';
import { cleanNationalId, isIsoDate, nationalIdProblem, normalizeName, normalizePhone, tidyName, type Sex } from './normalize';
import { type PersonRow } from './queries';

export const PERSON_SOURCES = ['officer', 'citizen', 'checkin', 'declaration', 'import'] as const;
export type PersonSource = (typeof PERSON_SOURCES)[number];

export interface PersonInput {
  fullName?: string;
  birthDate?: string | null;
  birthYear?: number | null;
  sex?: Sex | null;
  nationalId?: string | null;
  phone?: string | null;
  address?: string | null;
  communeCode?: string | null;
}

/** The normalised columns of a person, as stored. */
export interface PersonValues {
  full_name: string;
  name_key: string;
  birth_date: string | null;
  birth_year: number | null;
  sex: Sex | null;
  national_id: string | null;
  phone: string | null;
  address: string | null;
  commune_code: string | null;
}

export interface ValidateOptions {
  resolver: JurisdictionResolver;
  now: Date;
  /** prefix of field paths in errors: 'body' → 'body.phone' */
  prefix?: string;
  /** the stored record when validating an update (missing fields keep their value) */
  current?: PersonRow;
  /** fields that must be present (after merging with `current`) */
  require?: ('phone' | 'communeCode' | 'birthYear')[];
}

export const FIELD_COLUMNS: Record<string, keyof PersonValues> = {
  fullName: 'full_name',
  birthDate: 'birth_date',
  birthYear: 'birth_year',
  sex: 'sex',
  nationalId: 'national_id',
  phone: 'phone',
  address: 'address',
  communeCode: 'commune_code',
};

const blankToNull = (s: string | null | undefined) => (s === undefined ? undefined : s === null || s.trim() === '' ? null : s.trim());

/**
 * Validates and normalises person fields. Collects every problem and throws one 400 naming each field
 * (`body.phone: is not a valid Vietnamese phone number`). Returns the full set of stored values.
 */
export async function validatePerson(input: PersonInput, opts: ValidateOptions): Promise<PersonValues> {
  const p = opts.prefix ?? 'body';
  const problems: ErrorDetail[] = [];
  const bad = (field: string, message: string) => problems.push({ path: `${p}.${field}`, message });
  const cur = opts.current;
  const has = (k: keyof PersonInput) => input[k] !== undefined;

  // name
  let fullName = cur?.full_name ?? '';
  if (has('fullName')) {
    fullName = tidyName(input.fullName ?? '');
    if (!fullName) bad('fullName', 'is required');
    else if (fullName.length > 200) bad('fullName', 'is longer than 200 characters');
    else if (!/\p{L}/u.test(fullName)) bad('fullName', 'must contain letters');
  } else if (!cur) bad('fullName', 'is required');

  // birth date / year: a full date implies its year; a year alone drops a stored date that disagrees
  const thisYear = opts.now.getUTCFullYear();
  let birthDate = cur?.birth_date ?? null;
  let birthYear = cur?.birth_year ?? null;
  let dateOk = true;
  if (has('birthDate')) {
    const d = blankToNull(input.birthDate) ?? null;
    dateOk = false;
    if (d && !isIsoDate(d)) bad('birthDate', 'is not a valid date (YYYY-MM-DD)');
    else if (d && d > opts.now.toISOString().slice(0, 10)) bad('birthDate', 'is in the future');
    else if (d && Number(d.slice(0, 4)) < 1880) bad('birthDate', 'is too far in the past');
    else {
      dateOk = true;
      birthDate = d;
      if (d) birthYear = Number(d.slice(0, 4));
    }
  }
  if (has('birthYear') && dateOk) {
    const y = input.birthYear ?? null;
    if (y !== null && (!Number.isInteger(y) || y < 1880 || y > thisYear)) bad('birthYear', `must be a year between 1880 and ${thisYear}`);
    else if (has('birthDate') && birthDate) {
      if (y !== null && y !== birthYear) bad('birthYear', 'does not match birthDate');
    } else {
      birthYear = y;
      if (birthDate && (y === null || Number(birthDate.slice(0, 4)) !== y)) birthDate = null;
    }
  }

  // sex
  let sex = (cur?.sex as Sex | null) ?? null;
  if (has('sex')) sex = input.sex ?? null;

  // national ID
  let nationalId = cur?.national_id ?? null;
  if (has('nationalId')) {
    const raw = blankToNull(input.nationalId);
    nationalId = raw ? cleanNationalId(raw) : null;
  }
  if (nationalId && (has('nationalId') || has('birthDate') || has('birthYear') || has('sex'))) {
    const problem = nationalIdProblem(nationalId, birthYear, sex);
    if (problem) bad('nationalId', problem);
  }

  // phone
  let phone = cur?.phone ?? null;
  if (has('phone')) {
    const raw = blankToNull(input.phone);
    if (raw) {
      const e164 = normalizePhone(raw);
      if (!e164) bad('phone', 'is not a valid Vietnamese phone number');
      else phone = e164;
    } else phone = null;
  }

  // address and commune
  let address = cur?.address ?? null;
  if (has('address')) address = blankToNull(input.address)?.replace(/\s+/g, ' ') ?? null;
  let communeCode = cur?.commune_code ?? null;
  if (has('communeCode')) {
    const code = blankToNull(input.communeCode);
    if (code) {
      const unit = await opts.resolver.unit(code);
      if (!unit) bad('communeCode', `is not a known administrative unit ("${code}")`);
      else if (unit.level === 'country') bad('communeCode', 'must be a commune/ward, not the whole country');
      else communeCode = unit.code;
    } else communeCode = null;
  }

  for (const r of opts.require ?? []) {
    if (r === 'phone' && !phone && !problems.some((x) => x.path === `${p}.phone`)) bad('phone', 'is required');
    if (r === 'communeCode' && !communeCode && !problems.some((x) => x.path === `${p}.communeCode`)) bad('communeCode', 'is required');
    if (r === 'birthYear' && birthYear === null && !problems.some((x) => x.path.startsWith(`${p}.birth`))) bad('birthYear', 'is required');
  }
  if (problems.length) throw badRequest(problems.map((x) => `${x.path}: ${x.message}`).join('; '), problems);

  return {
    full_name: fullName,
    name_key: normalizeName(fullName),
    birth_date: birthDate,
    birth_year: birthYear,
    sex,
    national_id: nationalId,
    phone,
    address,
    commune_code: communeCode,
  };
}
