// The domain modules, in dependency order (migrations run in this order too).
import type { VigilModule } from './platform/module';
import { geoModule } from './modules/geo';
import { peopleModule } from './modules/people';
import { venuesModule } from './modules/venues';
import { declarationsModule } from './modules/declarations';
import { casesModule } from './modules/cases';

export const modules: VigilModule[] = [geoModule, peopleModule, venuesModule, declarationsModule, casesModule];
