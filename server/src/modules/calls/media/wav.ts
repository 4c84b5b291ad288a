// WAV files of call audio: recordings are kept as 8 kHz 16-bit mono PCM, which every browser's <audio> plays
// (µ-law WAV is not played by all of them).
import { ulawToLinear } from './g711';

const RATE = 8000;

/** A 16-bit PCM 8 kHz mono WAV of µ-law samples. */
export function ulawToPcmWav(ulaw: Buffer): Buffer {
  const data = Buffer.alloc(ulaw.length * 2);
  for (let i = 0; i < ulaw.length; i++) data.writeInt16LE(ulawToLinear(ulaw[i]!), i * 2);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVE', 8);
  h.write('fmt ', 12);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(RATE, 24);
  h.writeUInt32LE(RATE * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}
