// The one place that decides "may user U do action A on record R". Routes declare their permission in their
// config (enforced for every /api route by the auth plugin); record-level checks call authorize().
import { forbidden, invalidField, unauthorized } from '../http/errors';
import type { JurisdictionResolver } from './jurisdiction';
import { withinScope } from './jurisdiction';
import type { Permission } from './roles';
import type { AuthUser } from './service';

export interface AccessTarget {
  /** Administrative unit the record belongs to (a commune code, a venue's commune...). */
  unitCode?: string | null;
  /** The record belongs to the user personally (their own person or a dependant). */
  ownedBySelf?: boolean;
  /** The user is an operator of the venue that owns the record. */
  operatorOfVenue?: boolean;
}

export interface SubtreeResolver extends JurisdictionResolver {
  /** Every unit code in the subtree (inclusive), or null for the whole country (no filter needed). */
  subtreeCodes(scope: string): Promise<string[] | null>;
}

export class Access {
  constructor(readonly resolver: SubtreeResolver) {}

  requireUser(user: AuthUser | null): AuthUser {
    if (!user) throw unauthorized();
    return user;
  }

  async can(user: AuthUser | null, permission: Permission, target?: AccessTarget): Promise<boolean> {
    if (!user || !user.permissions.has(permission)) return false;
    if (!target) return true;
    if (target.ownedBySelf) return true;
    if (target.operatorOfVenue) return true;
    if (target.unitCode === undefined) return false;
    if (target.unitCode === null) return user.role === 'national_admin';
    return withinScope(this.resolver, user.jurisdictionCode, target.unitCode);
  }

  async authorize(user: AuthUser | null, permission: Permission, target?: AccessTarget): Promise<AuthUser> {
    const u = this.requireUser(user);
    if (!(await this.can(u, permission, target))) {
      throw forbidden(u.permissions.has(permission) ? 'That record is outside your jurisdiction' : 'You do not have permission for this action');
    }
    return u;
  }

  /**
   * For list queries with an optional unit picked by the caller: the caller's whole area, or the picked unit's
   * subtree once they may use `permission` there (an unknown unit is a 400 naming `path`).
   */
  async scopeWithin(user: AuthUser, permission: Permission, unit: string | undefined, path = 'querystring.unit'): Promise<string[] | null> {
    if (!unit) return this.scopeCodes(user);
    const u = await this.resolver.unit(unit);
    if (!u) throw invalidField(path, `is not a known administrative unit ("${unit}")`);
    await this.authorize(user, permission, { unitCode: u.code });
    return this.resolver.subtreeCodes(u.code);
  }

  /** For list queries: the unit codes the user may see, or null meaning "no filter" (whole country). */
  scopeCodes(user: AuthUser): Promise<string[] | null> {
    return this.resolver.subtreeCodes(user.jurisdictionCode);
  }
}
