// The domain modules, in dependency order (migrations run in this order too).
import type { VigilModule } from './platform/module';
import { geoModule } from './modules/geo';
import { peopleModule, personalQrProof } from './modules/people';
import { venuesModule, personsWithCheckinsInUse } from './modules/venues';
import { declarationsModule } from './modules/declarations';
import { messagingModule } from './modules/messaging';
import { casesModule, personsInCases } from './modules/cases';
import { testingModule, personsInTesting } from './modules/testing';
import { callsModule } from './modules/calls';
import { certificatesModule, personsWithCertificatesInUse } from './modules/certificates';

export const modules: VigilModule[] = [
  geoModule,
  // the registry's purge asks these modules which persons they still refer to; a citizen links a record by these
  // proofs (explicit calls and lists, no global hooks)
  peopleModule({ personsInUse: [personsWithCheckinsInUse, personsInCases, personsInTesting, personsWithCertificatesInUse], linkProofs: [personalQrProof] }),
  venuesModule,
  declarationsModule,
  messagingModule,
  casesModule,
  testingModule,
  callsModule,
  certificatesModule,
];
