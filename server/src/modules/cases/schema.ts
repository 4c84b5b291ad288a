// Request/response schemas of the cases module (TypeBox: validation, OpenAPI and the web app's types).
import { Type, type Static } from '@sinclair/typebox';
import { Pagination } from '../../platform/http/schema';

const Uuid = Type.String({ format: 'uuid', pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' });
const Day = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'YYYY-MM-DD (local day)' });
const Instant = Type.String({ format: 'date-time', maxLength: 40 });
const UnitCode = Type.String({ pattern: '^[A-Za-z0-9_.-]{1,20}$' });
/** Free text in a query string: no control characters (PostgreSQL refuses NUL in text). */
const SearchText = (maxLength: number) => Type.String({ maxLength, pattern: '^[^\\u0000-\\u001f]*$' });
const Nullable = <T extends import('@sinclair/typebox').TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const CaseSource = Type.Union([Type.Literal('community'), Type.Literal('imported'), Type.Literal('quarantine')]);
export const CaseStatus = Type.Union([Type.Literal('active'), Type.Literal('recovered'), Type.Literal('died')]);
export const Isolation = Type.Union([Type.Literal('home'), Type.Literal('facility'), Type.Literal('hospital')]);
export const ContactStatus = Type.Union([Type.Literal('monitoring'), Type.Literal('completed'), Type.Literal('became_case'), Type.Literal('lost')]);
export const Relation = Type.Union([Type.Literal('household'), Type.Literal('workplace'), Type.Literal('travel'), Type.Literal('other')]);

export const IdParam = Type.Object({ id: Uuid });

export const CreateCaseBody = Type.Object(
  {
    personId: Uuid,
    communeCode: Type.Optional(Nullable(UnitCode)),
    confirmedAt: Instant,
    onsetDate: Type.Optional(Nullable(Day)),
    testDate: Type.Optional(Nullable(Day)),
    isolatedAt: Type.Optional(Nullable(Instant)),
    source: CaseSource,
    isolation: Type.Optional(Isolation),
    placeId: Type.Optional(Nullable(Uuid)),
    notes: Type.Optional(Type.String({ maxLength: 4000 })),
    traceLevels: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
  },
  { additionalProperties: false },
);
export type CreateCaseBody = Static<typeof CreateCaseBody>;

