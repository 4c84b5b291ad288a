// SMS text encoding and splitting (3GPP TS 23.038 / 23.040): GSM 7-bit when every character is in the GSM default
// alphabet (an extension character such as € or [ takes two septets), else UCS-2 (Vietnamese with diacritics).
// Long texts are split into parts that each carry a concatenation header (UDH IE 0x00, 8-bit reference):
// 153 septets or 67 UCS-2 units per part, never cutting an escape sequence or a surrogate pair.
// Written here because npm `smpp` encodes one PDU's text but does not split; it encodes each part we give it.
import smpp from 'smpp';

export type SmsCoding = 'gsm7' | 'ucs2';

const GSM_EXTENSION = new Set(['\f', '^', '{', '}', '\\', '[', '~', ']', '|', '€']);
const MAX_PARTS = 10;

export interface SplitText {
  coding: SmsCoding;
  parts: string[];
}

export function codingOf(text: string): SmsCoding {
  return smpp.encodings.ASCII.match(text) ? 'gsm7' : 'ucs2';
}

/** Units a character takes: septets for GSM 7-bit, UTF-16 code units for UCS-2. */
function units(ch: string, coding: SmsCoding): number {
  if (coding === 'ucs2') return ch.length; // a surrogate pair counts 2
  return GSM_EXTENSION.has(ch) ? 2 : 1;
}

export function splitText(text: string): SplitText {
  const coding = codingOf(text);
  const chars = Array.from(text); // code points: a surrogate pair stays whole
  const total = chars.reduce((n, c) => n + units(c, coding), 0);
  const single = coding === 'gsm7' ? 160 : 70;
  if (total <= single) return { coding, parts: [text] };
  const per = coding === 'gsm7' ? 153 : 67;
  const parts: string[] = [];
  let cur = '';
  let n = 0;
  for (const c of chars) {
    const u = units(c, coding);
    if (n + u > per) {
      parts.push(cur);
      cur = '';
      n = 0;
    }
    cur += c;
    n += u;
  }
  if (cur) parts.push(cur);
  if (parts.length > MAX_PARTS) throw new RangeError(`text needs ${parts.length} SMS parts; at most ${MAX_PARTS}`);
  return { coding, parts };
}

/** The concatenation header of part `index` (0-based) of `total`, reference `ref` (0..255). */
export function concatUdh(ref: number, total: number, index: number): Buffer {
  return Buffer.from([0x05, 0x00, 0x03, ref & 0xff, total, index + 1]);
}

/** How many parts `text` needs (for previews and dry runs). */
export function partsOf(text: string): number {
  return splitText(text).parts.length;
}
