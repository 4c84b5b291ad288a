// Issuing and revoking certificates (called from the dose-event subscribers and the demo).
import type { DbOrTx } from '../../platform/db/types';
import { getPersonBirth } from '../people';
import type { DoseRecorded } from '../vaccination';
import type { TestPositive } from '../cases';
import type { TestForCertificate } from '../testing';
import { conflict, notFound } from '../../platform/http/errors';
import { plusDays, recoveryPayload, RECOVERY_VALID_UNTIL_DAYS, testPayload, vaccinationPayload } from './payload';
import { decodeOwn } from './present';
import { testTypeCodes, TR_DETECTED, TR_NOT_DETECTED } from './tests';
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

/**
 * A tube's result was corrected (testing's `test.result-corrected`): its test certificate says the old result and is
 * revoked now, not at its next verification; a recovery certificate made from it goes too when the old result was
 * the positive. Returns the number revoked.
 */
export async function revokeForCorrectedTest(db: DbOrTx, deps: IssueDeps, c: { testId: string; previous: string; result: string; reason: string }): Promise<number> {
  const why = `the test result was corrected from ${c.previous} to ${c.result}: ${c.reason}`.slice(0, 500);
  let n = await revokeBySource(db, 't', c.testId, deps.clock(), why);
  if (c.previous === 'positive') n += await revokeBySource(db, 'r', c.testId, deps.clock(), why);
  return n;
}

export async function revokeForDose(db: DbOrTx, deps: IssueDeps, doseId: string, reason: string): Promise<number> {
  return revokeBySource(db, 'v', doseId, deps.clock(), `dose voided: ${reason}`.slice(0, 500));
}

export interface TestIssueDeps extends IssueDeps {
  /** the rapid antigen device of this deployment (EU common list id), from VIGIL_DCC_RAT_DEVICE */
  ratDevice: string | undefined;
}

const sampleProblem = (message: string) => conflict(`sampleId: ${message}`, [{ path: 'sampleId', message }]);

/**
 * A test certificate for one person's individual test, on request (the holder or staff). Asked again, it gives the
 * live one; when the tube's result was corrected since, the old certificate is revoked and a new one says the new
 * result. Pooled tubes, tubes without a result and invalid samples get none (409 naming why).
 */
export async function issueForTest(db: DbOrTx, deps: TestIssueDeps, test: TestForCertificate, personId: string): Promise<{ row: CertificateRow; created: boolean }> {
  if (!test.personIds.includes(personId)) throw notFound('Sample');
  if (test.poolSize > 1) throw sampleProblem('a pooled sample says nothing certain about one person: an individual test is needed for a certificate');
  if (test.result === null) throw sampleProblem('the sample has no result yet');
  if (test.result === 'invalid') throw sampleProblem('the sample was invalid: a new sample is needed');
  const codes = testTypeCodes(test.testType, deps.ratDevice);
  if ('problem' in codes) throw sampleProblem(codes.problem);
  const tr = test.result === 'positive' ? TR_DETECTED : TR_NOT_DETECTED;
  const now = deps.clock();
  const live = await liveBySource(db, 't', test.sampleId);
  if (live) {
    const entry = (decodeOwn(live.hc1).t as { tr?: string }[] | undefined)?.[0];
    if (entry?.tr === tr) return { row: live, created: false };
    await revokeBySource(db, 't', test.sampleId, now, 'the test result was corrected after the certificate was issued');
  }
  const holder = await getPersonBirth(db, personId);
  if (!holder) throw notFound('Person');
  const ci = newUvci();
  const signed = await signDcc(deps.ring, testPayload(holder, { codes, collectedAt: test.collectedAt, tr, centre: test.centre ?? 'Viet Nam' }, ci), now);
  const row = await insertCertificate(db, {
    person_id: holder.id,
    kind: 't',
    source_id: test.sampleId,
    uvci: ci,
    hc1: signed.hc1,
    kid: signed.kid,
    commune_code: test.communeCode,
    issued_at: signed.issuedAt,
    expires_at: signed.expiresAt,
  });
  return { row, created: true };
}
