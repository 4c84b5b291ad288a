// Module testing: sampling points, sample collection (pooled tubes, offline phones, bulk lists), lab results with
// corrections, retest/resample tasks, notices to the people tested, figures. An individual positive publishes
// `test.positive` (cases confirms the case and tracing starts); people are notified through `messaging.requested`.
import type { FastifyInstance } from 'fastify';
import { migrationsDirOf, type AppContext, type VigilModule } from '../../platform/module';
import type { PersonInUseCheck } from '../people';
import { testingRoutes } from './routes';
import { repointPerson } from './repoint';
import { seedTestingDemo } from './demo';
import { testingTiles } from './summary';

export const testingModule: VigilModule = {
  name: 'testing',
  migrationsDir: migrationsDirOf(import.meta.url),
  async register(app: FastifyInstance, ctx: AppContext) {
    await testingRoutes(app, ctx);
    // merged persons: their tubes, tasks and notices follow the record that stays
    ctx.events.subscribe('person.merged', 'testing.repoint', async (e, { trx }) => {
      await repointPerson(trx, e.payload.mergedId, e.payload.keptId);
    });
  },
  /** Home page: tubes collected per day in the caller's area, open retests now. */
  summary: (ctx, q) => testingTiles(ctx.db, q),
  /** Three sampling points in Vinh, a mass-testing day with pools, one positive pool with retests (one positive), earlier days. */
  seedDemo: seedTestingDemo,
};

/** For the people registry's purge (wired in server/src/modules.ts): persons with samples or tasks. */
export const personsInTesting: PersonInUseCheck = async (db, ids) => {
  if (!ids.length) return [];
  const rows = await db.selectFrom('sample_members').select('person_id').distinct().where('person_id', 'in', ids).execute();
  return rows.map((r) => r.person_id);
};

export { SAMPLE_COLUMNS } from './sample-import';
export { RESULT_COLUMNS } from './result-import';
export { importSamplesFile, importResultsFile, retestsForCli, TestingCliError } from './cli';
export { importSampleLines } from './sample-import';
export { importResultLines } from './result-import';
