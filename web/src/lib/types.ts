// API types shared across features. The request/response types themselves come from the server's TypeBox schemas
// (`import type` from server/src/**/schema.ts, never server runtime code), so the API and the UI cannot drift; what
// is declared here is derived from them, or is a web-side constant checked against them.
import type { Role } from '../../../server/src/platform/auth/roles';

export type { Permission, Role } from '../../../server/src/platform/auth/roles';

/** A page of a list endpoint (the server's `Page(item)` schema). */
export interface Page<T> {
  items: T[];
  total: number;
}

/**
 * A web-side list of every value of a server union type `U` (the server's own list is runtime code, which the web
 * may not import): `allOf<Role>()([...])` does not compile when the list names a value `U` lacks, or misses one.
 */
export const allOf =
  <U extends string>() =>
  <const L extends readonly U[]>(list: L & ([U] extends [L[number]] ? unknown : { missing: Exclude<U, L[number]> })): L =>
    list;

/** Every role, in the server's order (for selects). */
export const ROLES = allOf<Role>()([
  'national_admin',
  'cdc_officer',
  'district_officer',
  'commune_officer',
  'contact_tracer',
  'call_supervisor',
  'venue_operator',
  'vaccination_staff',
  'lab_staff',
  'citizen',
]);

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
