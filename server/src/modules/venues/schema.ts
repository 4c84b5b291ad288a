// Request/response schemas of the venues module (TypeBox). The web app imports the types with `import type`.
import { Type, type Static } from '@sinclair/typebox';

export const VENUE_TYPES = [
  'office',
  'factory',
  'market',
  'supermarket',
  'hospital',
  'clinic',
  'school',
  'station',
  'restaurant',
  'hotel',
  'religious',
  'event',
  'other',
] as const;
export type VenueType = (typeof VENUE_TYPES)[number];
export const VENUE_STATUSES = ['pending', 'approved', 'suspended'] as const;
export type VenueStatus = (typeof VENUE_STATUSES)[number];

const Uuid = Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' });
const DateTime = Type.String({ format: 'date-time' });
// The length in the pattern, not minLength/maxLength: those make ajv count code points (a loop over the ~150
// characters of every token of every check-in) before the pattern's pass; the pattern allows ASCII only anyway.
const Token = Type.String({ pattern: '^[A-Za-z0-9_.-]{10,400}$' });
const CommuneCode = Type.String({ minLength: 1, maxLength: 20, pattern: '^[A-Za-z0-9_-]+$' });

export const VenueType = Type.Union(VENUE_TYPES.map((t) => Type.Literal(t)));
export const VenueStatus = Type.Union(VENUE_STATUSES.map((t) => Type.Literal(t)));

// ── venues ─────────────────────────────────────────────────────────────────

export const EntranceItem = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: Type.Union([Type.Literal('entrance'), Type.Literal('room')]),
  active: Type.Boolean(),
  /** The URL printed as QR on the poster. */
  checkinUrl: Type.String(),
  /** What a person types when the QR cannot be scanned: "40-ZPBMEV-1" (province, venue, entrance number) */
  shortCode: Type.String(),
  /** `${publicUrl}/c/${shortCode}`: opens the same check-in page as the QR */
  shortUrl: Type.String(),
});
export type EntranceItem = Static<typeof EntranceItem>;

export const VenueItem = Type.Object({
  id: Type.String(),
  code: Type.String(),
  name: Type.String(),
  type: Type.String(),
  commune: Type.Object({ code: Type.String(), name: Type.String() }),
  address: Type.String(),
  contactName: Type.Union([Type.String(), Type.Null()]),
  contactPhone: Type.Union([Type.String(), Type.Null()]),
  defaultStayMinutes: Type.Integer(),
  validFrom: Type.Union([Type.String(), Type.Null()]),
  validUntil: Type.Union([Type.String(), Type.Null()]),
  status: Type.String(),
  statusReason: Type.Union([Type.String(), Type.Null()]),
  statusChangedAt: Type.Union([Type.String(), Type.Null()]),
  entranceCount: Type.Integer(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type VenueItem = Static<typeof VenueItem>;

export const VenueDetail = Type.Object({
  venue: VenueItem,
  entrances: Type.Array(EntranceItem),
  operators: Type.Array(Type.Object({ id: Type.String(), username: Type.String(), displayName: Type.String() })),
  /** What the caller may do with this venue. */
  can: Type.Object({ edit: Type.Boolean(), approve: Type.Boolean(), readCheckins: Type.Boolean(), manageOperators: Type.Boolean() }),
  /** The address the QR codes carry (VIGIL_PUBLIC_URL); loopback: phones cannot open it (the page warns). */
  qrAddress: Type.Object({ base: Type.String(), loopback: Type.Boolean() }),
});
export type VenueDetail = Static<typeof VenueDetail>;

export const VenueListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 100 })),
  status: Type.Optional(VenueStatus),
  type: Type.Optional(VenueType),
  communeCode: Type.Optional(CommuneCode),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
});
export type VenueListQuery = Static<typeof VenueListQuery>;

const venueFields = {
  code: Type.Optional(Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9._-]+$' })),
  name: Type.String({ minLength: 1, maxLength: 200 }),
  type: VenueType,
  communeCode: CommuneCode,
  address: Type.String({ maxLength: 300, default: '' }),
  contactName: Type.Optional(Type.Union([Type.String({ maxLength: 120 }), Type.Null()])),
  contactPhone: Type.Optional(Type.Union([Type.String({ maxLength: 30 }), Type.Null()])),
  defaultStayMinutes: Type.Integer({ minimum: 5, maximum: 720, default: 60 }),
  validFrom: Type.Optional(Type.Union([DateTime, Type.Null()])),
  validUntil: Type.Optional(Type.Union([DateTime, Type.Null()])),
};

