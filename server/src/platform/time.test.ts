import { describe, expect, it } from 'vitest';
import { localIso, localParts, addDays, inDailyWindow, localDay, localDayWindow, nextInDailyWindow, startOfLocalDay, tzOffsetMinutes } from './time';

const VN = 'Asia/Ho_Chi_Minh';
const BERLIN = 'Europe/Berlin';

describe('platform time helper', () => {
  it('tells the local day and when it starts', () => {
    expect(localDay(new Date('2021-08-01T16:59:59Z'), VN)).toBe('2021-08-01');
    expect(localDay(new Date('2021-08-01T17:00:00Z'), VN)).toBe('2021-08-02');
    expect(startOfLocalDay('2021-08-02', VN).toISOString()).toBe('2021-08-01T17:00:00.000Z');
    expect(tzOffsetMinutes(new Date('2021-08-01T00:00:00Z'), VN)).toBe(420);
    expect(addDays('2021-02-28', 1)).toBe('2021-03-01');
    expect(addDays('2021-03-01', -1)).toBe('2021-02-28');
  });

  it('gives day windows as half-open intervals, also across a daylight-saving change', () => {
    expect(localDayWindow('2021-08-01', '2021-08-03', VN)).toEqual({ from: new Date('2021-07-31T17:00:00Z'), to: new Date('2021-08-03T17:00:00Z') });
    // 28 March 2021: Berlin moves from +01:00 to +02:00 at 02:00 local; the day is 23 hours long
    const w = localDayWindow('2021-03-28', '2021-03-28', BERLIN);
    expect(w.from.toISOString()).toBe('2021-03-27T23:00:00.000Z');
    expect(w.to.getTime() - w.from.getTime()).toBe(23 * 3600_000);
  });

  it('knows call windows and when the next one opens', () => {
    const calls = { start: '08:00', end: '20:30' };
    expect(inDailyWindow(new Date('2021-08-01T01:00:00Z'), calls, VN)).toBe(true); // 08:00 local
    expect(inDailyWindow(new Date('2021-08-01T13:30:00Z'), calls, VN)).toBe(false); // 20:30 local
    expect(nextInDailyWindow(new Date('2021-08-01T13:30:00Z'), calls, VN).toISOString()).toBe('2021-08-02T01:00:00.000Z');
    expect(nextInDailyWindow(new Date('2021-07-31T20:00:00Z'), calls, VN).toISOString()).toBe('2021-08-01T01:00:00.000Z'); // 03:00 local → 08:00 that day
    const inside = new Date('2021-08-01T05:00:00Z');
    expect(nextInDailyWindow(inside, calls, VN)).toBe(inside);
  });
});

describe('localIso', () => {
  it('writes the local time with its offset, as Intl reads it, across DST changes', () => {
    expect(localIso(new Date('2021-08-02T02:00:00Z'), 'Asia/Ho_Chi_Minh')).toBe('2021-08-02T09:00:00+07:00');
    expect(localIso(new Date('2026-03-29T00:59:59.900Z'), 'Europe/Berlin')).toBe('2026-03-29T01:59:59+01:00');
    expect(localIso(new Date('2026-03-29T01:00:00Z'), 'Europe/Berlin')).toBe('2026-03-29T03:00:00+02:00');
    expect(localIso(new Date('2026-01-01T00:00:00Z'), 'UTC')).toBe('2026-01-01T00:00:00+00:00');
    for (const tz of ['Asia/Kathmandu', 'America/St_Johns', 'Australia/Lord_Howe', 'Europe/London'])
      for (let ms = Date.parse('2026-01-01T00:00:00Z'); ms < Date.parse('2027-01-01T00:00:00Z'); ms += 7 * 3600_000 + 13 * 60_000 + 7_000) {
        const d = new Date(ms);
        const p = localParts(d, tz);
        expect(localIso(d, tz), `${tz} ${d.toISOString()}`).toBe(`${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}${p.offset}`);
      }
  });
});
