// Request/response schemas of the person registry. The web app imports the types with `import type`.
import { Type, type Static } from '@sinclair/typebox';

const Uuid = Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const SEXES = ['male', 'female', 'other'] as const;
export const Sex = Type.Union(SEXES.map((s) => Type.Literal(s)));
export type SexValue = (typeof SEXES)[number];

export const RELATIONSHIPS = ['child', 'grandchild', 'parent', 'grandparent', 'spouse', 'sibling', 'relative', 'ward', 'other'] as const;
export const Relationship = Type.Union(RELATIONSHIPS.map((s) => Type.Literal(s)));
export type RelationshipValue = (typeof RELATIONSHIPS)[number];

/** Fields an officer may take from the merged record onto the kept one. */
export const MERGE_FIELDS = ['fullName', 'birth', 'sex', 'nationalId', 'phone', 'address', 'communeCode'] as const;
export type MergeField = (typeof MERGE_FIELDS)[number];

const personFields = {
  fullName: Type.String({ minLength: 1, maxLength: 200 }),
  /** YYYY-MM-DD; give either birthDate or birthYear (or both, consistent) */
  birthDate: Type.Union([Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }), Type.Null()]),
  birthYear: Type.Union([Type.Integer({ minimum: 1880, maximum: 2200 }), Type.Null()]),
  sex: Type.Union([Sex, Type.Null()]),
  /** CCCD (12 digits) or CMND (9 digits); spaces and dots are ignored */
  nationalId: Nullable(Type.String({ maxLength: 20 })),
  /** any common way of writing it; stored as E.164 (Vietnam by default) */
  phone: Nullable(Type.String({ maxLength: 32 })),
  address: Nullable(Type.String({ maxLength: 500 })),
  /** administrative unit of residence (commune/ward); decides which officers see the person */
  communeCode: Type.String({ minLength: 1, maxLength: 32 }),
};

export const PersonCreateBody = Type.Object(
  {
    fullName: personFields.fullName,
    birthDate: Type.Optional(personFields.birthDate),
    birthYear: Type.Optional(personFields.birthYear),
    sex: Type.Optional(personFields.sex),
    nationalId: Type.Optional(personFields.nationalId),
    phone: Type.Optional(personFields.phone),
    address: Type.Optional(personFields.address),
    communeCode: personFields.communeCode,
  },
  { additionalProperties: false },
);
export type PersonCreateBody = Static<typeof PersonCreateBody>;

export const PersonUpdateBody = Type.Partial(PersonCreateBody, { additionalProperties: false, minProperties: 1 });
export type PersonUpdateBody = Static<typeof PersonUpdateBody>;

export const UnitBrief = Type.Object({
  code: Type.String(),
  name: Type.String(),
  /** "Xã Nghi Phong, Huyện Nghi Lộc, Tỉnh Nghệ An" */
  label: Type.String(),
});
export type UnitBrief = Static<typeof UnitBrief>;

export const PersonListItem = Type.Object({
  id: Type.String(),
  fullName: Type.String(),
  birthYear: Type.Union([Type.Integer(), Type.Null()]),
  sex: Type.Union([Type.String(), Type.Null()]),
  phoneMasked: Type.Union([Type.String(), Type.Null()]),
  nationalIdMasked: Type.Union([Type.String(), Type.Null()]),
  commune: Type.Union([UnitBrief, Type.Null()]),
  mergedInto: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
});
export type PersonListItem = Static<typeof PersonListItem>;

export const PersonLink = Type.Object({
  id: Type.String(),
  fullName: Type.String(),
  birthYear: Type.Union([Type.Integer(), Type.Null()]),
  sex: Type.Union([Type.String(), Type.Null()]),
  relationship: Type.String(),
  since: Type.String({ format: 'date-time' }),
});
export type PersonLink = Static<typeof PersonLink>;

export const MergeHistoryItem = Type.Object({
  id: Type.String(),
  mergedId: Type.String(),
  mergedAt: Type.String({ format: 'date-time' }),
  mergedBy: Type.Union([Type.String(), Type.Null()]),
  reason: Type.String(),
  fieldsTaken: Type.Array(Type.String()),
  repointed: Type.Record(Type.String(), Type.Number()),
  /** the merged record as it was */
  snapshot: Type.Object({
    fullName: Type.String(),
    birthDate: Type.Union([Type.String(), Type.Null()]),
    birthYear: Type.Union([Type.Integer(), Type.Null()]),
    sex: Type.Union([Type.String(), Type.Null()]),
    nationalId: Type.Union([Type.String(), Type.Null()]),
    phone: Type.Union([Type.String(), Type.Null()]),
    address: Type.Union([Type.String(), Type.Null()]),
    communeCode: Type.Union([Type.String(), Type.Null()]),
  }),
});
export type MergeHistoryItem = Static<typeof MergeHistoryItem>;

