// Request/response schemas of health declarations. The web app imports the types with `import type`.
import { Type, type Static } from '@sinclair/typebox';

export type { AnswerValue, Answers, Condition, FormDefinition, FormKind, Localized, Question, QuestionOption, QuestionType, RiskHit, Severity } from './model';
export type { Action, Status } from './workflow';

const Uuid = Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' });
const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const UnitRef = Type.Object({ code: Type.String(), name: Type.String() });
/** The jurisdiction that owns a form, rule or zone list; null = national (changed by national admins only). */
const Owner = Nullable(UnitRef);
/** On creation only: the unit that will own it (inside the caller's jurisdiction; default: the caller's own unit). */
const OwnerField = Type.Optional(Type.String({ minLength: 1, maxLength: 32 }));

export const LocalizedText = Type.Object({ vi: Type.String({ maxLength: 2000 }), en: Type.String({ maxLength: 2000 }) }, { additionalProperties: false });

const KINDS = ['domestic', 'entry', 'venue'] as const;
const SEVERITY_VALUES = ['low', 'medium', 'high'] as const;
const STATUS_VALUES = ['none', 'open', 'called', 'referred', 'cleared'] as const;
const ACTION_VALUES = ['called', 'referred', 'cleared', 'reopened'] as const;
const TYPES = ['boolean', 'single', 'multi', 'text', 'date', 'number', 'country', 'commune'] as const;

export const FormKindSchema = Type.Union(KINDS.map((v) => Type.Literal(v)));
export const SeveritySchema = Type.Union(SEVERITY_VALUES.map((v) => Type.Literal(v)));
export const StatusSchema = Type.Union(STATUS_VALUES.map((v) => Type.Literal(v)));
export const ActionSchema = Type.Union(ACTION_VALUES.map((v) => Type.Literal(v)));

export const QuestionSchema = Type.Object(
  {
    key: Type.String({ maxLength: 40 }),
    type: Type.Union(TYPES.map((v) => Type.Literal(v))),
    label: LocalizedText,
    help: Type.Optional(LocalizedText),
    required: Type.Optional(Type.Boolean()),
    options: Type.Optional(
      Type.Array(
        Type.Object(
          { value: Type.String({ maxLength: 40 }), label: LocalizedText, venueTypes: Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { minItems: 1, maxItems: 30 })) },
          { additionalProperties: false },
        ),
        { maxItems: 100 },
      ),
    ),
    multiple: Type.Optional(Type.Boolean()),
    min: Type.Optional(Type.Number()),
    max: Type.Optional(Type.Number()),
    integer: Type.Optional(Type.Boolean()),
    decimals: Type.Optional(Type.Integer({ minimum: 0, maximum: 6 })),
    unit: Type.Optional(Type.String({ maxLength: 20 })),
    maxLength: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })),
    pastDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 36500 })),
    futureDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 3650 })),
    /** a condition over earlier answers (see Condition) */
    visibleIf: Type.Optional(Type.Unknown()),
    section: Type.Optional(LocalizedText),
  },
  { additionalProperties: false },
);

export const FormDefinitionBody = Type.Object(
  {
    kind: FormKindSchema,
    title: LocalizedText,
    description: Type.Optional(Nullable(LocalizedText)),
    unitQuestion: Type.Optional(Nullable(Type.String({ maxLength: 40 }))),
    questions: Type.Array(QuestionSchema, { minItems: 1, maxItems: 100 }),
    owner: OwnerField,
  },
  { additionalProperties: false },
);
export type FormDefinitionBody = Static<typeof FormDefinitionBody>;

export const FormVersionView = Type.Object({
  key: Type.String(),
  kind: FormKindSchema,
  version: Type.Integer(),
  currentVersion: Type.Integer(),
  archived: Type.Boolean(),
  title: LocalizedText,
  description: Nullable(LocalizedText),
  unitQuestion: Nullable(Type.String()),
  questions: Type.Array(QuestionSchema),
  createdAt: Type.String({ format: 'date-time' }),
  owner: Owner,
});
export type FormVersionView = Static<typeof FormVersionView>;
export const FormResponse = Type.Object({ form: FormVersionView });
export type FormResponse = Static<typeof FormResponse>;

