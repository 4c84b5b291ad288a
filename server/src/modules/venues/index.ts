// Module venues: venues and their entrances, signed QR posters, citizen and gate check-ins, look-ups, retention.
import { sharedChangeFeed } from '../../platform/change-feed';
import type { FastifyInstance } from 'fastify';
import { migrationsDirOf, type AppContext, type VigilModule } from '../../platform/module';
import type { Db, DbOrTx } from '../../platform/db/types';
import type { KeyRing } from '../../platform/signing';
import { deviceRegistry, type PersonInUseCheck } from '../people/index';
import { checkinRoutes } from './checkin-routes';
import { CheckinEngine } from './checkins';
import { importCheckinsFileWith, type Progress } from './imports';
import { createPartitionsAhead, venueJobs } from './jobs';
import { seedVenuesDemo } from './demo';
import { peopleAdapter } from './people-adapter';
import { readEntranceOfQr } from './entrances';
import { personsWithCheckins, repointCheckins } from './checkin-queries';
import { staysOverlapping } from './checkin-reads';
import { findVenue } from './queries';
import { venueRoutes } from './routes';
import { checkinTiles } from './summary';

/**
 * Check-ins refer to persons without a foreign key (migration 0002): the registry's purge keeps a person while they
 * have any. Passed to the people module in server/src/modules.ts.
 */
export const personsWithCheckinsInUse: PersonInUseCheck = (db, ids) => personsWithCheckins(db, ids);

/**
 * The check-in group commit (platform/batcher): a batch goes at once when nothing is being written, and while one
 * is, the next batch is whatever arrives meanwhile; a second statement only when one takes over 10 ms (a slow batch
 * of first visits). Measured against a 2 ms timer with 4 slots (docs/benchmarks-log.md, session 8): larger batches
 * (fewer statements, less CPU a check-in) and a shorter send→commit at 64–256 connections.
 */
export const CHECKIN_BATCH = { eager: true, maxConcurrent: 2, maxWaitMs: 10 } as const;

export const venuesModule: VigilModule = {
  name: 'venues',
  migrationsDir: migrationsDirOf(import.meta.url),
  async register(app: FastifyInstance, ctx: AppContext) {
    const people = peopleAdapter(ctx.keys, ctx.access.resolver, deviceRegistry(ctx), ctx.verifyPool);
    const engine = new CheckinEngine({
      db: ctx.db,
      pool: ctx.pool,
      keys: ctx.keys,
      verifyPool: ctx.verifyPool,
      access: ctx.access,
      people,
      clock: ctx.config.clock,
      feed: sharedChangeFeed(ctx),
      retentionDays: ctx.config.checkinRetentionDays,
      batch: { maxQueuedRows: ctx.config.checkinQueueMax, ...CHECKIN_BATCH },
    });
    // Merged people: their check-ins follow the surviving record. The engine forgets the merged record first, so
    // a check-in resolving the merged card from now on lands on the kept one.
    ctx.events.subscribe('person.merged', 'venues.repoint-checkins', async (e, { trx }) => {
      engine.invalidatePerson(e.payload.mergedId);
      await repointCheckins(trx, e.payload.mergedId, e.payload.keptId);
    });
    // group-commit figures for the benchmark and diagnostics
    if (!app.hasDecorator('vigilCheckinStats')) app.decorate('vigilCheckinStats', () => ({ ...engine.batcher.stats, queued: engine.batcher.queued, writing: engine.batcher.writing, warm: engine.warmCount }));
    // the coming days' check-in partitions exist before the first check-in (the job keeps them ahead after that;
    // the insert path creates a missing one itself, so a failure here is logged, not fatal)
    app.addHook('onReady', async () => {
      await createPartitionsAhead(ctx).catch((err: Error) => app.log.warn({ err: { message: err.message } }, 'check-in partitions not created ahead'));
    });
    app.addHook('onClose', async () => {
      engine.close();
      await engine.batcher.drain(); // acknowledge nothing that is not written; write what was accepted
    });
    await venueRoutes(app, { ctx, engine, people });
    await checkinRoutes(app, { ctx, engine, people });
    venueJobs(ctx);
  },
  /** Home page: check-ins in the caller's area today and over the last days. */
  summary: (ctx, q) => checkinTiles(ctx.db, q),
  /** Demo venues in Vinh (one operated by the demo user `diadiem`), one suspended, one pending, an event; 3 days of check-ins. */
  seedDemo: (ctx) => seedVenuesDemo(ctx, peopleAdapter(ctx.keys, ctx.access.resolver, deviceRegistry(ctx))),
};

