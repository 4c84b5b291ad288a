// Module geo: administrative units (province → district → commune), boundaries; the jurisdiction tree.
import type { VigilModule } from '../../platform/module';
import { migrationsDirOf } from '../../platform/module';
import { geoRoutes } from './routes';

export { createJurisdictionResolver, importUnits, parseUnitsFile, parseUnitsCsv, parseUnitsGeoJson, ImportError, ROOT_CODE } from './service';
export type { UnitInput, ImportResult } from './service';
export { seedGeoDemo } from './demo';
export { NGHE_AN_CODE } from './demo-data';
export type { Unit, UnitDetail } from './schema';

export const geoModule: VigilModule = {
  name: 'geo',
  migrationsDir: migrationsDirOf(import.meta.url),
  register: (app, ctx) => geoRoutes(app, ctx),
};
