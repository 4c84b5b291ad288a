// Roles and what each may do. Jurisdiction (which records) is checked separately by the access helper.
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

export const PERMISSIONS = [
  'geo.read',
  'geo.write',
  'users.manage',
  'audit.read',
  'people.read',
  'people.write',
  'people.merge',
  /** full phone numbers in lists and exports: roles that call people (tracers, commune officers, call centre) */
  'people.contact',
  'venues.read',
  'venues.manage',
  'venues.approve',
  'venues.own',
  'checkins.read',
  'checkins.gate',
  'checkins.import',
  'declarations.read',
  'declarations.review',
  'declarations.forms',
  'messaging.read',
  'messaging.send',
  'cases.read',
  'cases.write',
  'followup.write',
  'places.manage',
  'exposure.read',
  /** samples, results, retest tasks and testing figures of the area */
  'testing.read',
  /** collect samples (sampling points, mass testing) */
  'testing.sample',
  /** enter and upload lab results */
  'testing.results',
  /** sampling points, closing retest/resample tasks */
  'testing.manage',
  /** robot calls: campaigns' figures, lists (symptomatic, non-reporting, wrong numbers), daily reports */
  'calls.read',
  /** robot calls: scripts, campaigns, running them */
  'calls.manage',
  /** a person's certificates (EU DCC): list, print */
  'certificates.read',
  /** the document signers: list, rotate */
  'certificates.manage',
  'self',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const officer: Permission[] = [
  'geo.read',
  'people.read',
  'people.write',
  'venues.read',
  'venues.manage',
  'venues.approve',
  'checkins.read',
  'declarations.read',
  'declarations.review',
  'messaging.read',
  'cases.read',
  'cases.write',
  'followup.write',
  'exposure.read',
  'testing.read',
  'testing.sample',
  'calls.read',
  'certificates.read',
  'self',
];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  national_admin: PERMISSIONS,
  cdc_officer: [...officer, 'testing.manage', 'testing.results', 'places.manage', 'geo.write', 'users.manage', 'audit.read', 'people.merge', 'checkins.import', 'declarations.forms', 'messaging.send', 'calls.manage'],
  district_officer: [...officer, 'testing.manage', 'places.manage', 'users.manage', 'people.merge', 'declarations.forms', 'messaging.send', 'calls.manage'],
  commune_officer: [...officer, 'people.contact', 'testing.manage'],
  contact_tracer: ['geo.read', 'people.read', 'people.contact', 'venues.read', 'checkins.read', 'declarations.read', 'cases.read', 'testing.read', 'followup.write', 'calls.read', 'self'],
  call_supervisor: ['geo.read', 'people.read', 'people.contact', 'declarations.read', 'calls.read', 'calls.manage', 'self'],
  // exposure.read: the notices of their own venues only (venue, time window, no identity)
  venue_operator: ['geo.read', 'venues.own', 'checkins.gate', 'exposure.read', 'self'],
  vaccination_staff: ['geo.read', 'people.read', 'checkins.gate', 'certificates.read', 'self'],
  lab_staff: ['geo.read', 'people.read', 'testing.read', 'testing.results', 'self'],
  citizen: ['self'],
};

/** Rank for "who may create whom": a manager may grant only roles ranked at or below their own. */
const RANK: Record<Role, number> = {
  national_admin: 100,
  cdc_officer: 80,
  district_officer: 60,
  commune_officer: 40,
  contact_tracer: 30,
  call_supervisor: 30,
  vaccination_staff: 20,
  lab_staff: 20,
  venue_operator: 10,
  citizen: 0,
};

export function mayGrantRole(manager: Role, role: Role): boolean {
  if (manager === 'national_admin') return true;
  return RANK[role] < RANK[manager];
}

export const isRole = (s: string): s is Role => (ROLES as readonly string[]).includes(s);
