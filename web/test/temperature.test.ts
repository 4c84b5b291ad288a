// lib/TemperatureInput parseTemperature: what staff type (comma or point) → °C; out of range or not a number → undefined.
import { describe, expect, it } from 'vitest';
import { parseTemperature } from '../src/lib/TemperatureInput';

describe('parseTemperature', () => {
  it('reads a comma or a point, keeps one decimal, empty is none', () => {
    expect(parseTemperature('37,4')).toBe(37.4);
    expect(parseTemperature(' 36.8 ')).toBe(36.8);
    expect(parseTemperature('38')).toBe(38);
    expect(parseTemperature('37,45')).toBe(37.5);
    expect(parseTemperature('')).toBeNull();
  });
  it('refuses what is not a body temperature instead of clamping it', () => {
    for (const bad of ['374', '3,74', '29,9', '45,1', '37,4,1', 'abc', '-37', '37..4']) expect(parseTemperature(bad), bad).toBeUndefined();
  });
});
