// Module testing: sampling points, sample collection (pooled tubes, offline phones, bulk lists), lab results with
// corrections, retest/resample tasks, notices to the people tested, figures. An individual positive publishes
// `test.positive` (cases confirms the case and tracing starts); people are notified through `messaging.requested`.
import type { FastifyInstance } from 'fastify';
import { migrationsDirOf, type AppContext, type VigilModule } from '../../platform/module';
import type { DbOrTx } from '../../platform/db/types';
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
export { importSampleLines, timeOrderedId } from './sample-import';
export { importResultLines } from './result-import';

/** One tube as a test certificate needs it (certificates module, on a holder's or staff member's request). */
export interface TestForCertificate {
  sampleId: string;
  testType: string;
  collectedAt: Date;
  poolSize: number;
  /** the current result (after corrections), null while waiting */
  result: 'positive' | 'negative' | 'invalid' | null;
  resultedAt: Date | null;
  communeCode: string;
  /** where the sample was taken (the sampling point), else null */
  centre: string | null;
  personIds: string[];
}

export async function testForCertificate(db: DbOrTx, sampleId: string): Promise<TestForCertificate | null> {
  const s = await db
    .selectFrom('samples as s')
    .leftJoin('sampling_points as p', 'p.id', 's.point_id')
    .select(['s.id', 's.test_type', 's.collected_at', 's.pool_size', 's.result', 's.resulted_at', 's.commune_code', 'p.name as point_name'])
    .where('s.id', '=', sampleId)
    .executeTakeFirst();
  if (!s) return null;
  const members = await db.selectFrom('sample_members').select('person_id').where('sample_id', '=', sampleId).orderBy('position').execute();
  return {
    sampleId: s.id,
    testType: s.test_type,
    collectedAt: s.collected_at,
    poolSize: s.pool_size,
    result: s.result,
    resultedAt: s.resulted_at,
    communeCode: s.commune_code,
    centre: s.point_name,
    personIds: members.map((m) => m.person_id),
  };
}