export const UpdateCaseBody = Type.Object(
  {
    status: Type.Optional(CaseStatus),
    isolation: Type.Optional(Isolation),
    placeId: Type.Optional(Nullable(Uuid)),
    isolatedAt: Type.Optional(Nullable(Instant)),
    onsetDate: Type.Optional(Nullable(Day)),
    notes: Type.Optional(Type.String({ maxLength: 4000 })),
    /** the officer reviewed what flagged the case (a corrected test): the flag goes */
    reviewed: Type.Optional(Type.Literal(true)),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const CaseListQuery = Type.Object({
  ...Pagination.properties,
  status: Type.Optional(Type.Union([...CaseStatus.anyOf, Type.Literal('discarded')])),
  source: Type.Optional(CaseSource),
  unit: Type.Optional(UnitCode),
  from: Type.Optional(Day),
  to: Type.Optional(Day),
  q: Type.Optional(SearchText(40)),
});

const PersonRef = Type.Object({
  id: Type.String(),
  fullName: Type.String(),
  birthYear: Nullable(Type.Integer()),
  phone: Nullable(Type.String()),
  communeCode: Nullable(Type.String()),
});

const Unit = Nullable(Type.Object({ code: Type.String(), name: Type.String() }));

export const TraceInfo = Type.Object({
  status: Type.String(),
  startedAt: Nullable(Type.String()),
  finishedAt: Nullable(Type.String()),
  counts: Type.Record(Type.String(), Type.Number()),
  error: Nullable(Type.String()),
  levels: Type.Integer(),
  /**
   * The mass-exposure rule (VIGIL_TRACE_MASS_EXPOSURE): crowded settings where the case's F(level−1)s were and whose
   * people were not listed as F(level) one by one; an exposure notice for the venue and window was published instead
   */
  massExposures: Type.Array(
    Type.Object({
      level: Type.Integer(),
      venue: Type.Object({ id: Type.String(), code: Type.String(), name: Type.String() }),
      from: Type.String(),
      to: Type.String(),
      peopleCount: Type.Integer(),
      sourcesCount: Type.Integer(),
      withdrawn: Type.Boolean(),
    }),
  ),
});

export const CaseItem = Type.Object({
  id: Type.String(),
  code: Type.String(),
  person: PersonRef,
  commune: Unit,
  confirmedAt: Type.String(),
  onsetDate: Nullable(Type.String()),
  testDate: Nullable(Type.String()),
  isolatedAt: Nullable(Type.String()),
  source: Type.String(),
  status: Type.String(),
  /** why the status is what it is (a discarded case: the corrected test) */
  statusReason: Nullable(Type.String()),
  /** something an officer should look at again (a test behind the case was corrected) */
  review: Nullable(Type.Object({ reason: Type.String(), flaggedAt: Type.String() })),
  isolation: Type.String(),
  place: Nullable(Type.Object({ id: Type.String(), name: Type.String() })),
  origin: Type.String(),
  notes: Type.String(),
  lastSymptoms: Type.Unknown(),
  window: Type.Object({ from: Type.String(), to: Type.String() }),
  trace: TraceInfo,
  contactCounts: Type.Object({ f1: Type.Integer(), f2: Type.Integer(), deeper: Type.Integer(), total: Type.Integer() }),
});
export type CaseItem = Static<typeof CaseItem>;
export const CaseListResponse = Type.Object({ items: Type.Array(CaseItem), total: Type.Integer() });
export const CaseResponse = Type.Object({ case: CaseItem });

export const ExposureView = Type.Object({
  kind: Type.String(),
  via: Type.String(),
  venue: Nullable(Type.Object({ id: Type.String(), code: Type.String(), name: Type.String() })),
  from: Nullable(Type.String()),
  to: Nullable(Type.String()),
  overlapMinutes: Nullable(Type.Integer()),
  sourcePersonId: Nullable(Type.String()),
  /** the F0, or for an F2 the F1 of the longest overlap, this exposure was to (overlapMinutes is with them) */
  sourcePersonName: Nullable(Type.String()),
  /** the exposure (for its list of sources: /api/contacts/:id/exposures/:exposureId/sources) */
  id: Type.String(),
  /** how many sources (F0, or F(n-1)s) were present during the stay; 1 for household, manual, imported */
  sourcesCount: Type.Integer(),
  note: Type.String(),
});

export const ExposureSourcesParams = Type.Object({ id: Uuid, exposureId: Type.String({ pattern: '^[1-9][0-9]{0,17}$' }) });
export const ExposureSource = Type.Object({
  person: Type.Object({ id: Type.String(), fullName: Type.String() }),
  /** 0 for the case's person (F0), else the contact level (F1 for the sources of an F2) */
  level: Type.Integer(),
  /** the source's time with the contact during the stay (null for household, manual, imported exposures) */
  from: Nullable(Type.String()),
  to: Nullable(Type.String()),
  overlapMinutes: Nullable(Type.Integer()),
});
export const ExposureSourcesResponse = Type.Object({
  exposure: Type.Object({
    id: Type.String(),
    contactId: Type.String(),
    kind: Type.String(),
    via: Type.String(),
    venue: Nullable(Type.Object({ id: Type.String(), code: Type.String(), name: Type.String() })),
    from: Nullable(Type.String()),
    to: Nullable(Type.String()),
    sourcesCount: Type.Integer(),
  }),
  items: Type.Array(ExposureSource),
});
export type ExposureSourcesResponse = Static<typeof ExposureSourcesResponse>;

export const ContactItem = Type.Object({
  id: Type.String(),
  caseId: Type.String(),
  caseCode: Type.String(),
  person: PersonRef,
  level: Type.Integer(),
  unit: Unit,
  viaPersonId: Nullable(Type.String()),
  viaPersonName: Nullable(Type.String()),
  lastExposureAt: Nullable(Type.String()),
  orderKind: Type.String(),
  orderStart: Type.String(),
  orderEnd: Type.String(),
  daysLeft: Type.Integer(),
  status: Type.String(),
  flagged: Type.Boolean(),
  origin: Type.String(),
  becameCaseId: Nullable(Type.String()),
  exposures: Type.Array(ExposureView),
});
export type ContactItem = Static<typeof ContactItem>;
export const ContactListResponse = Type.Object({ items: Type.Array(ContactItem), total: Type.Integer() });

export const ContactListQuery = Type.Object({
  ...Pagination.properties,
  caseId: Type.Optional(Uuid),
  level: Type.Optional(Type.Integer({ minimum: 1, maximum: 9 })),
  status: Type.Optional(ContactStatus),
  unit: Type.Optional(UnitCode),
  maxDaysLeft: Type.Optional(Type.Integer({ minimum: 0, maximum: 60 })),
  flagged: Type.Optional(Type.Boolean()),
  q: Type.Optional(SearchText(80)),
});

const PersonDetails = Type.Object(
  {
    fullName: Type.String({ minLength: 1, maxLength: 200 }),
    phone: Type.Optional(Nullable(Type.String({ maxLength: 32 }))),
    nationalId: Type.Optional(Nullable(Type.String({ maxLength: 20 }))),
    birthYear: Type.Optional(Nullable(Type.Integer({ minimum: 1880, maximum: 2200 }))),
    address: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
    communeCode: Type.Optional(Nullable(UnitCode)),
  },
  { additionalProperties: false },
);

export const ManualContactBody = Type.Object(
  {
    personId: Type.Optional(Uuid),
    person: Type.Optional(PersonDetails),
    relation: Relation,
    level: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
    lastExposureDate: Day,
    note: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);
export type ManualContactBody = Static<typeof ManualContactBody>;

export const ContactBulkBody = Type.Object(
  {
    ids: Type.Array(Uuid, { minItems: 1, maxItems: 1000 }),
    action: Type.Union([Type.Literal('complete'), Type.Literal('lost'), Type.Literal('monitoring'), Type.Literal('place')]),
    placeId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);

export const TimelineEntry = Type.Object({
  at: Type.String(),
  kind: Type.String(),
  title: Type.String(),
  detail: Type.String(),
  /** a declaration made at a venue or medical facility (by its QR): where */
  venue: Type.Optional(Type.Object({ name: Type.String(), code: Type.String() })),
});
export const TimelineResponse = Type.Object({ items: Type.Array(TimelineEntry) });

export const GraphNode = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('case'), Type.Literal('contact'), Type.Literal('venue')]),
  label: Type.String(),
  level: Type.Integer(),
  caseId: Nullable(Type.String()),
});
export const GraphEdge = Type.Object({ source: Type.String(), target: Type.String(), kind: Type.String() });
export const GraphResponse = Type.Object({ nodes: Type.Array(GraphNode), edges: Type.Array(GraphEdge), truncated: Type.Boolean() });
export type GraphResponse = Static<typeof GraphResponse>;

export const ClusterItem = Type.Object({
  id: Type.String(),
  label: Type.String(),
  size: Type.Integer(),
  last7: Type.Integer(),
  previous7: Type.Integer(),
  firstConfirmed: Type.String(),
  lastConfirmed: Type.String(),
  caseIds: Type.Array(Type.String()),
});
export const ClusterListResponse = Type.Object({ items: Type.Array(ClusterItem) });
