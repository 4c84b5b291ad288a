// Who owns declaration configuration (forms, risk rules, zone lists) and where it applies.
//
// Every form, rule and zone list has an owner unit: null = national (changed by national admins only), or a
// province/district code (changed by officers with `declarations.forms` whose jurisdiction contains it). A rule
// applies to a declaration when its owner's area contains the unit that follows the declaration up, unless a unit
// on the way (that unit or one above it) switched the rule off for its own area. The decision of "may this user
// change that" is the platform's (Access.can with the owner as the record's unit: null is national-only).
import type { Access } from '../../platform/auth/access';
import type { JurisdictionResolver } from '../../platform/auth/jurisdiction';
import type { AuthUser } from '../../platform/auth/service';
import type { Permission } from '../../platform/auth/roles';
import { invalidField } from '../../platform/http/errors';

export const CONFIG_PERMISSION: Permission = 'declarations.forms';

/** The area path of an owner ('/' = the whole country). */
export async function areaPathOf(resolver: JurisdictionResolver, owner: string | null): Promise<string> {
  if (owner === null) return '/';
  return (await resolver.unit(owner))?.path ?? `/${owner}/`;
}

/** The owner a user's new form/rule/zone list gets: the unit they name (inside their jurisdiction) or their own. */
export async function ownerForNew(access: Access, user: AuthUser, requested: string | null | undefined, path: string): Promise<string | null> {
  const code = requested ?? user.jurisdictionCode;
  const unit = await access.resolver.unit(code);
  if (!unit) throw invalidField(path, `is not a known administrative unit ("${code}")`);
  if (unit.level === 'country') {
    await access.authorize(user, CONFIG_PERMISSION, { unitCode: null });
    return null;
  }
  await access.authorize(user, CONFIG_PERMISSION, { unitCode: unit.code });
  return unit.code;
}

/** Throws 403 unless the user may change configuration owned by `owner`. */
export async function authorizeOwner(access: Access, user: AuthUser, owner: string | null) {
  await access.authorize(user, CONFIG_PERMISSION, { unitCode: owner });
}

export const mayChange = (access: Access, user: AuthUser, owner: string | null) => access.can(user, CONFIG_PERMISSION, { unitCode: owner });

/** Codes of a unit and all units above it (inclusive), from its materialized path. */
export async function chainOf(resolver: JurisdictionResolver, code: string): Promise<Set<string>> {
  const u = await resolver.unit(code);
  return new Set(u ? u.path.split('/').filter(Boolean) : [code]);
}

/**
 * Is configuration owned by `owner` relevant to a viewer whose jurisdiction is `scope`: national, owned by a unit
 * above the viewer (it applies to them), or owned inside the viewer's area (they oversee it).
 */
export async function relevantTo(resolver: JurisdictionResolver, owner: string | null, scope: string): Promise<boolean> {
  if (owner === null) return true;
  const [o, s] = await Promise.all([resolver.unit(owner), resolver.unit(scope)]);
  if (!o || !s) return owner === scope;
  return o.path.startsWith(s.path) || s.path.startsWith(o.path);
}

/** Does a rule owned by `owner`, switched off in `switchedOff` units, apply to a declaration followed up in a unit with this chain? */
export function appliesIn(chain: ReadonlySet<string>, owner: string | null, switchedOff: readonly string[]): boolean {
  if (owner !== null && !chain.has(owner)) return false;
  return !switchedOff.some((u) => chain.has(u));
}
