// Instants of sample and result files: ISO 8601 with an offset, a date that exists, a year the database can store.
import { describe, expect, it } from 'vitest';
import { parseInstant } from './lines';

describe('parseInstant', () => {
  it('reads ISO 8601 instants with their offset', () => {
    expect((parseInstant('2021-08-12T08:30:00+07:00') as Date).toISOString()).toBe('2021-08-12T01:30:00.000Z');
    expect((parseInstant('2021-08-12 08:30Z') as Date).toISOString()).toBe('2021-08-12T08:30:00.000Z');
    expect((parseInstant(' 2021-08-12T08:30:00.5+0700 ') as Date).toISOString()).toBe('2021-08-12T01:30:00.500Z');
  });
  it('refuses what is not one, days that do not exist and years no lab writes (year 0000 would fail the whole file)', () => {
    expect(parseInstant('')).toBe('is required');
    expect(parseInstant('12/08/2021 08:30')).toMatch(/ISO 8601/);
    expect(parseInstant('2021-08-12T08:30:00')).toMatch(/ISO 8601/);
    expect(parseInstant('2021-02-30T08:30:00+07:00')).toBe('is not a valid date and time');
    expect(parseInstant('2021-13-01T08:30:00+07:00')).toBe('is not a valid date and time');
    expect(parseInstant('2021-08-12T24:30:00+07:00')).toBe('is not a valid date and time');
    expect(parseInstant('2021-08-12T08:60:00+07:00')).toBe('is not a valid date and time');
    expect(parseInstant('2021-08-12T08:30:61+07:00')).toBe('is not a valid date and time');
    expect(parseInstant('0000-08-12T08:30:00+07:00')).toBe('is too far in the past (before 2000)');
    expect(parseInstant('1921-08-12T08:30:00+07:00')).toBe('is too far in the past (before 2000)');
  });
});