/** A person's own fields, unmasked: what both the officer's detail view and the citizen's own view show. */
const personOwnFields = {
  id: Type.String(),
  fullName: Type.String(),
  birthDate: Type.Union([Type.String(), Type.Null()]),
  birthYear: Type.Union([Type.Integer(), Type.Null()]),
  sex: Type.Union([Type.String(), Type.Null()]),
  nationalId: Type.Union([Type.String(), Type.Null()]),
  phone: Type.Union([Type.String(), Type.Null()]),
  address: Type.Union([Type.String(), Type.Null()]),
  commune: Type.Union([UnitBrief, Type.Null()]),
};

export const PersonDetail = Type.Object({
  ...personOwnFields,
  source: Type.String(),
  mergedInto: Type.Union([Type.String(), Type.Null()]),
  mergedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  hasAccount: Type.Boolean(),
  managers: Type.Array(PersonLink),
  dependants: Type.Array(PersonLink),
  merges: Type.Array(MergeHistoryItem),
});
export type PersonDetail = Static<typeof PersonDetail>;

export const PersonResponse = Type.Object({ person: PersonDetail });
export type PersonResponse = Static<typeof PersonResponse>;

export const PersonListQuery = Type.Object({
  /** name (without diacritics is fine), full phone number or national ID number */
  q: Type.Optional(Type.String({ maxLength: 100 })),
  commune: Type.Optional(Type.String({ maxLength: 32 })),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
});
export type PersonListQuery = Static<typeof PersonListQuery>;

export const PersonListResponse = Type.Object({ items: Type.Array(PersonListItem), total: Type.Integer() });
export type PersonListResponse = Static<typeof PersonListResponse>;

export const ReasonQuery = Type.Object({
  /** why the officer opens the record; written to the audit log */
  reason: Type.String({ minLength: 3, maxLength: 300 }),
});
export type ReasonQuery = Static<typeof ReasonQuery>;

export const CardQuery = Type.Object({
  reason: Type.String({ minLength: 3, maxLength: 300 }),
  /** also print the cards of the person's dependants */
  household: Type.Optional(Type.Boolean({ default: false })),
});

export const DuplicateReason = Type.Union([Type.Literal('national_id'), Type.Literal('phone_name_year'), Type.Literal('phone_name')]);
export const DuplicatePair = Type.Object({ reason: DuplicateReason, a: PersonListItem, b: PersonListItem });
export type DuplicatePair = Static<typeof DuplicatePair>;
export const DuplicateListResponse = Type.Object({ items: Type.Array(DuplicatePair), total: Type.Integer() });
export type DuplicateListResponse = Static<typeof DuplicateListResponse>;
export const DuplicateListQuery = Type.Object({
  personId: Type.Optional(Uuid),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
});

export const NotDuplicateBody = Type.Object({ aId: Uuid, bId: Uuid }, { additionalProperties: false });

export const MergeBody = Type.Object(
  {
    /** the record merged away into the one in the URL */
    mergeId: Uuid,
    reason: Type.String({ minLength: 3, maxLength: 500 }),
    /** fields to copy from the merged record even where the kept one has a value (empty ones are always filled) */
    take: Type.Optional(Type.Array(Type.Union(MERGE_FIELDS.map((f) => Type.Literal(f))), { uniqueItems: true })),
  },
  { additionalProperties: false },
);
export type MergeBody = Static<typeof MergeBody>;

export const MergeResponse = Type.Object({
  person: PersonDetail,
  merge: Type.Object({ mergedId: Type.String(), fieldsTaken: Type.Array(Type.String()), repointed: Type.Record(Type.String(), Type.Number()) }),
});
export type MergeResponse = Static<typeof MergeResponse>;

export const AddDependantBody = Type.Object({ dependantId: Uuid, relationship: Relationship }, { additionalProperties: false });
export type AddDependantBody = Static<typeof AddDependantBody>;

export const PersonIdParam = Type.Object({ id: Uuid });
export const LinkParams = Type.Object({ id: Uuid, dependantId: Uuid });

// ── citizen ("self") ─────────────────────────────────────────────────────────

export const SelfPersonBody = Type.Object(
  {
    fullName: personFields.fullName,
    birthDate: Type.Optional(personFields.birthDate),
    birthYear: Type.Optional(personFields.birthYear),
    sex: Type.Optional(personFields.sex),
    nationalId: Type.Optional(personFields.nationalId),
    phone: Type.String({ minLength: 1, maxLength: 32 }),
    address: Type.Optional(personFields.address),
    communeCode: personFields.communeCode,
  },
  { additionalProperties: false },
);
export type SelfPersonBody = Static<typeof SelfPersonBody>;

