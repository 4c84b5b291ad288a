// Jurisdictions are administrative units owned by the geo module. platform/ knows only this interface;
// app.ts hands it geo's implementation.
export interface UnitInfo {
  code: string;
  name: string;
  level: string;
  /** Materialized path of codes from the root, e.g. '/VN/40/412/'. */
  path: string;
}

export interface JurisdictionResolver {
  unit(code: string): Promise<UnitInfo | null>;
}

/** Is unit `code` inside the subtree rooted at `scope` (inclusive)? */
export async function withinScope(resolver: JurisdictionResolver, scope: string, code: string): Promise<boolean> {
  if (scope === code) return true;
  const [s, u] = await Promise.all([resolver.unit(scope), resolver.unit(code)]);
  return !!s && !!u && u.path.startsWith(s.path);
}
