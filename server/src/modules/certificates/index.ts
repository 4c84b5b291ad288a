// Module certificates: EU DCC certificates. Issues a vaccination certificate for every recorded dose (subscribes to
// the vaccination module's dose events), revokes it when the dose is voided or corrected, verifies presented
// certificates (route, web page, `vigil cert verify`), serves QR/PDF, and manages its document signers.
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { migrationsDirOf, type AppContext, type VigilModule } from '../../platform/module';
import type { PersonInUseCheck } from '../people';
import { SignerRing } from './signer-ring';
import { certificateSubscriptions } from './subscriptions';
import { verifyRoutes } from './verify-routes';
import { holderRoutes } from './holder-routes';
import { signerRoutes } from './signer-routes';
import { personsWithCertificates, signerSyncOf } from './queries';
import { seedCertificatesDemo } from './demo';
import { parseTrust, TrustStore } from './trust';

/** Other issuers' signers from VIGIL_DCC_TRUST_FILE (a bad file stops the start: a verifier must not run half-configured). */
function foreignTrust(file: string | undefined): TrustStore {
  if (!file) return new TrustStore();
  try {
    return parseTrust(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`VIGIL_DCC_TRUST_FILE ${file}: ${(err as Error).message}`);
  }
}

/** The signer ring sits beside the platform key ring (in memory when that one is: tests). */
export const signerDirOf = (keyDir: string | null) => (keyDir ? path.join(keyDir, 'dcc') : null);

const rings = new WeakMap<AppContext, SignerRing>();

export const certificatesModule: VigilModule = {
  name: 'certificates',
  migrationsDir: migrationsDirOf(import.meta.url),
  async register(app: FastifyInstance, ctx: AppContext) {
    // the first start creates the first document signer
    const ring = await SignerRing.open(signerDirOf(ctx.keys.dir), () => ctx.config.clock(), {
      sync: signerSyncOf(ctx.db),
      refreshMs: ctx.config.dccSignerRefreshSeconds * 1000,
      retireGraceMs: ctx.config.dccRetireGraceMinutes * 60_000,
    });
    rings.set(ctx, ring);
    const deps = { ring, clock: () => ctx.config.clock(), ratDevice: ctx.config.dccRatDevice };
    certificateSubscriptions(ctx, deps);
    await verifyRoutes(app, ctx, ring, foreignTrust(ctx.config.dccTrustFile));
    await holderRoutes(app, ctx, deps);
    await signerRoutes(app, ctx, ring);
  },
  seedDemo: (ctx) => seedCertificatesDemo(ctx, rings.get(ctx)!),
};

/** For the people registry's purge (wired in server/src/modules.ts): persons who hold certificates. */
export const personsWithCertificatesInUse: PersonInUseCheck = (db, ids) => personsWithCertificates(db, ids);

export { certCommand } from './cli';
export { verifyHc1, verifyAndJudge, validityRulesOf } from './verify';
export type { VerifyResult, Checks } from './verify';
export { SignerRing } from './signer-ring';
export { signerSyncOf } from './queries';