export const CreateVenueBody = Type.Object(
  {
    ...venueFields,
    /** Entrances/rooms to create; default one "Main entrance" (Lối vào chính). */
    entrances: Type.Optional(
      Type.Array(Type.Object({ name: Type.String({ minLength: 1, maxLength: 120 }), kind: Type.Optional(Type.Union([Type.Literal('entrance'), Type.Literal('room')])) }), {
        maxItems: 50,
      }),
    ),
  },
  { additionalProperties: false },
);
export type CreateVenueBody = Static<typeof CreateVenueBody>;

export const UpdateVenueBody = Type.Partial(
  Type.Object(
    {
      name: venueFields.name,
      type: venueFields.type,
      communeCode: venueFields.communeCode,
      address: Type.String({ maxLength: 300 }),
      contactName: venueFields.contactName,
      contactPhone: venueFields.contactPhone,
      defaultStayMinutes: Type.Integer({ minimum: 5, maximum: 720 }),
      validFrom: venueFields.validFrom,
      validUntil: venueFields.validUntil,
    },
    { additionalProperties: false },
  ),
  { additionalProperties: false },
);
export type UpdateVenueBody = Static<typeof UpdateVenueBody>;

export const VenueStatusBody = Type.Object(
  { status: Type.Union([Type.Literal('approved'), Type.Literal('suspended')]), reason: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);
export type VenueStatusBody = Static<typeof VenueStatusBody>;

export const EntranceBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 120 }), kind: Type.Optional(Type.Union([Type.Literal('entrance'), Type.Literal('room')])) },
  { additionalProperties: false },
);
export type EntranceBody = Static<typeof EntranceBody>;

export const UpdateEntranceBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 120 })),
    kind: Type.Optional(Type.Union([Type.Literal('entrance'), Type.Literal('room')])),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type UpdateEntranceBody = Static<typeof UpdateEntranceBody>;

export const OperatorBody = Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });

export const ImportLineError = Type.Object({ line: Type.Integer(), path: Type.String(), message: Type.String() });
export type ImportLineError = Static<typeof ImportLineError>;
export const ImportResult = Type.Object({
  total: Type.Integer(),
  imported: Type.Integer(),
  duplicates: Type.Integer(),
  errors: Type.Array(ImportLineError),
  /** True when more errors existed than are listed. */
  errorsTruncated: Type.Boolean(),
});
export type ImportResult = Static<typeof ImportResult>;

// ── citizen check-in ───────────────────────────────────────────────────────

export const VenuePublic = Type.Object({
  venue: Type.Object({
    id: Type.String(),
    code: Type.String(),
    name: Type.String(),
    type: Type.String(),
    address: Type.String(),
    commune: Type.Object({ code: Type.String(), name: Type.String() }),
    provinceCode: Type.Union([Type.String(), Type.Null()]),
    defaultStayMinutes: Type.Integer(),
    validUntil: Type.Union([Type.String(), Type.Null()]),
  }),
  entrance: Type.Object({ id: Type.String(), name: Type.String(), kind: Type.String() }),
});
export type VenuePublic = Static<typeof VenuePublic>;

export const CommuneOption = Type.Object({ code: Type.String(), name: Type.String(), district: Type.String(), province: Type.String() });
export type CommuneOption = Static<typeof CommuneOption>;
export const AreaCommunes = Type.Object({
  items: Type.Array(CommuneOption),
  /** communes in the user's area in all (the picker says "type to search" when there are more than shown) */
  total: Type.Integer(),
});
export type AreaCommunes = Static<typeof AreaCommunes>;
/** Communes where the signed-in user may place a venue (their area), most relevant first. */
export const AreaCommuneQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 60 })),
  limit: Type.Integer({ minimum: 1, maximum: 50, default: 20 }),
});
export type AreaCommuneQuery = Static<typeof AreaCommuneQuery>;

export const CommuneQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 60 })),
  /** Limit to one province. */
  province: Type.Optional(CommuneCode),
  /** List this province's communes first (the venue's: most visitors live nearby, travellers are still found). */
  near: Type.Optional(CommuneCode),
  limit: Type.Integer({ minimum: 1, maximum: 50, default: 20 }),
});

/**
 * A person: either `token` (the signed token the device stored, or a scanned personal QR) or the form fields
 * (first visit). One flat object rather than a union so validation errors name the exact field.
 */
export const PersonRef = Type.Object(
  {
    token: Type.Optional(Token),
    fullName: Type.Optional(Type.String({ minLength: 2, maxLength: 120 })),
    phone: Type.Optional(Type.String({ minLength: 6, maxLength: 20 })),
    birthYear: Type.Optional(Type.Integer({ minimum: 1900, maximum: 2100 })),
    communeCode: Type.Optional(CommuneCode),
    nationalId: Type.Optional(Type.String({ maxLength: 20, pattern: '^[0-9A-Za-z]*$' })),
  },
  { additionalProperties: false },
);
export type PersonRef = Static<typeof PersonRef>;

