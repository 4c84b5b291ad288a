// G.711 µ-law (PCMU, RTP payload 0) and A-law (PCMA, payload 8): 16-bit linear PCM <-> 8-bit companded samples.
// Prompts are rendered and cached as µ-law; a call that negotiated A-law is transcoded per frame through tables.

const BIAS = 0x84;
const CLIP = 32635;

export function linearToUlaw(sample: number): number {
  let s = Math.max(-32768, Math.min(32767, sample | 0));
  const sign = s < 0 ? 0x80 : 0;
  if (sign) s = -s;
  if (s > CLIP) s = CLIP;
  s += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

export function ulawToLinear(u: number): number {
  const v = ~u & 0xff;
  const t = (((v & 0x0f) << 3) + BIAS) << ((v & 0x70) >> 4);
  return v & 0x80 ? BIAS - t : t - BIAS;
}

export function linearToAlaw(sample: number): number {
  let s = Math.max(-32768, Math.min(32767, sample | 0));
  const sign = s >= 0 ? 0x80 : 0;
  if (!sign) s = -s - 1;
  if (s < 0) s = 0;
  let out: number;
  if (s < 256) out = s >> 4;
  else {
    let exponent = 1;
    for (let v = s >> 8; v > 1 && exponent < 7; v >>= 1) exponent++;
    out = (exponent << 4) | ((s >> (exponent + 3)) & 0x0f);
  }
  return (out | sign) ^ 0x55;
}

export function alawToLinear(a: number): number {
  const v = (a ^ 0x55) & 0xff;
  const exponent = (v & 0x70) >> 4;
  let t = (v & 0x0f) << 4;
  t = exponent === 0 ? t + 8 : ((t + 0x108) << (exponent - 1));
  return v & 0x80 ? t : -t;
}

const ULAW_TO_ALAW = new Uint8Array(256);
const ALAW_TO_ULAW = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  ULAW_TO_ALAW[i] = linearToAlaw(ulawToLinear(i));
  ALAW_TO_ULAW[i] = linearToUlaw(alawToLinear(i));
}

export function ulawToAlawBuffer(ulaw: Buffer): Buffer {
  return ulawToAlawInto(ulaw, Buffer.allocUnsafe(ulaw.length), 0);
}

/** Transcode into `out` at `offset` (an RTP frame's payload), without a buffer in between. */
export function ulawToAlawInto(ulaw: Buffer, out: Buffer, offset: number): Buffer {
  for (let i = 0; i < ulaw.length; i++) out[offset + i] = ULAW_TO_ALAW[ulaw[i]!]!;
  return out;
}

export function alawToUlawBuffer(alaw: Buffer): Buffer {
  const out = Buffer.allocUnsafe(alaw.length);
  for (let i = 0; i < alaw.length; i++) out[i] = ALAW_TO_ULAW[alaw[i]!]!;
  return out;
}

/** µ-law silence (linear 0). */
export const ULAW_SILENCE = 0xff;
export const ALAW_SILENCE = 0xd5;

/** The RMS level (0…32767 scale) of µ-law audio: speech is hundreds to thousands, line silence tens or less. */
export function ulawLevel(ulaw: Buffer): number {
  if (ulaw.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < ulaw.length; i++) {
    const v = ulawToLinear(ulaw[i]!);
    sum += v * v;
  }
  return Math.sqrt(sum / ulaw.length);
}

/** A 20 ms frame whose level is at least this is voice, not line silence or comfort noise (about -40 dBFS). */
export const VOICE_LEVEL = 300;
