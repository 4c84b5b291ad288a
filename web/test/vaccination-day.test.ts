// Days typed on the vaccination staff pages: Vietnamese order (day first), loose separators, the ISO form; no
// impossible days.
import { describe, expect, it } from 'vitest';
import { parseDay } from '../src/features/vaccination/day';

describe('parseDay', () => {
  it('reads day-first days as Vietnamese write them', () => {
    expect(parseDay('31/12/2099')).toBe('2099-12-31');
    expect(parseDay('8/3/1950')).toBe('1950-03-08');
    expect(parseDay(' 31.1.2099 ')).toBe('2099-01-31');
    expect(parseDay('02-09-1975')).toBe('1975-09-02');
  });
  it('reads the ISO form and month-first when the language writes it so', () => {
    expect(parseDay('1990-05-17')).toBe('1990-05-17');
    expect(parseDay('12/31/2099', false)).toBe('2099-12-31');
  });
  it('refuses what is no day', () => {
    for (const t of ['', '31/02/2021', '12/31/2099', '2021-13-01', '1/1/21', 'hôm nay', '29/02/2023']) expect(parseDay(t), t).toBeNull();
    expect(parseDay('29/02/2024')).toBe('2024-02-29');
  });
});
