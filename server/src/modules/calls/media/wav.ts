// WAV files of call audio: recordings are kept as 8 kHz 16-bit mono PCM, which every browser's <audio> plays
// (µ-law WAV is not played by all of them).
import { alawToLinear, linearToUlaw, ulawToLinear } from './g711';

const RATE = 8000;

/** A mono 8 kHz WAV around `data`: 16-bit PCM (format 1), or µ-law (format 7, with the cbSize and `fact` chunk a
 * non-PCM format carries). */
function wav(format: 1 | 7, data: Buffer): Buffer {
  const ulaw = format === 7;
  const bytes = ulaw ? 1 : 2;
  const fmt = ulaw ? 18 : 16;
  const h = Buffer.alloc(20 + fmt + (ulaw ? 12 : 0) + 8);
  h.write('RIFF', 0);
  h.writeUInt32LE(h.length - 8 + data.length, 4);
  h.write('WAVE', 8);
  h.write('fmt ', 12);
  h.writeUInt32LE(fmt, 16);
  h.writeUInt16LE(format, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(RATE, 24);
  h.writeUInt32LE(RATE * bytes, 28);
  h.writeUInt16LE(bytes, 32);
  h.writeUInt16LE(bytes * 8, 34);
  let at = 20 + fmt; // after cbSize (0) for µ-law
  if (ulaw) {
    h.write('fact', at);
    h.writeUInt32LE(4, at + 4);
    h.writeUInt32LE(data.length, at + 8);
    at += 12;
  }
  h.write('data', at);
  h.writeUInt32LE(data.length, at + 4);
  return Buffer.concat([h, data]);
}

/** A 16-bit PCM 8 kHz mono WAV of µ-law samples. */
export function ulawToPcmWav(ulaw: Buffer): Buffer {
  const data = Buffer.alloc(ulaw.length * 2);
  for (let i = 0; i < ulaw.length; i++) data.writeInt16LE(ulawToLinear(ulaw[i]!), i * 2);
  return wav(1, data);
}

/** A µ-law 8 kHz mono WAV around raw µ-law samples (prompts served to a TwiML provider). */
export function ulawWav(ulaw: Buffer): Buffer {
  return wav(7, ulaw);
}

/**
 * A WAV file (PCM 8/16-bit, µ-law or A-law; any rate and channel count) as 8 kHz mono µ-law: the first channel,
 * resampled by nearest sample. Null when it is not a WAV we can read.
 */
export function wavToUlaw(wav: Buffer): Buffer | null {
  if (wav.length < 12 || wav.toString('ascii', 0, 4) !== 'RIFF' || wav.toString('ascii', 8, 12) !== 'WAVE') return null;
  let fmt: { format: number; channels: number; rate: number; bits: number } | null = null;
  let data: Buffer | null = null;
  for (let off = 12; off + 8 <= wav.length; ) {
    const id = wav.toString('ascii', off, off + 4);
    const size = wav.readUInt32LE(off + 4);
    const body = wav.subarray(off + 8, Math.min(wav.length, off + 8 + size));
    if (id === 'fmt ' && body.length >= 16) fmt = { format: body.readUInt16LE(0), channels: body.readUInt16LE(2), rate: body.readUInt32LE(4), bits: body.readUInt16LE(14) };
    if (id === 'data') data = body;
    off += 8 + size + (size & 1);
  }
  if (!fmt || !data || !fmt.channels || fmt.rate < 1000 || fmt.rate > 192_000) return null;
  const { format, channels, rate, bits } = fmt;
  const read: ((b: Buffer, i: number) => number) | null =
    format === 1 && bits === 16 ? (b, i) => b.readInt16LE(i) : format === 1 && bits === 8 ? (b, i) => (b[i]! - 128) << 8 : format === 7 && bits === 8 ? (b, i) => ulawToLinear(b[i]!) : format === 6 && bits === 8 ? (b, i) => alawToLinear(b[i]!) : null;
  if (!read) return null;
  const frame = (bits / 8) * channels;
  const frames = Math.floor(data.length / frame);
  const n = Math.floor((frames * RATE) / rate);
  const out = Buffer.alloc(n);
  for (let k = 0; k < n; k++) out[k] = linearToUlaw(read(data, Math.min(frames - 1, Math.floor((k * rate) / RATE)) * frame));
  return out;
}
