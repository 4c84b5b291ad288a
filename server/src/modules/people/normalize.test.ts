import { describe, expect, it } from 'vitest';
import { duplicateReason, maskNationalId, maskPhone, nationalIdProblem, normalizeName, normalizePhone, tidyName, isIsoDate } from './normalize';

describe('normalizePhone', () => {
  it.each([
    ['0912345678', '+84912345678'],
    ['0912 345 678', '+84912345678'],
    ['091.234.5678', '+84912345678'],
    ['091-234-5678', '+84912345678'],
    ['(091) 234 5678', '+84912345678'],
    ['+84 912 345 678', '+84912345678'],
    ['+84912345678', '+84912345678'],
    ['84912345678', '+84912345678'],
    ['0084912345678', '+84912345678'],
    ['+84 0912 345 678', '+84912345678'],
    ['  0387 654 321 ', '+84387654321'],
    ['0868123456', '+84868123456'],
    ['0587123456', '+84587123456'],
    ['02438212345', '+842438212345'], // Hà Nội landline
    ['+1 202 555 0143', '+12025550143'],
  ])('%s → %s', (raw, e164) => {
    expect(normalizePhone(raw)).toBe(e164);
  });

  it('gives the same answers when asked again (remembered) and treats its E.164 answer as its own normal form', () => {
    for (let round = 0; round < 2; round++) {
      expect(normalizePhone('0912 345 678')).toBe('+84912345678');
      expect(normalizePhone('+84912345678')).toBe('+84912345678');
      expect(normalizePhone('0166 123 4567')).toBe('+84361234567');
      expect(normalizePhone('+84361234567')).toBe('+84361234567');
      expect(normalizePhone('091234567x')).toBeNull();
      expect(normalizePhone(`  ${'0'.repeat(70)} `)).toBeNull();
    }
    // many distinct numbers (past the memo's bound) keep being answered correctly
    for (let i = 0; i < 10_000; i++) {
      const national = `098${String(i).padStart(7, '0')}`;
      expect(normalizePhone(national)).toBe(`+8498${String(i).padStart(7, '0')}`);
    }
    expect(normalizePhone('0912345678')).toBe('+84912345678');
  });

  it('converts the pre-2018 11-digit mobile numbers', () => {
    expect(normalizePhone('0166 123 4567')).toBe('+84361234567'); // Viettel 0166 → 036
    expect(normalizePhone('01234567890')).toBe('+84834567890'); // Vinaphone 0123 → 083
    expect(normalizePhone('0121 234 5678')).toBe('+84792345678'); // Mobifone 0121 → 079
    expect(normalizePhone('+84 166 123 4567')).toBe('+84361234567');
  });

  it.each(['', '   ', '12345', '0123456789', '091234567x', 'abc', '0912345678 ext 2', '+84+912345678', '0'.repeat(40), '091234567'])(
    'rejects %j',
    (raw) => {
      expect(normalizePhone(raw)).toBeNull();
    },
  );

  it('rejects non-strings', () => {
    expect(normalizePhone(null)).toBeNull();
    expect(normalizePhone(undefined)).toBeNull();
    expect(normalizePhone(912345678 as unknown as string)).toBeNull();
  });
});

describe('names', () => {
  it('normalizeName drops case, diacritics and extra spaces', () => {
    expect(normalizeName('  NGUYỄN   Văn Đức ')).toBe('nguyen van duc');
    expect(normalizeName('Nguyễn Thị Ánh Tuyết')).toBe('nguyen thi anh tuyet');
    expect(normalizeName('nguyen thi anh tuyet')).toBe(normalizeName('NGUYỄN THỊ ÁNH TUYẾT'));
    expect(normalizeName('Trần Văn Ơn')).toBe(normalizeName('Tran Van On'));
    // decomposed input (macOS keyboards) gives the same key as precomposed
    expect(normalizeName('Nguye\u0302\u0303n')).toBe('nguyen');
  });

  it('tidyName capitalises words and collapses spaces', () => {
    expect(tidyName('  nguyễn   văn  an ')).toBe('Nguyễn Văn An');
    expect(tidyName('đặng thị ánh')).toBe('Đặng Thị Ánh');
  });
});

describe('nationalIdProblem', () => {
  it('accepts CMND (9 digits) and CCCD (12 digits)', () => {
    expect(nationalIdProblem('186543210')).toBeNull();
    expect(nationalIdProblem('040085001234')).toBeNull();
  });
  it('rejects other shapes', () => {
    expect(nationalIdProblem('12345')).toMatch(/9 digits/);
    expect(nationalIdProblem('0400850012345')).toMatch(/12 digits/);
    expect(nationalIdProblem('04008500123A')).toMatch(/digits/);
  });
  it('checks the province code of a CCCD', () => {
    expect(nationalIdProblem('000085001234')).toMatch(/province/);
    expect(nationalIdProblem('097085001234')).toMatch(/province/);
  });
  it('checks birth year and sex encoded in a CCCD', () => {
    // 040 Nghệ An, 0 = male born 19xx, 85 = 1985
    expect(nationalIdProblem('040085001234', 1985, 'male')).toBeNull();
    expect(nationalIdProblem('040085001234', 1986)).toMatch(/birth year/);
    expect(nationalIdProblem('040085001234', 1985, 'female')).toMatch(/sex/);
    // 3 = female born 20xx
    expect(nationalIdProblem('040310001234', 2010, 'female')).toBeNull();
    expect(nationalIdProblem('040310001234', 1910)).toMatch(/birth year/);
  });
});

describe('masking', () => {
  it('keeps only the last 3 digits', () => {
    expect(maskPhone('+84912345678')).toBe('••••••••678');
    expect(maskNationalId('040085001234')).toBe('•••••••••234');
    expect(maskPhone(null)).toBeNull();
  });
});

describe('duplicateReason', () => {
  const base = { nationalId: null, phone: '+84912345678', nameKey: 'nguyen van an', birthYear: 1980 };
  it('same national ID', () => {
    expect(duplicateReason({ ...base, nationalId: '040080001234' }, { ...base, phone: null, nationalId: '040080001234' })).toBe('national_id');
  });
  it('same phone + name + birth year', () => {
    expect(duplicateReason(base, { ...base })).toBe('phone_name_year');
  });
  it('different birth year is a different person (family sharing a phone)', () => {
    expect(duplicateReason(base, { ...base, birthYear: 2012 })).toBeNull();
  });
  it('different name on the same phone is a different person', () => {
    expect(duplicateReason(base, { ...base, nameKey: 'nguyen thi binh' })).toBeNull();
  });
  it('missing birth year on one side is a weaker match', () => {
    expect(duplicateReason(base, { ...base, birthYear: null })).toBe('phone_name');
  });
  it('no phone, no ID: no match', () => {
    expect(duplicateReason({ ...base, phone: null }, { ...base, phone: null })).toBeNull();
  });
});

describe('isIsoDate', () => {
  it('validates calendar dates', () => {
    expect(isIsoDate('2020-02-29')).toBe(true);
    expect(isIsoDate('2021-02-29')).toBe(false);
    expect(isIsoDate('2021-13-01')).toBe(false);
    expect(isIsoDate('21-01-01')).toBe(false);
  });
});
