// The domain modules, in dependency order (migrations run in this order too).
import type { VigilModule } from './platform/module';
import { geoModule } from './modules/geo';

export const modules: VigilModule[] = [geoModule];