export const FormListItem = Type.Object({
  key: Type.String(),
  kind: FormKindSchema,
  version: Type.Integer(),
  archived: Type.Boolean(),
  title: LocalizedText,
  description: Nullable(LocalizedText),
  updatedAt: Type.String({ format: 'date-time' }),
  owner: Owner,
  /** officer list only: the caller may edit or archive it */
  editable: Type.Optional(Type.Boolean()),
});
export type FormListItem = Static<typeof FormListItem>;
export const FormListResponse = Type.Object({ items: Type.Array(FormListItem) });
export type FormListResponse = Static<typeof FormListResponse>;

export const FormVersionsResponse = Type.Object({
  items: Type.Array(Type.Object({ version: Type.Integer(), title: LocalizedText, createdAt: Type.String(), createdBy: Nullable(Type.String()) })),
});
export type FormVersionsResponse = Static<typeof FormVersionsResponse>;

export const FormKeyParam = Type.Object({ key: Type.String({ pattern: '^[a-z][a-z0-9_-]{1,39}$' }) });
export const FormVersionQuery = Type.Object({ version: Type.Optional(Type.Integer({ minimum: 1 })) });
export const ArchiveBody = Type.Object({ archived: Type.Boolean() }, { additionalProperties: false });
export const SaveFormResponse = Type.Object({ form: FormVersionView, created: Type.Boolean() });

// ── rules & zones ────────────────────────────────────────────────────────────

