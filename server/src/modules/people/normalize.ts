// Pure normalisation and matching rules for the person registry: phone numbers, names, national ID numbers,
// masking for lists, and "are these two records the same person?". No database, no HTTP.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

// Vietnam moved 11-digit mobile numbers to 10 digits in 2018; people still write the old ones.
const OLD_MOBILE_PREFIXES: Record<string, string> = {
  '0162': '032', '0163': '033', '0164': '034', '0165': '035', '0166': '036', '0167': '037', '0168': '038', '0169': '039',
  '0120': '070', '0121': '079', '0122': '077', '0126': '076', '0128': '078',
  '0123': '083', '0124': '084', '0125': '085', '0127': '081', '0129': '082',
  '0186': '056', '0188': '058', '0199': '059',
};

/**
 * A phone number as typed ("0912 345 678", "+84912345678", "84-912-345-678", "0166 123 4567") → E.164
 * ("+84912345678"), or null when it is not a valid number. Default region Vietnam.
 */
export function normalizePhone(raw: string | null | undefined): string | null {
  if (typeof raw !== 'string') return null;
  if (raw.length > 64) return parsePhone(raw); // never a phone number; not worth remembering
  const known = phoneMemo.get(raw);
  if (known !== undefined) return known;
  const e164 = parsePhone(raw);
  // a first check-in's form has its phone normalised twice (the check-in's field check, then the people module's
  // validation of the normalised value): libphonenumber's parse and validity check cost ≈ 6 µs each time, the memo
  // ≈ 0.1 µs. The E.164 result is its own normal form, so it is remembered as a key too.
  if (phoneMemo.size >= PHONE_MEMO_MAX) phoneMemo.clear();
  phoneMemo.set(raw, e164);
  if (e164 !== null) phoneMemo.set(e164, e164);
  return e164;
}

/** Recent results of normalizePhone (a pure function); emptied when full, which keeps it bounded at no cost per call. */
const phoneMemo = new Map<string, string | null>();
const PHONE_MEMO_MAX = 4096;

function parsePhone(raw: string): string | null {
  const trimmed = raw.trim();
  if (!trimmed || trimmed.length > 32) return null;
  // Only digits and the usual separators; letters mean a typo, not an extension we could call.
  if (!/^\+?[0-9\s().\-/]+$/.test(trimmed)) return null;
  let digits = trimmed.replace(/[^0-9+]/g, '');
  if (digits.indexOf('+') > 0) return null;
  if (digits.startsWith('00')) digits = `+${digits.slice(2)}`;
  if (digits.startsWith('+840')) digits = `+84${digits.slice(4)}`; // "+84 0912..." is a common mistake
  // old 11-digit mobile numbers, written nationally (01xx...) or internationally (+841xx...)
  const national = digits.startsWith('+84') ? `0${digits.slice(3)}` : digits.startsWith('84') && digits.length === 12 ? `0${digits.slice(2)}` : digits;
  if (/^01\d{9}$/.test(national)) {
    const mapped = OLD_MOBILE_PREFIXES[national.slice(0, 4)];
    if (mapped) digits = mapped + national.slice(4);
  }
  const parsed = parsePhoneNumberFromString(digits, 'VN');
  if (!parsed || !parsed.isValid()) return null;
  return parsed.number;
}

/** Lowercase, without Vietnamese diacritics (đ → d), single spaces: "  NGUYỄN  Văn Đức" → "nguyen van duc". */
export function normalizeName(raw: string): string {
  return raw
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s'-]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Collapse whitespace in a display name and capitalise each word's first letter ("nguyễn văn an" → "Nguyễn Văn An"). */
export function tidyName(raw: string): string {
  return raw
    .normalize('NFC')
    .replace(/\s+/g, ' ')
    .trim()
    .split(' ')
    .map((w) => (w ? w[0]!.toLocaleUpperCase('vi') + w.slice(1) : w))
    .join(' ');
}

export type Sex = 'male' | 'female' | 'other';

/**
 * Problems with a national ID number, or null when it is acceptable.
 * CMND: 9 digits. CCCD (Circular 07/2016/TT-BCA): 12 digits = 3-digit province of birth (001–096)
 * + 1 digit for sex and century (0/1 = male/female born 1900–1999, 2/3 = 2000–2099, 4/5 = 2100–2199, ...)
 * + the last 2 digits of the birth year + 6 random digits.
 */
export function nationalIdProblem(id: string, birthYear?: number | null, sex?: Sex | null): string | null {
  if (!/^(\d{9}|\d{12})$/.test(id)) return 'must be 9 digits (CMND) or 12 digits (CCCD)';
  if (id.length === 9) return null;
  const province = Number(id.slice(0, 3));
  if (province < 1 || province > 96) return 'does not start with a valid province code (001–096)';
  const centuryDigit = Number(id[3]);
  if (birthYear) {
    const century = Math.floor(birthYear / 100) - 19; // 1900s → 0, 2000s → 1
    if (century < 0 || Math.floor(centuryDigit / 2) !== century || id.slice(4, 6) !== String(birthYear % 100).padStart(2, '0'))
      return 'does not match the birth year';
  }
  if (sex === 'male' || sex === 'female') {
    if ((centuryDigit % 2 === 0 ? 'male' : 'female') !== sex) return 'does not match the sex';
  }
  return null;
}

/** Strip spaces/dots people type inside ID numbers. */
export const cleanNationalId = (raw: string) => raw.replace(/[\s.-]/g, '');

/** "+84912345678" → "•••••••678" (last 3 digits) for lists. */
export function maskPhone(phone: string | null): string | null {
  if (!phone) return null;
  const digits = phone.replace(/\D/g, '');
  return '•'.repeat(Math.max(0, digits.length - 3)) + digits.slice(-3);
}

/** "001099012345" → "•••••••••345". */
export function maskNationalId(id: string | null): string | null {
  if (!id) return null;
  return '•'.repeat(Math.max(0, id.length - 3)) + id.slice(-3);
}

export interface MatchFields {
  nationalId: string | null;
  phone: string | null;
  nameKey: string;
  birthYear: number | null;
}

export type DuplicateReason = 'national_id' | 'phone_name_year' | 'phone_name';

/**
 * Why two person records are probably the same person, or null.
 * - same national ID number;
 * - same phone + same normalised name + same birth year;
 * - same phone + same normalised name where one of them has no birth year (weaker; still listed for review).
 */
export function duplicateReason(a: MatchFields, b: MatchFields): DuplicateReason | null {
  if (a.nationalId && b.nationalId && a.nationalId === b.nationalId) return 'national_id';
  if (a.phone && b.phone && a.phone === b.phone && a.nameKey && a.nameKey === b.nameKey) {
    if (a.birthYear != null && b.birthYear != null) return a.birthYear === b.birthYear ? 'phone_name_year' : null;
    return 'phone_name';
  }
  return null;
}

/** ISO date "YYYY-MM-DD" that exists in the calendar. */
export function isIsoDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}