export const CheckinItem = Type.Object(
  {
    /** Generated by the device (uuid); a retried request with the same id is reported as a duplicate. */
    clientId: Uuid,
    /** 'in' (default) or 'out'. */
    action: Type.Optional(Type.Union([Type.Literal('in'), Type.Literal('out')])),
    /** The signed token of the entrance QR (citizens; gates may use entranceId instead). */
    venueToken: Type.Optional(Token),
    /** Staff gate: one of the venues' entrances, instead of the QR token. */
    entranceId: Type.Optional(Uuid),
    /** Who: one or more people (household members), by device token, personal QR or form. */
    people: Type.Optional(Type.Array(PersonRef, { minItems: 1, maxItems: 10 })),
    /** Staff gate: scanned personal QR tokens (same as people: [{token}]). */
    personQr: Type.Optional(Token),
    /** Staff gate: the short reference printed under the QR of a personal card (8 hex digits), typed when the QR cannot be read. */
    personRef: Type.Optional(Type.String({ pattern: '^[0-9A-Fa-f]{8}$' })),
    /** Dependants (person ids) of the first person, checked in with them. */
    dependants: Type.Optional(Type.Array(Uuid, { maxItems: 10 })),
    /** When it happened (offline queues); default now. Never in the future. */
    at: Type.Optional(DateTime),
  },
  { additionalProperties: false },
);
export type CheckinItem = Static<typeof CheckinItem>;

/** One item, or `{ items: [...] }` for a batch (gate sync). Item fields are checked again per item in the service. */
export const CheckinBody = Type.Object(
  {
    ...Type.Partial(CheckinItem).properties,
    items: Type.Optional(Type.Array(CheckinItem, { minItems: 1, maxItems: 200 })),
  },
  { additionalProperties: false },
);
export type CheckinBody = Static<typeof CheckinBody>;

export const CheckinPerson = Type.Object({
  personId: Type.String(),
  /** Signed token for the device to store and send next time instead of the form. */
  token: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  /** Gate scans only (personal QR or card reference): shown to this venue's gate staff to compare card and person. */
  birthYear: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  created: Type.Boolean(),
});
export type CheckinPerson = Static<typeof CheckinPerson>;

export const CheckinResultItem = Type.Object({
  clientId: Type.String(),
  /** created: new stay(s) recorded; duplicate: this client id was already recorded; checked_out; rejected (batch only). */
  status: Type.Union([Type.Literal('created'), Type.Literal('duplicate'), Type.Literal('checked_out'), Type.Literal('rejected')]),
  action: Type.Union([Type.Literal('in'), Type.Literal('out')]),
  checkinIds: Type.Array(Type.String()),
  venue: Type.Union([Type.Object({ id: Type.String(), name: Type.String(), entrance: Type.Union([Type.String(), Type.Null()]) }), Type.Null()]),
  people: Type.Array(CheckinPerson),
  at: Type.String(),
  /** Automatic check-out time when the person does not check out. */
  autoCheckoutAt: Type.Union([Type.String(), Type.Null()]),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String(), path: Type.String() })),
});
export type CheckinResultItem = Static<typeof CheckinResultItem>;

export const CheckinResponse = Type.Object({
  results: Type.Array(CheckinResultItem),
  accepted: Type.Integer(),
  duplicates: Type.Integer(),
  rejected: Type.Integer(),
});
export type CheckinResponse = Static<typeof CheckinResponse>;

