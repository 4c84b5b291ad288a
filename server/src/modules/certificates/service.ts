// Issuing and revoking certificates (called from the dose-event subscribers and the demo).
import type { DbOrTx } from '../../platform/db/types';
import { getPersonBirth } from '../people';
import type { DoseRecorded } from '../vaccination';
import { vaccinationPayload } from './payload';
import { insertCertificate, revokeBySource, type CertificateRow } from './queries';
import { newUvci, signDcc } from './sign';
import type { SignerRing } from './signer-ring';

export interface IssueDeps {
  ring: SignerRing;
  clock: () => Date;
}

/**
 * A vaccination certificate for a recorded dose. A later record of the same dose (a correction) revokes the
 * certificate issued for the earlier one. Returns null when the person no longer exists.
 */
export async function issueForDose(db: DbOrTx, deps: IssueDeps, dose: DoseRecorded): Promise<CertificateRow | null> {
  const now = deps.clock();
  await revokeBySource(db, 'v', dose.doseId, now, 'superseded by a corrected dose record');
  const holder = await getPersonBirth(db, dose.personId);
  if (!holder) return null;
  const ci = newUvci();
  const signed = await signDcc(deps.ring, vaccinationPayload(holder, dose, ci), now);
  return insertCertificate(db, {
    person_id: holder.id,
    kind: 'v',
    source_id: dose.doseId,
    uvci: ci,
    hc1: signed.hc1,
    kid: signed.kid,
    commune_code: dose.communeCode,
    issued_at: signed.issuedAt,
    expires_at: signed.expiresAt,
  });
}

export async function revokeForDose(db: DbOrTx, deps: IssueDeps, doseId: string, reason: string): Promise<number> {
  return revokeBySource(db, 'v', doseId, deps.clock(), `dose voided: ${reason}`.slice(0, 500));
}
