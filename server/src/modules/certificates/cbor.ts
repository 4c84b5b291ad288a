// One CBOR codec for the module (cbor-x): maps stay Maps (COSE and CWT use integer keys), byte strings stay plain
// byte strings (no tag 64), no cbor-x record extension.
import { Decoder, Encoder, Tag } from 'cbor-x';

const decoder = new Decoder({ mapsAsObjects: false, useRecords: false });
const encoder = new Encoder({ mapsAsObjects: false, useRecords: false, tagUint8Array: false, variableMapSize: true });

export const cborDecode = (data: Uint8Array): unknown => decoder.decode(data);
export const cborEncode = (value: unknown): Buffer => encoder.encode(value);
export { Tag };

/** A decoded CBOR map as a JSON value (string keys); byte strings become base64. */
export function toJson(value: unknown): unknown {
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value) out[String(k)] = toJson(v);
    return out;
  }
  if (Array.isArray(value)) return value.map(toJson);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value instanceof Tag) return toJson(value.value);
  if (value instanceof Date) return value.toISOString();
  return value;
}

/** A JSON value as CBOR-ready data (objects become Maps so key order is kept and encoding is canonical enough). */
export function fromJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromJson);
  if (value && typeof value === 'object') return new Map(Object.entries(value).map(([k, v]) => [k, fromJson(v)]));
  return value;
}
