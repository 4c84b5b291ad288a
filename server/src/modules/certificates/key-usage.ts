// Extended key usage of a document signer certificate (EU DCC, "Technical Specifications for Digital Green
// Certificates", volume 1): a signer may be limited to test, vaccination or recovery certificates. A signer whose
// certificate names none of these OIDs may sign every type.
export type DccType = 'v' | 't' | 'r';

/** Both OID families are in use: the specified 1.3.6.1.4.1.1847.2021.1.x and the 1.3.6.1.4.1.0.1847.2021.1.x variant. */
export const DCC_EKU: Record<DccType, string[]> = {
  t: ['1.3.6.1.4.1.1847.2021.1.1', '1.3.6.1.4.1.0.1847.2021.1.1'],
  v: ['1.3.6.1.4.1.1847.2021.1.2', '1.3.6.1.4.1.0.1847.2021.1.2'],
  r: ['1.3.6.1.4.1.1847.2021.1.3', '1.3.6.1.4.1.0.1847.2021.1.3'],
};
const ALL = new Set(Object.values(DCC_EKU).flat());

/** The types a payload claims to be (normally exactly one). */
export function dccTypes(dcc: Record<string, unknown>): DccType[] {
  return (['v', 't', 'r'] as const).filter((k) => Array.isArray(dcc[k]));
}

/** true when the signer may sign every type the payload carries. */
export function keyUsageAllows(ekus: readonly string[], types: readonly DccType[]): boolean {
  const dccEkus = ekus.filter((o) => ALL.has(o));
  if (dccEkus.length === 0) return true;
  return types.every((t) => DCC_EKU[t].some((o) => dccEkus.includes(o)));
}
