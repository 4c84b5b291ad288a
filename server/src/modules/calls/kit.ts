// What the calls routes share: the caller's scope, jurisdiction checks on a campaign or script (the rule itself
// lives in platform/auth), audit rows for reads of personal data.
import type { FastifyRequest } from 'fastify';
import { recordAudit, type AuditEntry } from '../../platform/audit';
import { auditActor } from '../../platform/auth/routes';
import type { Permission } from '../../platform/auth/roles';
import type { AuthUser } from '../../platform/auth/service';
import { notFound } from '../../platform/http/errors';
import type { AppContext } from '../../platform/module';
import { localDay } from '../../platform/time';

export function callKit(ctx: AppContext) {
  const { db, access } = ctx;
  const now = () => ctx.config.clock();
  const today = () => localDay(now(), ctx.config.timeZone);
  const audit = async (req: FastifyRequest, e: Omit<AuditEntry, 'actor' | 'ip'>) => recordAudit(db, { ...e, actor: await auditActor(access, req.user!), ip: req.ip, at: now() });
  /** The caller's area, or a unit inside it they picked (null = the whole country). */
  const scopeFor = (user: AuthUser, perm: Permission, unit: string | undefined, path = 'querystring.unit') => access.scopeWithin(user, perm, unit, path);
  const campaignFor = async (user: AuthUser, id: string, perm: Permission) => {
    const c = await db.selectFrom('call_campaigns').selectAll().where('id', '=', id).executeTakeFirst();
    if (!c) throw notFound('Campaign');
    await access.authorize(user, perm, { unitCode: c.unit_code });
    return c;
  };
  const scriptFor = async (user: AuthUser, id: string, perm: Permission) => {
    const s = await db.selectFrom('call_scripts').selectAll().where('id', '=', id).executeTakeFirst();
    if (!s) throw notFound('Script');
    await access.authorize(user, perm, { unitCode: s.unit_code });
    return s;
  };
  return { db, access, now, today, audit, scopeFor, campaignFor, scriptFor, tz: ctx.config.timeZone };
}
