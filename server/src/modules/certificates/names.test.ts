import { describe, expect, it } from 'vitest';
import { dccName, icaoTransliterate } from './names';

describe('ICAO 9303 transliteration', () => {
  it.each([
    ['Nguyễn', 'NGUYEN'],
    ['Trần Thị Ánh Tuyết', 'TRAN<THI<ANH<TUYET'],
    ['Đặng Văn Đức', 'DANG<VAN<DUC'],
    ['đỗ', 'DO'],
    ['Phạm  Hữu   Lộc', 'PHAM<HUU<LOC'],
    ['Lê-Ngọc Ưng', 'LE<NGOC<UNG'],
    ['Huỳnh Quỳnh Ỷ Ỵ', 'HUYNH<QUYNH<Y<Y'],
    ['Musterfrau-Gößinger', 'MUSTERFRAU<GOESSINGER'],
    ["d'Červenková Panklová", 'DCERVENKOVA<PANKLOVA'],
  ])('%s → %s', (name, expected) => {
    expect(icaoTransliterate(name)).toBe(expected);
  });

  it('works on decomposed input (NFD, as some keyboards send it)', () => {
    expect(icaoTransliterate('Nguyễn Đình'.normalize('NFD'))).toBe('NGUYEN<DINH');
  });

  it('keeps only A-Z and <, at most 80 characters', () => {
    const t = icaoTransliterate(`Ngô ${'Bảo '.repeat(30)}(2) 😀`);
    expect(t).toMatch(/^[A-Z<]*$/);
    expect(t.length).toBe(80);
  });
});

describe('Vietnamese name split', () => {
  it('family name first, the rest given names', () => {
    expect(dccName('Nguyễn Thị Minh Khai')).toEqual({ fn: 'Nguyễn', fnt: 'NGUYEN', gn: 'Thị Minh Khai', gnt: 'THI<MINH<KHAI' });
  });
  it('a one-word name is a family name only', () => {
    expect(dccName(' Bình ')).toEqual({ fn: 'Bình', fnt: 'BINH' });
  });
});
