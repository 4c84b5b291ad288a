import type { GeoAncestor } from '../../lib/types';

/**
 * Ancestors worth a breadcrumb link: those above the user's own jurisdiction are out of scope, and when the user's
 * jurisdiction is the root of the tree it is what /geo already shows.
 */
export function visibleAncestors(ancestors: GeoAncestor[], unitCode: string, myCode: string): GeoAncestor[] {
  if (unitCode === myCode) return [];
  const idx = ancestors.findIndex((a) => a.code === myCode);
  if (idx === -1) return ancestors;
  return ancestors.slice(idx === 0 ? 1 : idx);
}
