// A stored certificate as the API shows it: decoded from its own HC1 (the signed truth), nothing re-derived.
import { base45Decode, inflate, stripPrefix } from './hc1';
import { parseCoseSign1 } from './cose';
import { parseClaims } from './cwt';
import type { CertificateRow } from './queries';
import type { CertificateView } from './schema';
import { productName } from './products';

interface Nam { fn?: string; gn?: string; fnt?: string; gnt?: string }

export function decodeOwn(hc1: string): Record<string, unknown> {
  return parseClaims(parseCoseSign1(inflate(base45Decode(stripPrefix(hc1)))).payload).dcc;
}

export function holderName(nam: Nam): string {
  return [nam.fn ?? nam.fnt, nam.gn ?? nam.gnt].filter(Boolean).join(' ');
}

export function certificateView(row: CertificateRow): CertificateView {
  const dcc = decodeOwn(row.hc1);
  const entries = (dcc[row.kind] as Record<string, unknown>[] | undefined) ?? [];
  return {
    id: row.id,
    personId: row.person_id,
    kind: row.kind,
    uvci: row.uvci,
    hc1: row.hc1,
    issuedAt: row.issued_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    revoked: row.revoked_at !== null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
    holder: { fullName: holderName(dcc.nam as Nam), birthDate: String(dcc.dob ?? '') },
    entry: entries[0] ?? {},
    product: productOf(dcc),
  };
}

/** display name of the vaccine product of a payload's vaccination entry, else null */
export function productOf(dcc: Record<string, unknown> | null): string | null {
  const mp = (dcc?.v as { mp?: unknown }[] | undefined)?.[0]?.mp;
  return typeof mp === 'string' ? productName(mp) : null;
}
