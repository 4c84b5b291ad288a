import { describe, expect, it } from 'vitest';
import { concatUdh, splitText } from './text';

describe('SMS text splitting', () => {
  it('keeps 160 GSM characters in one part and splits 161 into 153 + 8', () => {
    expect(splitText('a'.repeat(160))).toEqual({ coding: 'gsm7', parts: ['a'.repeat(160)] });
    const s = splitText('a'.repeat(161));
    expect(s.parts.map((p) => p.length)).toEqual([153, 8]);
  });

  it('counts extension characters as two septets and never splits them', () => {
    expect(splitText('€'.repeat(80)).parts).toHaveLength(1);
    const s = splitText('a' + '€'.repeat(80)); // 161 septets
    expect(s.coding).toBe('gsm7');
    expect(s.parts[0]).toBe('a' + '€'.repeat(76)); // 153 septets
    expect(s.parts.join('')).toBe('a' + '€'.repeat(80));
  });

  it('uses UCS-2 for Vietnamese: 70 in one part, 67 per part after', () => {
    expect(splitText('ạ'.repeat(70))).toEqual({ coding: 'ucs2', parts: ['ạ'.repeat(70)] });
    const text = 'Bạn đã tiếp xúc gần với ca bệnh. '.repeat(5);
    const s = splitText(text);
    expect(s.coding).toBe('ucs2');
    expect(s.parts.every((p) => p.length <= 67)).toBe(true);
    expect(s.parts.join('')).toBe(text);
  });

  it('keeps a surrogate pair in one part', () => {
    const s = splitText('ạ'.repeat(66) + '😀' + 'b'.repeat(5)); // 73 units: two parts
    expect(s.parts[0]).toBe('ạ'.repeat(66));
    expect(s.parts[1]).toBe('😀bbbbb');
  });

  it('builds the 8-bit concatenation header', () => {
    expect([...concatUdh(300, 3, 1)]).toEqual([5, 0, 3, 44, 3, 2]);
  });

  it('refuses a text longer than ten parts', () => {
    expect(() => splitText('ạ'.repeat(671))).toThrow(/at most 10/);
  });
});
