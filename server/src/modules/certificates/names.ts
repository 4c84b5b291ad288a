// Names on an EU DCC: the printed name (fn/gn) and its ICAO 9303 machine-readable form (fnt/gnt: A–Z and '<').
// Vietnamese names are family name first ("Nguyễn Thị Minh Khai": family "Nguyễn", given "Thị Minh Khai").

/** Letters ICAO 9303 spells out rather than strips (Vietnamese needs only đ; the rest keep foreign names right). */
const SPELLED: Record<string, string> = {
  đ: 'D', Đ: 'D', ð: 'D', Ð: 'D',
  ä: 'AE', Ä: 'AE', ö: 'OE', Ö: 'OE', ü: 'UE', Ü: 'UE', ß: 'SS',
  æ: 'AE', Æ: 'AE', ø: 'OE', Ø: 'OE', å: 'AA', Å: 'AA', þ: 'TH', Þ: 'TH', œ: 'OE', Œ: 'OE', ł: 'L', Ł: 'L',
};

export const MAX_NAME = 80;

/** ICAO 9303 transliteration: diacritics removed, đ→D, upper case, spaces and hyphens → '<', other marks dropped. */
export function icaoTransliterate(name: string): string {
  const spelled = [...name.normalize('NFC')].map((c) => SPELLED[c] ?? c).join('');
  return spelled
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/['’`.,]/g, '')
    .replace(/[\s\-]+/g, '<')
    .replace(/[^A-Z<]/g, '')
    .replace(/^<+|<+$/g, '')
    .slice(0, MAX_NAME);
}

export interface DccName {
  fn?: string;
  fnt: string;
  gn?: string;
  gnt?: string;
}

/** Splits a Vietnamese full name into family and given names, each with its transliteration. */
export function dccName(fullName: string): DccName {
  const words = fullName.normalize('NFC').trim().split(/\s+/).filter(Boolean);
  const family = (words[0] ?? '').slice(0, MAX_NAME);
  const given = words.slice(1).join(' ').slice(0, MAX_NAME);
  const name: DccName = { fn: family, fnt: icaoTransliterate(family) };
  if (given) Object.assign(name, { gn: given, gnt: icaoTransliterate(given) });
  return name;
}
