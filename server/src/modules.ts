// The domain modules, in dependency order (migrations run in this order too).
import type { VigilModule } from './platform/module';
import { geoModule } from './modules/geo';
import { peopleModule } from './modules/people';
import { venuesModule, personsWithCheckinsInUse } from './modules/venues';
import { declarationsModule } from './modules/declarations';
import { messagingModule } from './modules/messaging';
import { casesModule, personsInCases } from './modules/cases';
import { testingModule, personsInTesting } from './modules/testing';

export const modules: VigilModule[] = [
  geoModule,
  // the registry's purge asks these modules which persons they still refer to (explicit calls, no global hooks)
  peopleModule({ personsInUse: [personsWithCheckinsInUse, personsInCases, personsInTesting] }),
  venuesModule,
  declarationsModule,
  messagingModule,
  casesModule,
  testingModule,
];
