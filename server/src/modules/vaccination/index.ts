// Module vaccination: campaigns, products and lots, priority groups, sites, sessions and slots, registrations and
// bookings, the site day (scan, screening, dose, observation, AEFI), the electronic health book, dashboards.
// Its events are declared in events.ts (`vaccination.dose-recorded`, `vaccination.dose-voided`).
import type { FastifyInstance } from 'fastify';
import { migrationsDirOf, type AppContext, type VigilModule } from '../../platform/module';
import { adminRoutes } from './routes-admin';
import { bookingRoutes } from './routes-booking';
import { siteDayRoutes } from './routes-siteday';
import { bookRoutes } from './routes-book';
import { dashboardRoutes } from './routes-dashboard';
import { vaccinationJobs } from './jobs';
import { seedVaccinationDemo } from './demo';
import { vaccinationTiles } from './summary';
import './events';
import { repointVaccination } from './views';

export const vaccinationModule: VigilModule = {
  name: 'vaccination',
  migrationsDir: migrationsDirOf(import.meta.url),
  async register(app: FastifyInstance, ctx: AppContext) {
    // a merged person's vaccination record follows the record that stays
    ctx.events.subscribe('person.merged', 'vaccination.repoint', async (e, { trx }) => {
      await repointVaccination(trx, e.payload.mergedId, e.payload.keptId);
    });
    await adminRoutes(app, ctx);
    await bookingRoutes(app, ctx);
    await siteDayRoutes(app, ctx);
    await bookRoutes(app, ctx);
    await dashboardRoutes(app, ctx);
    vaccinationJobs(ctx);
  },
  /** Home page: doses given today and per day in the caller's area. */
  summary: (ctx, q) => vaccinationTiles(ctx.db, q),
  /** A campaign in Thành phố Vinh: four ward sites, lots, daily sessions, 80 registered residents, doses of the last weeks, bookings, an AEFI. */
  seedDemo: seedVaccinationDemo,
};

export type { DoseRecorded, DoseVoided } from './events';
export { dosesOf, appointmentsOf, personsInVaccination } from './views';
export { REMINDERS_JOB } from './jobs';
export { doseCount } from './rules';
/** the booking batch's database call, for the write-path probe bench/_booking-pg.ts */
export { bookSeatsQuery } from './booking-batch';
