// TypeBox schemas of the vaccination routes (shared with web/ as types).
import { Type, type Static } from '@sinclair/typebox';

export const Uuid = Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' });
export const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
const Hhmm = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' });
const Text = (max: number, min = 1) => Type.String({ minLength: min, maxLength: max, pattern: '^[^\\u0000]*$' });

export const IdParam = Type.Object({ id: Uuid });
export const SitePersonParam = Type.Object({ id: Uuid, personId: Uuid });
export const IdResponse = Type.Object({ id: Type.String() });

export const SiteBody = Type.Object(
  {
    code: Type.String({ pattern: '^[A-Za-z0-9_-]{1,40}$' }),
    name: Text(200),
    address: Text(500, 0),
    communeCode: Text(20),
    capacityPerHour: Type.Integer({ minimum: 1, maximum: 10000 }),
    openingHours: Type.Array(Type.Object({ days: Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), { minItems: 1, maxItems: 7 }), from: Hhmm, to: Hhmm }, { additionalProperties: false }), { maxItems: 14 }),
  },
  { additionalProperties: false },
);

const OpeningHoursList = SiteBody.properties.openingHours;

/** What staff may change of a site: applies to sessions planned afterwards (slots already cut stay). */
export const SiteEditBody = Type.Object(
  { name: Type.Optional(Text(200)), address: Type.Optional(Text(500, 0)), capacityPerHour: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })), openingHours: Type.Optional(OpeningHoursList) },
  { additionalProperties: false },
);
export const CampaignEditBody = Type.Object(
  { name: Type.Optional(Text(200)), unitCode: Type.Optional(Text(20)), startsOn: Type.Optional(Day), endsOn: Type.Optional(Day) },
  { additionalProperties: false },
);
/**
 * Closing a site or campaign: what becomes of the appointments not yet over (`cancel`: cancelled, the people asked to
 * book elsewhere; `keep`: they stand) — the staff member decides, there is no default — and why (sent in the SMS).
 */
