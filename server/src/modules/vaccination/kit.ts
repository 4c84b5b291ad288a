// Jurisdiction and audit helpers shared by the module's routes (the rule itself lives in platform/auth).
import type { FastifyRequest } from 'fastify';
import { recordAudit, type AuditEntry } from '../../platform/audit';
import { auditActor } from '../../platform/auth/routes';
import type { AuthUser } from '../../platform/auth/service';
import type { Permission } from '../../platform/auth/roles';
import { forbidden, invalidField, notFound } from '../../platform/http/errors';
import type { AppContext } from '../../platform/module';
import { getPersonBrief, isManagerOf } from '../people';
import { findCampaign } from './admin';
import { findSite } from './siteday';

export function routeKit(ctx: AppContext) {
  const { db, access } = ctx;
  const now = () => ctx.config.clock();
  const tz = ctx.config.timeZone;
  const audit = async (req: FastifyRequest, e: Omit<AuditEntry, 'actor' | 'ip'>) => recordAudit(db, { ...e, actor: await auditActor(access, req.user!), ip: req.ip, at: now() });

  /** The unit codes to filter by: the caller's whole jurisdiction, or a unit inside it they picked (null = all). */
  const scopeFor = async (user: AuthUser, perm: Permission, unit: string | undefined, path = 'querystring.unit') => {
    if (!unit) return access.scopeCodes(user);
    const u = await access.resolver.unit(unit);
    if (!u) throw invalidField(path, `is not a known administrative unit ("${unit}")`);
    await access.authorize(user, perm, { unitCode: u.code });
    return access.resolver.subtreeCodes(u.code);
  };

  /** Is the person the caller themself or a dependant their account manages. */
  const ownOrDependant = async (user: AuthUser, personId: string) =>
    !!user.personId && (user.personId === personId || (await isManagerOf(db, user.personId, personId)));

  /**
   * The live person behind `personId` the caller may act for: themself or a dependant (citizens), else staff with
   * `perm` over the person's commune. Unknown ids and others' ids answer alike (404 before 403 would tell who exists).
   */
  const personFor = async (user: AuthUser, personId: string, perm: Permission, path = 'body.personId') => {
    const brief = await getPersonBrief(db, personId); // follows merges
    if (brief && (await ownOrDependant(user, brief.id))) return { brief, self: true };
    if (!user.permissions.has(perm)) throw forbidden('You may act only for yourself and the people your account manages');
    if (!brief) throw invalidField(path, 'is not a known person');
    await access.authorize(user, perm, { unitCode: brief.communeCode });
    return { brief, self: false };
  };

  const siteFor = async (user: AuthUser, siteId: string, perm: Permission, path = 'body.siteId') => {
    const s = await findSite(db, siteId);
    if (!s) throw invalidField(path, 'is not a known vaccination site');
    await access.authorize(user, perm, { unitCode: s.commune_code });
    return s;
  };

  const campaignFor = async (user: AuthUser | null, campaignId: string, perm: Permission | null, path = 'body.campaignId') => {
    const c = await findCampaign(db, campaignId);
    if (!c) throw path.startsWith('params') ? notFound('Campaign') : invalidField(path, 'is not a known campaign');
    if (perm) await access.authorize(user, perm, { unitCode: c.unit_code });
    return c;
  };

  return { db, access, now, tz, audit, scopeFor, personFor, ownOrDependant, siteFor, campaignFor };
}

export type RouteKit = ReturnType<typeof routeKit>;
