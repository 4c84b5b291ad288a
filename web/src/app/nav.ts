import type { ParseKeys } from 'i18next';
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import type { Permission } from '../lib/types';

/**
 * One entry per feature page. The router and the navigation menu are both built from this list,
 * so a feature adds itself here and nowhere else.
 */
export interface NavEntry {
  /** URL path; the page also receives every path below it (e.g. /geo/79). */
  path: string;
  /** i18n key of the menu label. */
  labelKey: ParseKeys;
  /** i18n key of a one-line description shown on the home page. */
  descriptionKey?: ParseKeys;
  /** Permission the user needs (any of, for a list); null = any signed-in user. */
  permission: Permission | readonly Permission[] | null;
  /** Lazily loaded page (default export), so each feature is its own bundle chunk. */
  component: LazyExoticComponent<ComponentType>;
  /** false = routable but not listed in the menu. Default true. */
  inMenu?: boolean;
}

export const navEntries: NavEntry[] = [
  {
    path: '/',
    labelKey: 'nav.home',
    permission: null,
    component: lazy(() => import('../features/home/HomePage')),
  },
  {
    path: '/geo',
    labelKey: 'nav.geo',
    descriptionKey: 'navDesc.geo',
    permission: 'geo.read',
    component: lazy(() => import('../features/geo/GeoPage')),
  },
  {
    path: '/venues',
    labelKey: 'nav.venues',
    descriptionKey: 'navDesc.venues',
    permission: ['venues.read', 'venues.own'],
    component: lazy(() => import('../features/venues/VenuesPage')),
  },
  {
    path: '/checkins',
    labelKey: 'nav.checkins',
    descriptionKey: 'navDesc.checkins',
    permission: 'checkins.read',
    component: lazy(() => import('../features/venues/CheckinsPage')),
  },
  {
    path: '/gate',
    labelKey: 'nav.gate',
    descriptionKey: 'navDesc.gate',
    permission: 'checkins.gate',
    component: lazy(() => import('../features/gate/GatePage')),
  },
  {
    path: '/sampling',
    labelKey: 'nav.sampling',
    descriptionKey: 'navDesc.sampling',
    permission: 'testing.sample',
    component: lazy(() => import('../features/testing/SamplingPage')),
  },
  {
    path: '/testing',
    labelKey: 'nav.testing',
    descriptionKey: 'navDesc.testing',
    permission: ['testing.read', 'testing.results', 'testing.sample'],
    component: lazy(() => import('../features/testing/TestingPage')),
  },
  {
    path: '/messaging',
    labelKey: 'nav.messaging',
    descriptionKey: 'navDesc.messaging',
    permission: 'messaging.read',
    component: lazy(() => import('../features/messaging/MessagingPage')),
  },
  {
    path: '/declarations',
    labelKey: 'nav.declarations',
    descriptionKey: 'navDesc.declarations',
    permission: 'declarations.read',
    component: lazy(() => import('../features/declarations/DeclarationsPage')),
  },
  {
    path: '/calls',
    labelKey: 'nav.calls',
    descriptionKey: 'navDesc.calls',
    permission: 'calls.read',
    component: lazy(() => import('../features/calls/CallsPage')),
  },
  {
    path: '/cases',
    labelKey: 'nav.cases',
    descriptionKey: 'navDesc.cases',
    permission: 'cases.read',
    component: lazy(() => import('../features/cases/CasesPage')),
  },
  {
    path: '/contacts',
    labelKey: 'nav.contacts',
    descriptionKey: 'navDesc.contacts',
    permission: 'cases.read',
    component: lazy(() => import('../features/cases/ContactsPage')),
  },
  {
    path: '/followups',
    labelKey: 'nav.followups',
    descriptionKey: 'navDesc.followups',
    permission: 'cases.read',
    component: lazy(() => import('../features/cases/FollowUpPage')),
  },
  {
    path: '/places',
    labelKey: 'nav.places',
    descriptionKey: 'navDesc.places',
    permission: 'cases.read',
    component: lazy(() => import('../features/cases/PlacesPage')),
  },
  {
    path: '/exposures',
    labelKey: 'nav.exposures',
    descriptionKey: 'navDesc.exposures',
    permission: 'exposure.read',
    component: lazy(() => import('../features/cases/ExposuresPage')),
  },
  {
    path: '/people',
    labelKey: 'nav.people',
    descriptionKey: 'navDesc.people',
    permission: 'people.read',
    component: lazy(() => import('../features/people/PeoplePage')),
  },
  {
    path: '/declare',
    labelKey: 'nav.declare',
    descriptionKey: 'navDesc.declare',
    permission: 'self',
    component: lazy(() => import('../features/declarations/DeclarePage')),
  },
  {
    path: '/vaccination/site-day',
    labelKey: 'nav.vaccSiteDay',
    descriptionKey: 'navDesc.vaccSiteDay',
    permission: 'vaccination.write',
    component: lazy(() => import('../features/vaccination/SiteDayPage')),
  },
  {
    path: '/vaccination/setup',
    labelKey: 'nav.vaccSetup',
    descriptionKey: 'navDesc.vaccSetup',
    permission: 'vaccination.manage',
    component: lazy(() => import('../features/vaccination/CampaignSetupPage')),
  },
  {
    path: '/vaccination/registrations',
    labelKey: 'nav.vaccDesk',
    descriptionKey: 'navDesc.vaccDesk',
    permission: 'vaccination.write',
    component: lazy(() => import('../features/vaccination/RegistrationDeskPage')),
  },
  {
    path: '/vaccination/priority-review',
    labelKey: 'nav.vaccPriorityReview',
    descriptionKey: 'navDesc.vaccPriorityReview',
    permission: 'vaccination.write',
    component: lazy(() => import('../features/vaccination/PriorityReviewPage')),
  },
  {
    path: '/vaccination',
    labelKey: 'nav.vaccDashboard',
    descriptionKey: 'navDesc.vaccDashboard',
    permission: 'vaccination.read',
    component: lazy(() => import('../features/vaccination/DashboardPage')),
  },
  {
    path: '/health-book',
    labelKey: 'nav.healthBook',
    descriptionKey: 'navDesc.healthBook',
    permission: 'self',
    component: lazy(() => import('../features/vaccination/HealthBookPage')),
  },
  {
    path: '/me',
    labelKey: 'nav.me',
    descriptionKey: 'navDesc.me',
    permission: 'self',
    component: lazy(() => import('../features/declarations/MyHealthPage')),
  },
  {
    path: '/certificates',
    labelKey: 'nav.certificates',
    descriptionKey: 'navDesc.certificates',
    permission: 'self',
    component: lazy(() => import('../features/certificates/MyCertificatesPage')),
  },
  {
    path: '/verify',
    labelKey: 'nav.verify',
    descriptionKey: 'navDesc.verify',
    permission: null,
    component: lazy(() => import('../features/certificates/VerifyPage')),
  },
  {
    path: '/users',
    labelKey: 'nav.users',
    descriptionKey: 'navDesc.users',
    permission: 'users.manage',
    component: lazy(() => import('../features/users/UsersPage')),
  },
  {
    path: '/audit',
    labelKey: 'nav.audit',
    descriptionKey: 'navDesc.audit',
    permission: 'audit.read',
    component: lazy(() => import('../features/audit/AuditPage')),
  },
];

