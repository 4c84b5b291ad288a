// Jurisdiction and audit helpers shared by the module's routes (the rule itself lives in platform/auth).
import type { FastifyRequest } from 'fastify';
import { recordAudit, type AuditEntry } from '../../platform/audit';
import { auditActor } from '../../platform/auth/routes';
import type { AuthUser } from '../../platform/auth/service';
import type { Permission } from '../../platform/auth/roles';
import { invalidField } from '../../platform/http/errors';
import type { AppContext } from '../../platform/module';
import type { CaseSettings } from './service';

export function routeKit(ctx: AppContext) {
  const { db, access } = ctx;
  const now = () => ctx.config.clock();
  const settings: CaseSettings = ctx.config;
  const audit = async (req: FastifyRequest, e: Omit<AuditEntry, 'actor' | 'ip'>) =>
    recordAudit(db, { ...e, actor: await auditActor(access, req.user!), ip: req.ip, at: now() });
  /** The unit codes to filter by: the caller's whole jurisdiction, or a unit inside it they picked (null = all). */
  const scopeFor = (user: AuthUser, perm: Permission, unit: string | undefined, path = 'querystring.unit') => access.scopeWithin(user, perm, unit, path);
  /** A place the user may admit people into (cases.write on the place's commune): another area's place is 403. */
  const placeFor = async (user: AuthUser, placeId: string, path = 'body.placeId') => {
    const p = await db.selectFrom('quarantine_places').select(['id', 'commune_code']).where('id', '=', placeId).executeTakeFirst();
    if (!p) throw invalidField(path, 'is not a known quarantine/isolation place');
    await access.authorize(user, 'cases.write', { unitCode: p.commune_code });
    return p;
  };
  return { db, access, now, settings, audit, scopeFor, placeFor, tz: ctx.config.timeZone };
}

export type RouteKit = ReturnType<typeof routeKit>;
