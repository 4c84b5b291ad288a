// The person registry's public face: what other modules may import.
import type { FastifyInstance } from 'fastify';
import { migrationsDirOf, type AppContext, type VigilModule } from '../../platform/module';
import { peopleJobs } from './jobs';
import { peopleRoutes } from './routes';
import { selfRoutes } from './self-routes';
import { linkRequestRoutes } from './link-routes';
import { deviceRoutes } from './device-routes';

import type { PersonInUseCheck } from './hooks';
import { linkProofMethods, type LinkProofMethod } from './links';

export interface PeopleModuleOptions {
  /**
   * Modules that refer to persons without a foreign key say which persons they still use; the retention purge
   * keeps those. Wired explicitly in server/src/modules.ts (the registry imports no other module).
   */
  personsInUse: readonly PersonInUseCheck[];
  /**
   * The ways a citizen may prove they hold a record when linking it to their account or as a dependant, each
   * completing at once (people/links.ts). Listed explicitly in server/src/modules.ts: a method another module offers
   * (a one-time code by SMS) is added there, not registered into a process-global table.
   */
  linkProofs: readonly LinkProofMethod[];
}

export function peopleModule(opts: PeopleModuleOptions): VigilModule {
  const proofs = linkProofMethods(opts.linkProofs);
  return {
    name: 'people',
    migrationsDir: migrationsDirOf(import.meta.url),
    async register(app: FastifyInstance, ctx: AppContext) {
      await peopleRoutes(app, ctx);
      await selfRoutes(app, ctx, proofs);
      await linkRequestRoutes(app, ctx);
      await deviceRoutes(app, ctx);
      peopleJobs(ctx, opts.personsInUse);
    },
  };
}

export { normalizePhone, normalizeName, maskPhone, maskNationalId, nationalIdProblem, duplicateReason } from './normalize';
export type { Sex, DuplicateReason, MatchFields } from './normalize';
export { dependantsOf, isManagerOf, addDependant, type DependantBrief } from './households';
export {
  getPersonBrief,
  getPersonBriefs,
  getPersonContact,
  getPersonPhones,
  residentsWithPhone,
  communesOfPhones,
  resolvePersonId,
  type PersonBrief,
  type PersonContact,
} from './reads';
export { getPersonBirth, type PersonBirth } from './birth';
export { findOrCreatePerson, findOrCreatePublicWithDevice, validatePublicPerson, type FindOrCreateInput, type FindOrCreateOptions } from './service';
export { findOrCreatePeople, type BulkFindOrCreateOptions, type BulkOutcome } from './bulk';
export { type PersonSource, type PersonValues } from './validate';
export { personRecordsLite, personIdsMatching, type PersonRecordLite, type PersonQueryKind } from './contacts';
export { personalQrToken, verifyPersonalQr, personDeviceToken, isPersonDeviceToken, bareToken, personIdOf, qrSvg, PERSONAL_QR_TYPE } from './qr';
export type { PersonMerged, PersonInUseCheck } from './hooks';
export { personalQrProof, startCodeLink, finishCodeLink, type LinkProofMethod, type CodeLinkTarget } from './links';
export { deviceRegistry, TOUCH_MS as DEVICE_TOUCH_MS, type DeviceRegistry, type DeviceOrigin } from './devices';
export { personIdsByReference, cardReference } from './reference';
export { PURGE_JOB as PEOPLE_PURGE_JOB } from './jobs';
export { findPeopleForDesk, type DeskQuery, type DeskMatch } from './identities';
export { getPersonIdentities, findPeopleByIdentifier, registryHoldersOfNationalId, personIdsByNationalIds, liveIdsByNationalIdSql, personNamesSql, type PersonIdentity } from './identities';