export const RuleKeyParam = Type.Object({ key: Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$' }) });
export const RuleBody = Type.Object(
  {
    name: LocalizedText,
    /** empty = every form kind */
    formKinds: Type.Array(FormKindSchema, { uniqueItems: true, default: [] }),
    condition: Type.Unknown(),
    severity: SeveritySchema,
    active: Type.Boolean({ default: true }),
    owner: OwnerField,
  },
  { additionalProperties: false },
);
export type RuleBody = Static<typeof RuleBody>;
export const RuleView = Type.Object({
  key: Type.String(),
  name: LocalizedText,
  formKinds: Type.Array(Type.String()),
  condition: Type.Unknown(),
  severity: SeveritySchema,
  /** switched on by its owner (for the whole of the owner's area) */
  active: Type.Boolean(),
  updatedAt: Type.String({ format: 'date-time' }),
  owner: Owner,
  /** the caller may edit it (it is theirs or their area's) */
  editable: Type.Boolean(),
  /** units that switched it off for their own area, as far as the caller's area is concerned */
  switchOffs: Type.Array(Type.Object({ unit: UnitRef, reason: Type.String(), at: Type.String({ format: 'date-time' }), by: Nullable(Type.String()) })),
  /** it flags declarations followed up in the caller's own unit (active, not switched off there or above) */
  activeHere: Type.Boolean(),
});
export type RuleView = Static<typeof RuleView>;
export const RuleListResponse = Type.Object({ items: Type.Array(RuleView) });
export type RuleListResponse = Static<typeof RuleListResponse>;

export const RuleSwitchBody = Type.Object(
  {
    /** the unit whose area it concerns (inside the caller's jurisdiction; default: the caller's own unit) */
    unit: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    /** false = switch the rule off for that area only; true = switch it back on there */
    active: Type.Boolean(),
    /** why (required when switching off; shown to the rule's owner and in the audit log) */
    reason: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type RuleSwitchBody = Static<typeof RuleSwitchBody>;

export const ZoneBody = Type.Object(
  { name: LocalizedText, codes: Type.Array(Type.String({ minLength: 1, maxLength: 32 }), { maxItems: 5000 }), owner: OwnerField },
  { additionalProperties: false },
);
export type ZoneBody = Static<typeof ZoneBody>;
export const ZoneView = Type.Object({
  key: Type.String(),
  name: LocalizedText,
  codes: Type.Array(Type.String()),
  updatedAt: Type.String({ format: 'date-time' }),
  owner: Owner,
  editable: Type.Boolean(),
});
export type ZoneView = Static<typeof ZoneView>;
export const ZoneListResponse = Type.Object({ items: Type.Array(ZoneView) });
export type ZoneListResponse = Static<typeof ZoneListResponse>;

// ── submissions ──────────────────────────────────────────────────────────────

const submitFields = {
  formKey: Type.String({ minLength: 1, maxLength: 40 }),
  formVersion: Type.Integer({ minimum: 1 }),
  /** { questionKey: answer }; validated against the form version (errors name answers.<questionKey>) */
  answers: Type.Unknown(),
  /**
   * The QR code (token or `/c/<token>` URL) of the venue or medical facility declared at. Its signature is checked;
   * the venue's administrative unit then follows up flagged declarations.
   */
  venueToken: Type.Optional(Type.String({ minLength: 1, maxLength: 600 })),
};

export const SelfSubmitBody = Type.Object(
  {
    ...submitFields,
    /** a dependant of the signed-in citizen; default: themselves */
    subjectPersonId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);
export type SelfSubmitBody = Static<typeof SelfSubmitBody>;

export const PublicPerson = Type.Object(
  {
    fullName: Type.String({ minLength: 1, maxLength: 200 }),
    phone: Type.String({ minLength: 1, maxLength: 32 }),
    birthYear: Type.Integer({ minimum: 1880, maximum: 2200 }),
    communeCode: Type.String({ minLength: 1, maxLength: 32 }),
    sex: Type.Optional(Type.Union([Type.Literal('male'), Type.Literal('female'), Type.Literal('other')])),
    nationalId: Type.Optional(Type.String({ maxLength: 20 })),
    address: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type PublicPerson = Static<typeof PublicPerson>;

export const PublicSubmitBody = Type.Object({ ...submitFields, person: PublicPerson }, { additionalProperties: false });
export type PublicSubmitBody = Static<typeof PublicSubmitBody>;

export const OfficerSubmitBody = Type.Object({ ...submitFields, subjectPersonId: Uuid }, { additionalProperties: false });
export type OfficerSubmitBody = Static<typeof OfficerSubmitBody>;

export const SubmitResponse = Type.Object({
  declaration: Type.Object({
    id: Type.String(),
    formKey: Type.String(),
    formVersion: Type.Integer(),
    submittedAt: Type.String({ format: 'date-time' }),
    /** the answers call for a follow-up by health staff */
    followUp: Type.Boolean(),
  }),
});
export type SubmitResponse = Static<typeof SubmitResponse>;

// ── officer views ────────────────────────────────────────────────────────────

const FormRef = Type.Object({ key: Type.String(), version: Type.Integer(), kind: Type.String(), title: LocalizedText });
const Hit = Type.Object({ key: Type.String(), name: LocalizedText, severity: SeveritySchema });
const ActionView = Type.Object({
  id: Type.String(),
  action: ActionSchema,
  note: Type.String(),
  from: Type.String(),
  to: Type.String(),
  at: Type.String({ format: 'date-time' }),
  by: Nullable(Type.String()),
});
export type ActionView = Static<typeof ActionView>;

export const DeclarationItem = Type.Object({
  id: Type.String(),
  submittedAt: Type.String({ format: 'date-time' }),
  form: FormRef,
  channel: Type.String(),
  subject: Type.Object({
    id: Type.String(),
    fullName: Type.String(),
    birthYear: Nullable(Type.Integer()),
    phoneMasked: Nullable(Type.String()),
    communeCode: Nullable(Type.String()),
  }),
  /** filled in by someone else (a household manager) */
  forDependant: Type.Boolean(),
  /** the unit that follows it up (calls the person, refers, clears): the person's home commune, or the form's unit question */
  responsibleUnit: UnitRef,
  venueId: Nullable(Type.String()),
  /** the venue it was declared at (by its QR); that venue's unit sees it on its work list too, read-only */
  venue: Nullable(Type.Object({ id: Type.String(), code: Type.String(), name: Type.String(), unit: UnitRef })),
  /** the caller's unit is the one that acts on it (else they see it because it was declared at a venue in their area, or concerns a resident) */
  mayAct: Type.Boolean(),
  flagged: Type.Boolean(),
  severity: Nullable(SeveritySchema),
  hits: Type.Array(Hit),
  status: StatusSchema,
  statusChangedAt: Nullable(Type.String({ format: 'date-time' })),
  lastAction: Nullable(ActionView),
});
export type DeclarationItem = Static<typeof DeclarationItem>;
export const DeclarationListResponse = Type.Object({ items: Type.Array(DeclarationItem), total: Type.Integer() });
export type DeclarationListResponse = Static<typeof DeclarationListResponse>;

export const DeclarationDetail = Type.Composite([
  DeclarationItem,
  Type.Object({
    questions: Type.Array(QuestionSchema),
    answers: Type.Unknown(),
    contact: Type.Object({
      fullName: Type.String(),
      birthYear: Nullable(Type.Integer()),
      sex: Nullable(Type.String()),
      phone: Nullable(Type.String()),
      address: Nullable(Type.String()),
      commune: Nullable(UnitRef),
    }),
    declarant: Nullable(Type.Object({ id: Type.String(), fullName: Type.String() })),
    venueUnitCode: Nullable(Type.String()),
    actions: Type.Array(ActionView),
    allowedActions: Type.Array(ActionSchema),
  }),
]);
export type DeclarationDetail = Static<typeof DeclarationDetail>;
export const DeclarationResponse = Type.Object({ declaration: DeclarationDetail });
export type DeclarationResponse = Static<typeof DeclarationResponse>;

export const WorklistQuery = Type.Object({
  /** follow_up = items the caller's area acts on; venue = items declared at venues in the caller's area that another unit follows up */
  view: Type.Union([Type.Literal('all'), Type.Literal('follow_up'), Type.Literal('venue')], { default: 'all' }),
  /** active = open + called + referred (default) */
  status: Type.Union([Type.Literal('active'), Type.Literal('all'), ...STATUS_VALUES.filter((s) => s !== 'none').map((s) => Type.Literal(s))], { default: 'active' }),
  severity: Type.Optional(SeveritySchema),
  /** a unit inside the caller's jurisdiction (default: all of it) */
  unit: Type.Optional(Type.String({ maxLength: 32 })),
  from: Type.Optional(Day),
  to: Type.Optional(Day),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
});
export type WorklistQuery = Static<typeof WorklistQuery>;

export const DeclarationListQuery = Type.Object({
  personId: Type.Optional(Uuid),
  unit: Type.Optional(Type.String({ maxLength: 32 })),
  formKey: Type.Optional(Type.String({ maxLength: 40 })),
  flagged: Type.Optional(Type.Boolean()),
  from: Type.Optional(Day),
  to: Type.Optional(Day),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
});
export type DeclarationListQuery = Static<typeof DeclarationListQuery>;

export const DeclarationIdParam = Type.Object({ id: Uuid });
export const DetailQuery = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 300 })) });

export const ActionBody = Type.Object(
  { action: ActionSchema, note: Type.String({ minLength: 1, maxLength: 2000 }) },
  { additionalProperties: false },
);
export type ActionBody = Static<typeof ActionBody>;

export const DashboardQuery = Type.Object({
  from: Type.Optional(Day),
  to: Type.Optional(Day),
  unit: Type.Optional(Type.String({ maxLength: 32 })),
});
export type DashboardQuery = Static<typeof DashboardQuery>;

const CountFields = {
  declarations: Type.Integer(),
  flagged: Type.Integer(),
  /** flagged and not yet cleared */
  open: Type.Integer(),
  called: Type.Integer(),
  referred: Type.Integer(),
  cleared: Type.Integer(),
};
export const DashboardResponse = Type.Object({
  from: Type.String(),
  to: Type.String(),
  root: Type.Object({ code: Type.String(), name: Type.String(), level: Type.String() }),
  totals: Type.Object(CountFields),
  byDay: Type.Array(Type.Object({ day: Type.String(), ...CountFields })),
  byUnit: Type.Array(Type.Object({ unit: Type.Object({ code: Type.String(), name: Type.String(), level: Type.String() }), ...CountFields })),
});
export type DashboardResponse = Static<typeof DashboardResponse>;

// ── citizen views ────────────────────────────────────────────────────────────

export const MyDeclarationItem = Type.Object({
  id: Type.String(),
  submittedAt: Type.String({ format: 'date-time' }),
  form: FormRef,
  subject: Type.Object({ id: Type.String(), fullName: Type.String() }),
  followUp: Type.Boolean(),
  status: StatusSchema,
});
export type MyDeclarationItem = Static<typeof MyDeclarationItem>;
export const MyDeclarationListResponse = Type.Object({ items: Type.Array(MyDeclarationItem), total: Type.Integer() });
export type MyDeclarationListResponse = Static<typeof MyDeclarationListResponse>;
export const MyDeclarationDetail = Type.Composite([MyDeclarationItem, Type.Object({ questions: Type.Array(QuestionSchema), answers: Type.Unknown() })]);
export type MyDeclarationDetail = Static<typeof MyDeclarationDetail>;
export const MyDeclarationResponse = Type.Object({ declaration: MyDeclarationDetail });
export type MyDeclarationResponse = Static<typeof MyDeclarationResponse>;
export const MyListQuery = Type.Object({
  personId: Type.Optional(Uuid),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  offset: Type.Integer({ minimum: 0, maximum: 100_000, default: 0 }),
});
