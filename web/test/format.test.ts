import { describe, expect, it } from 'vitest';
import { makeFormatters } from '../src/lib/formatters';

describe('formatters', () => {
  it('shows a calendar day the way each language writes it, never as ISO', () => {
    const vi = makeFormatters('vi-VN');
    expect(vi.day('2026-10-26')).toBe('26/10/2026');
    expect(vi.shortDay('2026-11-26')).toBe('26/11');
    const en = makeFormatters('en-GB');
    expect(en.day('2026-10-26')).toBe('26/10/2026');
    expect(en.shortDay('2026-01-05')).toBe('05/01');
  });

  it('keeps the calendar day whatever the browser time zone (a day is not an instant)', () => {
    // 2026-03-01 read as UTC midnight would show 28/02 west of Greenwich if formatted in local time
    expect(makeFormatters('vi-VN').day('2026-03-01')).toBe('01/03/2026');
  });

  it('shows a dash for nothing and leaves text that is not a day alone', () => {
    const f = makeFormatters('vi-VN');
    expect(f.day(null)).toBe('—');
    expect(f.shortDay(undefined)).toBe('—');
    expect(f.day('sắp tới')).toBe('sắp tới');
  });

  it('shows a Vietnamese phone the way people write it, with its leading 0, never as +84…', () => {
    const f = makeFormatters('vi-VN');
    expect(f.phone('+84912000012')).toBe('0912 000 012');
    expect(f.phone('+842383844123')).toBe('0238 3844 123');
    expect(f.phone('+6591234567')).toBe('+6591234567');
    expect(f.phone(null)).toBe('—');
  });
});