export const SelfPerson = Type.Object(personOwnFields);
export type SelfPerson = Static<typeof SelfPerson>;
export const SelfPersonResponse = Type.Object({ person: Type.Union([SelfPerson, Type.Null()]) });
export type SelfPersonResponse = Static<typeof SelfPersonResponse>;

export const SelfDependant = Type.Composite([SelfPerson, Type.Object({ relationship: Type.String() })]);
export type SelfDependant = Static<typeof SelfDependant>;
export const SelfDependantsResponse = Type.Object({ items: Type.Array(SelfDependant) });
export type SelfDependantsResponse = Static<typeof SelfDependantsResponse>;

export const SelfDependantBody = Type.Object(
  {
    relationship: Relationship,
    person: Type.Object(
      {
        fullName: personFields.fullName,
        birthDate: Type.Optional(personFields.birthDate),
        birthYear: Type.Optional(personFields.birthYear),
        sex: Type.Optional(personFields.sex),
        nationalId: Type.Optional(personFields.nationalId),
        phone: Type.Optional(personFields.phone),
        address: Type.Optional(personFields.address),
        communeCode: personFields.communeCode,
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type SelfDependantBody = Static<typeof SelfDependantBody>;

export const SelfQrQuery = Type.Object({ personId: Type.Optional(Uuid) });
export const SelfCardQuery = Type.Object({
  personId: Type.Optional(Uuid),
  household: Type.Optional(Type.Boolean({ default: false })),
});

export const SelfQrResponse = Type.Object({
  personId: Type.String(),
  fullName: Type.String(),
  /** the signed token encoded in the QR */
  token: Type.String(),
  /** the QR as an SVG document */
  svg: Type.String(),
});
export type SelfQrResponse = Static<typeof SelfQrResponse>;

// ── linking an account or a dependant to an existing record (proof of possession) ──────────────────────────

/**
 * A proof that the caller holds a registry record. 'personal_qr': the signed code of the person's QR card (printed
 * by an officer, or shown on a phone already linked), as scanned (bare token or the URL ending in it). Methods that
 * take two steps (a one-time code to the record's phone) go through a link request instead.
 */
export const LinkProof = Type.Union([
  Type.Object({ method: Type.Literal('personal_qr'), token: Type.String({ minLength: 1, maxLength: 600 }) }, { additionalProperties: false }),
]);
export type LinkProof = Static<typeof LinkProof>;

export const SelfLinkBody = Type.Object({ proof: LinkProof }, { additionalProperties: false });
export const SelfDependantLinkBody = Type.Object({ relationship: Relationship, proof: LinkProof }, { additionalProperties: false });

export const LINK_REQUEST_STATUSES = ['pending', 'approved', 'rejected', 'cancelled'] as const;
export const LinkRequestStatus = Type.Union(LINK_REQUEST_STATUSES.map((s) => Type.Literal(s)));

export const SelfLinkRequestBody = Type.Object(
  {
    /** the record to link: one's own (default) or a dependant's, as typed in earlier */
    personId: Type.Optional(Uuid),
    /** for the officer: where and when the person was registered, e.g. "trạm y tế phường, 2021" */
    note: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type SelfLinkRequestBody = Static<typeof SelfLinkRequestBody>;

export const SelfLinkRequest = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('self'), Type.Literal('dependant')]),
  method: Type.String(),
  personId: Type.String(),
  personName: Type.String(),
  status: LinkRequestStatus,
  note: Type.Union([Type.String(), Type.Null()]),
  decisionNote: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  decidedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type SelfLinkRequest = Static<typeof SelfLinkRequest>;
export const SelfLinkRequestList = Type.Object({ items: Type.Array(SelfLinkRequest) });

export const LinkRequestItem = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('self'), Type.Literal('dependant')]),
  method: Type.String(),
  status: LinkRequestStatus,
  note: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  account: Type.Object({ id: Type.String(), username: Type.String() }),
  /** the record the citizen typed in (their own or their dependant's) */
  claimant: PersonListItem,
  /** for a dependant: the citizen's own record */
  manager: Type.Union([PersonListItem, Type.Null()]),
  /** registry records inside the officer's area that may be the same person (national ID, phone, name + year) */
  candidates: Type.Array(PersonListItem),
  targetId: Type.Union([Type.String(), Type.Null()]),
  decidedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  decidedBy: Type.Union([Type.String(), Type.Null()]),
  decisionNote: Type.Union([Type.String(), Type.Null()]),
});
export type LinkRequestItem = Static<typeof LinkRequestItem>;
export const LinkRequestListQuery = Type.Object({
  status: Type.Optional(LinkRequestStatus),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
});
export const LinkRequestList = Type.Object({ items: Type.Array(LinkRequestItem), total: Type.Integer() });
export type LinkRequestList = Static<typeof LinkRequestList>;
export const ApproveLinkBody = Type.Object(
  { targetId: Uuid, note: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);
export const RejectLinkBody = Type.Object({ note: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false });