/** A page of one's own health record (health book, QR, declarations, certificates): permission 'self'. */
export const isPersonal = (e: NavEntry): boolean => e.permission === 'self';

/** A group of the menu; `key` names its heading (null: no heading). */
export interface MenuSection {
  key: 'work' | 'personal' | null;
  entries: NavEntry[];
}

/**
 * The menu, in declaration order. A citizen sees their own pages. Staff see their work pages, and their own health
 * record's pages only once their account is linked to their own record (`personId`: they are a citizen too): then the
 * two are headed groups ("Công việc", "Cá nhân"). A staff member not linked reaches their record (to link it) from the
 * account menu.
 */
export function menuSections(
  user: { role: string; personId: string | null },
  can: (permission: Permission | readonly Permission[] | null) => boolean,
): MenuSection[] {
  const visible = navEntries.filter((e) => e.inMenu !== false && can(e.permission));
  if (user.role === 'citizen') return [{ key: null, entries: visible }];
  const home = visible.filter((e) => e.path === '/');
  const work = visible.filter((e) => e.path !== '/' && !isPersonal(e));
  const personal = user.personId ? visible.filter(isPersonal) : [];
  if (personal.length === 0) return [{ key: null, entries: [...home, ...work] }];
  return [
    { key: null, entries: home },
    { key: 'work', entries: work },
    { key: 'personal', entries: personal },
  ];
}

/** Every entry of the menu's sections, in order. */
export const menuEntries = (sections: readonly MenuSection[]): NavEntry[] => sections.flatMap((s) => s.entries);

/** True when `pathname` is `entry.path` or below it. */
export function isActive(entry: NavEntry, pathname: string): boolean {
  if (entry.path === '/') return pathname === '/';
  return pathname === entry.path || pathname.startsWith(`${entry.path}/`);
}

/**
 * The one menu entry `pathname` belongs to: the deepest entry it is at or below (/vaccination/site-day is the
 * site-day page, not also the vaccination dashboard at /vaccination).
 */
export function activeEntry(entries: readonly NavEntry[], pathname: string): NavEntry | undefined {
  let best: NavEntry | undefined;
  for (const e of entries) if (isActive(e, pathname) && (!best || e.path.length > best.path.length)) best = e;
  return best;
}
