// The dose events of the vaccination module issue and revoke vaccination certificates; a positive test (testing
// module) issues a recovery certificate; a corrected test result (`test.result-corrected`) revokes at once the test
// certificate of that tube, and its recovery certificate when the corrected result was the positive; a person merge
// re-points them.
import type { AppContext } from '../../platform/module';
import { issueForDose, issueForPositiveTest, revokeForCorrectedTest, revokeForDose, type IssueDeps } from './service';
import { repointPerson } from './queries';

export function certificateSubscriptions(ctx: AppContext, deps: IssueDeps): void {
  ctx.events.subscribe('vaccination.dose-recorded', 'certificates.issue-vaccination', async (e, { trx }) => {
    const row = await issueForDose(trx, deps, e.payload);
    if (!row) ctx.log.warn({ event: e.id }, 'certificates: dose of a person no longer in the registry, no certificate');
  });
  ctx.events.subscribe('vaccination.dose-voided', 'certificates.revoke-vaccination', async (e, { trx }) => {
    await revokeForDose(trx, deps, e.payload.doseId, e.payload.reason);
  });
  ctx.events.subscribe('test.positive', 'certificates.issue-recovery', async (e, { trx }) => {
    await issueForPositiveTest(trx, deps, e.payload);
  });
  ctx.events.subscribe('test.result-corrected', 'certificates.revoke-test', async (e, { trx }) => {
    await revokeForCorrectedTest(trx, deps, e.payload);
  });
  ctx.events.subscribe('person.merged', 'certificates.repoint', async (e, { trx }) => {
    await repointPerson(trx, e.payload.mergedId, e.payload.keptId);
  });
}