export const CheckoutBody = Type.Object(
  {
    clientId: Uuid,
    people: Type.Array(Type.Object({ token: Token }, { additionalProperties: false }), { minItems: 1, maxItems: 10 }),
    /** Only at this venue (the QR the person scanned); default: wherever they are checked in. */
    venueToken: Type.Optional(Token),
    at: Type.Optional(DateTime),
    /** The client id of the check-in this ends (the phone kept it): required, only that stay is closed. */
    checkinClientId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);
export type CheckoutBody = Static<typeof CheckoutBody>;

export const PeopleStatusBody = Type.Object(
  {
    tokens: Type.Array(Token, { minItems: 1, maxItems: 10 }),
    /**
     * Client ids of check-ins this phone made. A person's current stay is told only when it was started by one of
     * them: a device token obtained by typing someone's details does not tell where they are.
     */
    checkinClientIds: Type.Optional(Type.Array(Uuid, { maxItems: 10 })),
  },
  { additionalProperties: false },
);
export const PeopleStatusResponse = Type.Object({
  people: Type.Array(
    Type.Object({
      token: Type.String(),
      valid: Type.Boolean(),
      personId: Type.Union([Type.String(), Type.Null()]),
      name: Type.Union([Type.String(), Type.Null()]),
      openCheckin: Type.Union([
        Type.Object({ venueName: Type.String(), entranceName: Type.Union([Type.String(), Type.Null()]), checkinAt: Type.String(), autoCheckoutAt: Type.String() }),
        Type.Null(),
      ]),
    }),
  ),
});
export type PeopleStatusResponse = Static<typeof PeopleStatusResponse>;

// ── look-ups, statistics ───────────────────────────────────────────────────

/**
 * Who a look-up is about. personId: a person's record id (links from the person page); checked in the handler so a
 * phone number pasted there gets a clear PERSON_ID_INVALID instead of a pattern error. person: what an officer
 * types: a phone number, a CCCD/CMND number or (part of) a name.
 */
const PersonFilter = {
  personId: Type.Optional(Type.String({ maxLength: 100 })),
  person: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
};

export const CheckinListQuery = Type.Object({
  venueId: Type.Optional(Uuid),
  communeCode: Type.Optional(CommuneCode),
  ...PersonFilter,
  from: DateTime,
  to: DateTime,
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
});
export type CheckinListQuery = Static<typeof CheckinListQuery>;

/**
 * open: no check-out yet and the automatic check-out is still ahead (the person may still be there);
 * checked_out: ended by a check-out or by the person's next check-in elsewhere; auto: ended by the automatic check-out.
 */
export const StayState = Type.Union([Type.Literal('open'), Type.Literal('checked_out'), Type.Literal('auto')]);
export type StayState = Static<typeof StayState>;

export const CheckinListItem = Type.Object({
  id: Type.String(),
  personId: Type.String(),
  personName: Type.Union([Type.String(), Type.Null()]),
  personPhone: Type.Union([Type.String(), Type.Null()]),
  venue: Type.Object({ id: Type.String(), code: Type.String(), name: Type.String(), communeCode: Type.String() }),
  entrance: Type.Union([Type.String(), Type.Null()]),
  checkinAt: Type.String(),
  checkoutAt: Type.Union([Type.String(), Type.Null()]),
  /** coalesce(checkoutAt, automatic check-out): when the stay ended, or for an open stay when it will end at the latest. */
  effectiveCheckoutAt: Type.String(),
  state: StayState,
  /** state === 'auto' (kept for API clients written before `state`). */
  autoCheckedOut: Type.Boolean(),
  source: Type.String(),
});
export type CheckinListItem = Static<typeof CheckinListItem>;
export const CheckinList = Type.Object({ items: Type.Array(CheckinListItem), total: Type.Integer() });
export type CheckinList = Static<typeof CheckinList>;

export const PersonCheckinsQuery = Type.Object({
  days: Type.Integer({ minimum: 1, maximum: 31, default: 14 }),
});
export const PersonCheckins = Type.Object({
  items: Type.Array(CheckinListItem),
  total: Type.Integer(),
  from: Type.String(),
  to: Type.String(),
  /** person: every check-in of a person the user may read; venues: only those at venues in the user's area */
  scope: Type.Union([Type.Literal('person'), Type.Literal('venues')]),
});
export type PersonCheckins = Static<typeof PersonCheckins>;

export const StatsQuery = Type.Object({
  venueId: Type.Optional(Uuid),
  communeCode: Type.Optional(CommuneCode),
  ...PersonFilter,
  from: DateTime,
  to: DateTime,
  groupBy: Type.Union([Type.Literal('venue'), Type.Literal('commune'), Type.Literal('hour')], { default: 'venue' }),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 20 }),
});
export type StatsQuery = Static<typeof StatsQuery>;
export const StatsResponse = Type.Object({
  groupBy: Type.String(),
  total: Type.Object({ checkins: Type.Integer(), people: Type.Integer() }),
  rows: Type.Array(
    Type.Object({ key: Type.String(), label: Type.String(), code: Type.Union([Type.String(), Type.Null()]), checkins: Type.Integer(), people: Type.Integer() }),
  ),
});
export type StatsResponse = Static<typeof StatsResponse>;

export const ExportQuery = Type.Object({
  venueId: Type.Optional(Uuid),
  communeCode: Type.Optional(CommuneCode),
  ...PersonFilter,
  from: DateTime,
  to: DateTime,
  format: Type.Union([Type.Literal('csv'), Type.Literal('xlsx')], { default: 'csv' }),
  /** column headers: `label` in the user's language (`lang`), or `code`: stable machine-readable names */
  headers: Type.Union([Type.Literal('label'), Type.Literal('code')], { default: 'label' }),
  lang: Type.Union([Type.Literal('vi'), Type.Literal('en')], { default: 'vi' }),
  /** why the data leaves the system (audited); required when the file carries full phone or ID numbers */
  reason: Type.Optional(Type.String({ maxLength: 500 })),
});
export type ExportQuery = Static<typeof ExportQuery>;

export const QrResponse = Type.Object({ token: Type.String(), url: Type.String(), svg: Type.String(), expiresAt: Type.Union([Type.String(), Type.Null()]) });
export type QrResponse = Static<typeof QrResponse>;
