// Local wall-clock readings: the fast ISO writer (offset remembered per quarter hour) agrees with Intl's reading,
// also across daylight-saving changes and in zones with half- and quarter-hour offsets.
import { describe, expect, it } from 'vitest';
import { localIso, localParts } from './time';

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
