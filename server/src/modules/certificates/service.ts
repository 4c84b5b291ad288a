// Issuing and revoking certificates (called from the dose-event subscribers and the demo).
import type { DbOrTx } from '../../platform/db/types';
import { getPersonBirth } from '../people';
import type { DoseRecorded } from '../vaccination';
import type { TestPositive } from '../cases';
import { plusDays, recoveryPayload, RECOVERY_VALID_UNTIL_DAYS, vaccinationPayload } from './payload';
import { insertCertificate, liveBySource, revokeBySource, type CertificateRow } from './queries';
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

/**
 * A recovery certificate for a positive test (valid from day 11 to day 180 after the sample). Once per test: a
 * second delivery or a repeated event for the same test finds the live one and adds nothing.
 */
export async function issueForPositiveTest(db: DbOrTx, deps: IssueDeps, test: TestPositive): Promise<CertificateRow | null> {
  const now = deps.clock();
  if (await liveBySource(db, 'r', test.testId)) return null;
  const holder = await getPersonBirth(db, test.personId);
  if (!holder) return null;
  const ci = newUvci();
  const until = new Date(`${plusDays(test.sampledOn, RECOVERY_VALID_UNTIL_DAYS)}T23:59:59Z`);
  const signed = await signDcc(deps.ring, recoveryPayload(holder, test, ci), now, until);
  return insertCertificate(db, {
    person_id: holder.id,
    kind: 'r',
    source_id: test.testId,
    uvci: ci,
    hc1: signed.hc1,
    kid: signed.kid,
    commune_code: test.communeCode ?? null,
    issued_at: signed.issuedAt,
    expires_at: signed.expiresAt,
  });
}

export async function revokeForDose(db: DbOrTx, deps: IssueDeps, doseId: string, reason: string): Promise<number> {
  return revokeBySource(db, 'v', doseId, deps.clock(), `dose voided: ${reason}`.slice(0, 500));
}
