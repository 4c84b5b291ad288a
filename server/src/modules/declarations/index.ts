// Health declarations' public face: what other modules may import.
import type { FastifyInstance } from 'fastify';
import { migrationsDirOf, type AppContext, type VigilModule } from '../../platform/module';
import { citizenRoutes } from './citizen-routes';
import { seedDeclarationsDemo } from './demo';
import { declarationJobs } from './jobs';
import { repointPerson } from './queries';
import { declarationRoutes } from './routes';
import { declarationConfigRoutes } from './config-routes';
import { declarationTiles } from './summary';


export const declarationsModule: VigilModule = {
  name: 'declarations',
  migrationsDir: migrationsDirOf(import.meta.url),
  async register(app: FastifyInstance, ctx: AppContext) {
    // declarations of a merged person follow the record that stays
    ctx.events.subscribe('person.merged', 'declarations.repoint', async (e, { trx }) => {
      await repointPerson(trx, e.payload.mergedId, e.payload.keptId);
    });
    await declarationRoutes(app, ctx);
    await declarationConfigRoutes(app, ctx);
    await citizenRoutes(app, ctx);
    declarationJobs(ctx);
  },
  /** Home page: declared and flagged today, open work items. */
  summary: (ctx, q) => declarationTiles(ctx.db, q),
  /** ~60 declarations of the last 3 days in Vinh, 10 flagged (one called, one referred, one cleared by `cdc.nghean`). */
  seedDemo: seedDeclarationsDemo,
};

export { seedStandardForms, dashboard } from './service';
export { submitDeclaration, prepareDeclaration, storeDeclaration } from './submit';
export type { SubmitInput, SubmitDeps, DeclarationContent, PreparedDeclaration } from './submit';
export { evaluate, evaluateRules } from './model';
export type { Condition, FormDefinition, FormKind, Question, RiskRule, RiskHit, Severity, Answers } from './model';
export { HEALTHY_DOMESTIC_ANSWERS, STANDARD_FORMS, STANDARD_RULES, STANDARD_ZONES } from './standard-forms';
export { PURGE_JOB as DECLARATIONS_PURGE_JOB } from './jobs';
