// The person registry's public face: what other modules may import.
import type { FastifyInstance } from 'fastify';
import { migrationsDirOf, type AppContext, type VigilModule } from '../../platform/module';
import { peopleJobs } from './jobs';
import { peopleRoutes } from './routes';
import { selfRoutes } from './self-routes';

export const peopleModule: VigilModule = {
  name: 'people',
  migrationsDir: migrationsDirOf(import.meta.url),
  async register(app: FastifyInstance, ctx: AppContext) {
    await peopleRoutes(app, ctx);
    await selfRoutes(app, ctx);
    peopleJobs(ctx);
  },
};

export { normalizePhone, normalizeName, maskPhone, maskNationalId, nationalIdProblem, duplicateReason } from './normalize';
export type { Sex, DuplicateReason, MatchFields } from './normalize';
export {
  findOrCreatePerson,
  getPersonBrief,
  getPersonBriefs,
  getPersonContact,
  resolvePersonId,
  dependantsOf,
  isManagerOf,
  addDependant,
  type FindOrCreateInput,
  type FindOrCreateOptions,
  type PersonBrief,
  type PersonContact,
  type DependantBrief,
  type PersonSource,
} from './service';
export { personalQrToken, verifyPersonalQr, personDeviceToken, verifyPersonDeviceToken, isPersonDeviceToken, bareToken, personIdOf, qrSvg, PERSONAL_QR_TYPE } from './qr';
export { onPersonMerged, onPersonInUse, type PersonMergedEvent, type PersonMergedHandler, type PersonInUseCheck } from './hooks';
export { PURGE_JOB as PEOPLE_PURGE_JOB } from './jobs';
export { getPersonIdentities, findPeopleByIdentifier, type PersonIdentity } from './identities';
