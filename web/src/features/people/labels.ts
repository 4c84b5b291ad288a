import type { RelationshipValue, SexValue } from './api';
import type { PeopleKey } from './i18n';

const SEX_KEYS = { male: 'sexes.male', female: 'sexes.female', other: 'sexes.other' } as const satisfies Record<SexValue, PeopleKey>;
const REL_KEYS = {
  child: 'relationships.child',
  grandchild: 'relationships.grandchild',
  parent: 'relationships.parent',
  grandparent: 'relationships.grandparent',
  spouse: 'relationships.spouse',
  sibling: 'relationships.sibling',
  relative: 'relationships.relative',
  ward: 'relationships.ward',
  other: 'relationships.other',
} as const satisfies Record<RelationshipValue, PeopleKey>;
const SOURCE_KEYS = {
  officer: 'sources.officer',
  citizen: 'sources.citizen',
  checkin: 'sources.checkin',
  declaration: 'sources.declaration',
  import: 'sources.import',
} as const satisfies Record<string, PeopleKey>;

type T = (key: PeopleKey) => string;
const pick = (map: Record<string, PeopleKey>, t: T, v: string | null | undefined) => (v ? (map[v] ? t(map[v]!) : v) : '—');

export const sexLabel = (t: T, v: string | null | undefined) => pick(SEX_KEYS, t, v);
export const relationshipLabel = (t: T, v: string | null | undefined) => pick(REL_KEYS, t, v);
export const sourceLabel = (t: T, v: string | null | undefined) => pick(SOURCE_KEYS, t, v);