/**
 * `vigil import venues <file.csv|.xlsx>`: columns code,name,type,commune_code,address,default_stay_minutes.
 * Valid lines are imported (approved, with a default entrance), bad lines reported with line and column.
 */
export { importVenuesFile, venueTemplateXlsx, VENUE_COLUMNS, CHECKIN_COLUMNS, ImportFileError, readTable } from './imports';
export type { VenueImportOptions, Progress } from './imports';

/**
 * `vigil import checkins <file.csv>`: columns person_national_id,person_phone,person_name,venue_code,checkin_at,
 * checkout_at (ISO 8601 with offset; checkout may be empty). `ctx` is the app context (`app.vigil`).
 * Valid lines are imported, bad lines reported; importing the same file again reports duplicates.
 */
export function importCheckinsFile(db: Db, ctx: AppContext, file: string, opts: Progress = {}) {
  return importCheckinsFileWith(
    db,
    { clock: ctx.config.clock, retentionDays: ctx.config.checkinRetentionDays, people: peopleAdapter(ctx.keys, ctx.access.resolver, deviceRegistry(ctx)) },
    file,
    opts,
  );
}

/**
 * The venue a venue QR names (a poster's token, or its `/c/<token>` URL), its signature, key and expiry checked: for
 * other modules that act "at a venue", e.g. a health declaration made there. Throws a 4xx AppError naming `path`.
 */
export async function venueOfQr(db: DbOrTx, keys: KeyRing, qr: string, now: Date, path: string): Promise<{ venueId: string; name: string; type: string; communeCode: string }> {
  const token = qr.includes('/c/') ? qr.slice(qr.lastIndexOf('/c/') + 3) : qr;
  const e = await readEntranceOfQr(db, keys, token, now, path);
  return { venueId: e.venueId, name: e.venueName, type: e.venueType, communeCode: e.communeCode };
}

export { PURGE_CHECKINS_JOB, CHECKIN_PARTITIONS_JOB } from './jobs';
/** Check-in retention as the hourly job runs it (drops the day partitions older than `before`); for benchmarks and tools. */
export { purgeCheckins } from './checkin-queries';
/** The group-commit write itself (bench/checkin-pg.ts measures its PostgreSQL side alone). */
export { insertCheckinsPrepared, type NewCheckin } from './checkin-insert';
export { venueRefs } from './refs';
export type { VenueRef } from './refs';
/** The signed token of an entrance QR (`${publicUrl}/c/<token>`), e.g. for demo seeding. */
export { signVenueToken, checkinUrl, VENUE_TOKEN_TYPE } from './tokens';
export { DEFAULT_ENTRANCE_NAME } from './service';
export { MAX_STAY_MS } from './queries';
export { VENUE_TYPES } from './schema';
export type { ImportResult, ImportLineError, VenueItem, VenueDetail, CheckinResponse } from './schema';

/**
 * Who was at a venue in [from, to) (stays overlapping the window): for exposure warnings and campaigns. Returns the
 * venue's commune (for the caller's jurisdiction check) and the distinct person ids, or null for an unknown venue.
 */
export async function personsAtVenue(db: DbOrTx, venueId: string, from: Date, to: Date): Promise<{ venueName: string; communeCode: string; personIds: string[] } | null> {
  const v = /^[0-9a-f-]{36}$/i.test(venueId) ? await findVenue(db, venueId) : undefined;
  if (!v) return null;
  const rows = await staysOverlapping(db, { from, to, venueIds: [venueId], communeCodes: null }).select('c.person_id').distinct().execute();
  return { venueName: v.name, communeCode: v.commune_code, personIds: rows.map((r) => String(r.person_id)) };
}
