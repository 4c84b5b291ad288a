// Jurisdiction and audit helpers shared by the module's routes (the rule itself lives in platform/auth).
import type { FastifyRequest } from 'fastify';
import { recordAudit, type AuditEntry } from '../../platform/audit';
import { auditActor } from '../../platform/auth/routes';
import type { AuthUser } from '../../platform/auth/service';
import type { Permission } from '../../platform/auth/roles';
import { invalidField } from '../../platform/http/errors';
import type { AppContext } from '../../platform/module';
import { maskPhone } from '../people';
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

/**
 * A phone number as this user may read it in lists and exports: in full for the roles that call people
 * (people.contact: commune officers, contact tracers, call supervisors), else masked (•••••••678), as the people,
 * testing and check-in lists do.
 */
export const phoneFor = (user: AuthUser) => (phone: string | null): string | null => (phone && !user.permissions.has('people.contact') ? maskPhone(phone) : phone);

/** Items naming a person (cases, contacts) with the person's phone as `user` may read it. */
export function withPhones<T extends { person: { phone: string | null } }>(user: AuthUser, items: T[]): T[] {
  const shown = phoneFor(user);
  return items.map((x) => ({ ...x, person: { ...x.person, phone: shown(x.person.phone) } }));
}
