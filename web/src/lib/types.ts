// Response/request shapes of the Vigil HTTP API used by the web app.
// TODO: switch these to `import type` from the server's TypeBox schemas (server/src/**/schema.ts) once they land,
// so the API and the UI cannot drift.
import type { FeatureCollection, Geometry } from 'geojson';

export const ROLES = [
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
] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Permission strings the shell itself knows about; features may use others. */
export type Permission = 'geo.read' | 'users.manage' | 'audit.read' | (string & {});

export interface Page<T> {
  items: T[];
  total: number;
}

// ---- auth ----
export interface Jurisdiction {
  code: string;
  name: string;
  level: string;
}

export interface Me {
  id: string;
  username: string;
  displayName: string;
  role: string;
  jurisdiction: Jurisdiction;
  permissions: string[];
  personId?: string | null;
}

export interface MeResponse {
  user: Me;
}

export interface LoginRequest {
  username: string;
  password: string;
}

// ---- geo ----
export interface GeoUnit {
  code: string;
  name: string;
  nameEn?: string | null;
  level: string;
  parentCode: string | null;
  population: number | null;
  childCount: number;
  hasGeometry: boolean;
}

export interface GeoAncestor {
  code: string;
  name: string;
  /** Not sent by the server yet; used when it is. */
  nameEn?: string | null;
  level: string;
}

export interface GeoUnitDetail {
  unit: GeoUnit;
  /** Root first, excluding the unit itself. */
  ancestors: GeoAncestor[];
}

export interface GeoFeatureProperties {
  code: string;
  name: string;
  nameEn?: string | null;
  level: string;
  population: number | null;
  childCount?: number;
}

export type GeoFeatureCollection = FeatureCollection<Geometry, GeoFeatureProperties>;

// ---- users ----
/** GET /api/auth/roles: every role, and whether the signed-in user may grant it. */
export interface RoleInfo {
  role: string;
  permissions: string[];
  assignable: boolean;
}

export interface UserListItem {
  id: string;
  username: string;
  displayName: string;
  role: string;
  jurisdiction: { code: string; name: string };
  disabled: boolean;
  lastLoginAt: string | null;
  createdAt: string;
}

export interface UserResponse {
  user: UserListItem;
}

export interface CreateUserRequest {
  username: string;
  displayName: string;
  password: string;
  role: string;
  jurisdictionCode: string;
}

export interface UpdateUserRequest {
  displayName?: string;
  role?: string;
  jurisdictionCode?: string;
  disabled?: boolean;
  password?: string;
}

// ---- audit ----
export interface AuditItem {
  id: string;
  at: string;
  actor: { id: string; username: string } | null;
  action: string;
  subjectType: string;
  subjectId: string | null;
  reason: string | null;
  details: unknown;
}
