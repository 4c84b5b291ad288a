import type { UnitAncestor } from './api';

/**
 * Ancestors worth a breadcrumb link: those above the user's own jurisdiction are out of scope, and when the user's
 * jurisdiction is the root of the tree it is what /geo already shows.
 */
export function visibleAncestors(ancestors: UnitAncestor[], unitCode: string, myCode: string): UnitAncestor[] {
  if (unitCode === myCode) return [];
  const idx = ancestors.findIndex((a) => a.code === myCode);
  if (idx === -1) return ancestors;
  return ancestors.slice(idx === 0 ? 1 : idx);
}

/**
 * Units whose outline may stand in for a unit without boundaries: the unit itself, then its ancestors nearest
 * first, up to the user's own jurisdiction (the ones above it are out of scope).
 */
export function outlineCandidates(ancestors: UnitAncestor[], unitCode: string, myCode: string): string[] {
  if (unitCode === myCode) return [unitCode];
  const idx = ancestors.findIndex((a) => a.code === myCode);
  const inScope = idx === -1 ? [] : ancestors.slice(idx);
  return [unitCode, ...inScope.map((a) => a.code).reverse()];
}