export const CloseBody = Type.Object(
  { bookings: Type.Union([Type.Literal('cancel'), Type.Literal('keep')]), reason: Text(200) },
  { additionalProperties: false },
);
export const CloseResponse = Type.Object({ bookings: Type.Integer(), cancelled: Type.Integer(), notified: Type.Integer(), slotsClosed: Type.Integer() });
export const ReopenBody = Type.Object(
  {
    /** why it reopens (audited) */
    reason: Text(200),
    /** also reopen the slots the close closed that have not begun (default: they stay closed) */
    reopenSlots: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export const ReopenResponse = Type.Object({ slotsReopened: Type.Integer(), seats: Type.Integer() });
export const EditResponse = Type.Object({ changed: Type.Array(Type.String()) });

export const LotBody = Type.Object(
  { productCode: Text(80), lotNumber: Text(60), expiresOn: Day, quantity: Type.Integer({ minimum: 1, maximum: 1_000_000 }) },
  { additionalProperties: false },
);
export const WastageBody = Type.Object({ doses: Type.Integer({ minimum: 1, maximum: 10000 }), reason: Text(200) }, { additionalProperties: false });

export const CampaignBody = Type.Object(
  {
    name: Text(200),
    unitCode: Text(20),
    startsOn: Day,
    endsOn: Day,
    productCodes: Type.Array(Text(80), { minItems: 1, maxItems: 20 }),
    priorityCodes: Type.Array(Text(40), { maxItems: 50 }),
  },
  { additionalProperties: false },
);

export const SessionBody = Type.Object({ siteId: Uuid, day: Day, productCode: Text(80) }, { additionalProperties: false });

export const SlotsQuery = Type.Object({ campaignId: Uuid, day: Day, siteId: Type.Optional(Uuid), communeCode: Type.Optional(Text(20)) }, { additionalProperties: false });

const PersonDetails = Type.Object(
  {
    fullName: Text(200),
    nationalId: Type.Optional(Type.String({ maxLength: 20 })),
    birthDate: Type.Optional(Day),
    birthYear: Type.Optional(Type.Integer({ minimum: 1900, maximum: 2100 })),
    sex: Type.Optional(Type.Union([Type.Literal('male'), Type.Literal('female'), Type.Literal('other')])),
    phone: Type.Optional(Type.String({ maxLength: 30 })),
    communeCode: Text(20),
    address: Type.Optional(Text(500, 0)),
  },
  { additionalProperties: false },
);

export const RegistrationBody = Type.Object(
  {
    campaignId: Uuid,
    personId: Type.Optional(Uuid),
    person: Type.Optional(PersonDetails),
    priorityCode: Type.Optional(Text(40)),
    occupation: Type.Optional(Text(80)),
    organisation: Type.Optional(Text(200)),
  },
  { additionalProperties: false },
);
/** A claimed priority group and what became of the claim: `reason` is the code of the deciding rule (rules.ts). */
export const PriorityClaimView = Type.Object({
  code: Type.String(),
  status: Type.Union([Type.Literal('accepted'), Type.Literal('review'), Type.Literal('refused')]),
  reason: Type.String(),
});
export const RegistrationResponse = Type.Object({ id: Type.String(), personId: Type.String(), created: Type.Boolean(), priority: Type.Union([PriorityClaimView, Type.Null()]) });

/** The desk's search for people already on file: a national ID, a phone, or a name with the birth date. */
export const DeskSearchQuery = Type.Object(
  {
    campaignId: Type.Optional(Uuid),
    nationalId: Type.Optional(Type.String({ pattern: '^([0-9]{9}|[0-9]{12})$' })),
    phone: Type.Optional(Type.String({ minLength: 1, maxLength: 30, pattern: '^[^\\u0000]*$' })),
    fullName: Type.Optional(Text(200)),
    birthDate: Type.Optional(Day),
  },
  { additionalProperties: false },
);
export const DeskMatchView = Type.Object({
  /** null for a record a citizen typed in: shown marked, never picked (register from the ID card instead) */
  id: Type.Union([Type.String(), Type.Null()]),
  fullName: Type.String(),
  birthYear: Type.Union([Type.Integer(), Type.Null()]),
  phoneMasked: Type.Union([Type.String(), Type.Null()]),
  nationalIdMasked: Type.Union([Type.String(), Type.Null()]),
  communeName: Type.Union([Type.String(), Type.Null()]),
  unverified: Type.Boolean(),
  /** already registered in the campaign asked about (null: no campaign given) */
  registered: Type.Union([Type.Boolean(), Type.Null()]),
});
export const DeskSearchResponse = Type.Object({ items: Type.Array(DeskMatchView) });

export const ImportQuery = Type.Object({ organisation: Text(200) }, { additionalProperties: false });
export const ImportResponse = Type.Object({
  total: Type.Integer(),
  registered: Type.Integer(),
  already: Type.Integer(),
  errors: Type.Array(Type.Object({ line: Type.Integer(), path: Type.String(), message: Type.String() })),
});

export const BookingBody = Type.Object(
  { personId: Uuid, slotId: Uuid, nextSlotId: Type.Optional(Uuid), doseNumber: Type.Integer({ minimum: 1, maximum: 5 }) },
  { additionalProperties: false },
);
export const BookingResponse = Type.Object({ ids: Type.Array(Type.String()) });
export const RebookBody = Type.Object({ slotId: Uuid }, { additionalProperties: false });
export const WalkInBody = Type.Object({ personId: Uuid, doseNumber: Type.Integer({ minimum: 1, maximum: 5 }) }, { additionalProperties: false });

export const ScanBody = Type.Object({ siteId: Uuid, qr: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false });

const Answers = Type.Object(
  {
    anaphylaxisToVaccine: Type.Boolean(),
    severeAllergyOther: Type.Boolean(),
    acuteIllness: Type.Boolean(),
    covidLast3Months: Type.Boolean(),
    otherVaccineLast14Days: Type.Boolean(),
    chronicUncontrolled: Type.Boolean(),
    chronicControlled: Type.Boolean(),
    immunocompromised: Type.Boolean(),
    pregnancyWeeks: Type.Union([Type.Null(), Type.Integer({ minimum: 1, maximum: 45 })]),
    bleedingDisorder: Type.Boolean(),
  },
  { additionalProperties: false },
);

export const ScreeningBody = Type.Object(
  {
    personId: Uuid,
    siteId: Uuid,
    answers: Answers,
    temperature: Type.Union([Type.Null(), Type.Number({ minimum: 30, maximum: 45 })]),
    consent: Type.Boolean(),
    consentBy: Type.Optional(Type.Union([Type.Literal('self'), Type.Literal('guardian')])),
  },
  { additionalProperties: false },
);
export const ScreeningResponse = Type.Object({ id: Type.String(), outcome: Type.String(), rules: Type.Array(Type.String()) });

export const DoseBody = Type.Object(
  {
    personId: Uuid,
    siteId: Uuid,
    lotId: Uuid,
    doseNumber: Type.Integer({ minimum: 1, maximum: 8 }),
    vaccinator: Text(200),
    screeningId: Uuid,
    acknowledgeWarnings: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export const DoseResponse = Type.Object({ id: Type.String(), warnings: Type.Array(Type.String()), observeUntil: Type.String() });

export const ObservationBody = Type.Object({ early: Type.Optional(Type.Boolean()), note: Type.Optional(Text(500)) }, { additionalProperties: false });
export const AefiBody = Type.Object(
  {
    severity: Type.Union(['mild', 'moderate', 'severe', 'serious'].map((s) => Type.Literal(s))),
    symptoms: Type.Array(Text(80), { minItems: 1, maxItems: 30 }),
    onsetAt: Type.String({ format: 'date-time' }),
    outcome: Type.Union(['recovered', 'recovering', 'not_recovered', 'recovered_with_sequelae', 'died', 'unknown'].map((s) => Type.Literal(s))),
    hospitalised: Type.Optional(Type.Boolean()),
    notes: Type.Optional(Text(2000, 0)),
  },
  { additionalProperties: false },
);
export const VoidBody = Type.Object({ reason: Text(500) }, { additionalProperties: false });

export const DoseView = Type.Object({
  id: Type.String(),
  doseNumber: Type.Integer(),
  seriesDoses: Type.Integer(),
  /** a dose after the product's primary series: which booster (1 = the first), else null */
  booster: Type.Union([Type.Integer(), Type.Null()]),
  productCode: Type.String(),
  productName: Type.String(),
  lot: Type.Union([Type.String(), Type.Null()]),
  givenAt: Type.String(),
  givenOn: Type.String(),
  siteName: Type.Union([Type.String(), Type.Null()]),
  warnings: Type.Array(Type.String()),
  observeUntil: Type.String(),
  observationEndedAt: Type.Union([Type.String(), Type.Null()]),
  aefi: Type.Array(Type.Object({ severity: Type.String(), symptoms: Type.Array(Type.String()), outcome: Type.String(), onsetAt: Type.String() })),
});
export type DoseViewT = Static<typeof DoseView>;

export const AppointmentView = Type.Object({
  id: Type.String(),
  doseNumber: Type.Integer(),
  status: Type.String(),
  walkIn: Type.Boolean(),
  startsAt: Type.String(),
  siteId: Type.String(),
  siteName: Type.String(),
  siteAddress: Type.String(),
  productCode: Type.String(),
});
export type AppointmentViewT = Static<typeof AppointmentView>;

export const PersonCard = Type.Object({
  id: Type.String(),
  fullName: Type.String(),
  birthYear: Type.Union([Type.Integer(), Type.Null()]),
  sex: Type.Union([Type.String(), Type.Null()]),
  age: Type.Union([Type.Integer(), Type.Null()]),
  phoneMasked: Type.Union([Type.String(), Type.Null()]),
  communeCode: Type.Union([Type.String(), Type.Null()]),
});

export const ScanResponse = Type.Object({
  person: PersonCard,
  registered: Type.Boolean(),
  doses: Type.Array(DoseView),
  appointments: Type.Array(AppointmentView),
  nextDoseNumber: Type.Integer(),
  lots: Type.Array(Type.Object({ id: Type.String(), productCode: Type.String(), productName: Type.String(), lotNumber: Type.String(), expiresOn: Type.String(), left: Type.Integer() })),
});

/** The dashboard figures of an area and period (dashboard.ts). */
export interface Dashboard {
  from: string;
  to: string;
  dosesPerDay: { day: string; n: number }[];
  bySite: { siteId: string; siteName: string; n: number }[];
  byProduct: { productCode: string; productName: string; n: number }[];
  coverage: { communeCode: string; communeName: string; ageGroup: string; population: number; atLeastOne: number; full: number }[];
  dropout: { dose1: number; dose2: number; rate: number | null };
  overdue: { personId: string; fullName: string; doseNumber: number; dueOn: string; communeCode: string | null }[];
  stock: { siteName: string; productCode: string; lotNumber: string; expiresOn: string; quantity: number; used: number; wasted: number; left: number }[];
}

/** A person's registrations as their health book shows them, with the fate of a claimed priority group. */
export const RegistrationView = Type.Object({
  id: Type.String(),
  campaignName: Type.String(),
  priority: Type.Union([
    // note: the reviewer's words (why a claim was refused; what was checked)
    Type.Intersect([PriorityClaimView, Type.Object({ nameVi: Type.String(), nameEn: Type.String(), note: Type.Union([Type.String(), Type.Null()]) })]),
    Type.Null(),
  ]),
});

export const PriorityReviewItem = Type.Object({
  id: Type.String(),
  personId: Type.String(),
  fullName: Type.String(),
  birthYear: Type.Union([Type.Integer(), Type.Null()]),
  channel: Type.String(),
  occupation: Type.Union([Type.String(), Type.Null()]),
  organisation: Type.Union([Type.String(), Type.Null()]),
  priorityCode: Type.String(),
  /** the code of the deciding rule (rules.ts), or staff-verified / staff-refused once decided */
  reason: Type.String(),
  status: Type.Union([Type.Literal('review'), Type.Literal('accepted'), Type.Literal('refused')]),
  communeCode: Type.String(),
  communeName: Type.String(),
  /** the reviewer's words (why refused; what was checked) */
  note: Type.Union([Type.String(), Type.Null()]),
  reviewedAt: Type.Union([Type.String(), Type.Null()]),
  reviewedBy: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
});
export const PriorityReviewList = Type.Object({ items: Type.Array(PriorityReviewItem), total: Type.Integer() });
/** Filters of the review list: claims waiting (default) or decided, of one group, one commune of the caller's area, a name. */
export const PriorityReviewQuery = Type.Object(
  {
    status: Type.Optional(Type.Union([Type.Literal('review'), Type.Literal('accepted'), Type.Literal('refused')])),
    group: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
    commune: Type.Optional(Type.String({ minLength: 1, maxLength: 20 })),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
);
export const PriorityDecisionBody = Type.Object(
  {
    accept: Type.Boolean(),
    /** required when refusing: the citizen is told why */
    note: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  },
  { additionalProperties: false },
);
