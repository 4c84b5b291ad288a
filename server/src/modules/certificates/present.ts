// A stored certificate as the API shows it: decoded from its own HC1 (the signed truth), nothing re-derived.
import { base45Decode, inflate, stripPrefix } from './hc1';
import { parseCoseSign1 } from './cose';
import { parseClaims } from './cwt';
import type { CertificateRow } from './queries';
import type { CertificateView } from './schema';

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
  };
}
