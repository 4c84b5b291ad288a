// Request/response schemas of the messaging routes (the web app imports the types).
import { Type, type Static } from '@sinclair/typebox';

const Phone = Type.String({ minLength: 6, maxLength: 32 });
const Lang = Type.Union([Type.Literal('vi'), Type.Literal('en')]);

export const SignupCodeBody = Type.Object({ phone: Phone, lang: Type.Optional(Lang) }, { additionalProperties: false });
export const CodeSent = Type.Object({ requestId: Type.String(), expiresAt: Type.String(), sentTo: Type.String() });
export type CodeSent = Static<typeof CodeSent>;

export const SignupBody = Type.Object(
  {
    requestId: Type.String({ minLength: 1, maxLength: 64 }),
    code: Type.String({ pattern: '^\\s*[0-9]{6}\\s*$' }),
    password: Type.String({ minLength: 1, maxLength: 200 }),
    displayName: Type.String({ minLength: 1, maxLength: 100, pattern: '^[^\\u0000]*$' }),
  },
  { additionalProperties: false },
);
export const SignupResponse = Type.Object({ user: Type.Object({ id: Type.String(), username: Type.String(), displayName: Type.String() }) });

export const LinkCodeBody = Type.Object({ personId: Type.String({ format: 'uuid' }) }, { additionalProperties: false });
export const LinkCodeSent = Type.Object({ requestId: Type.String(), expiresAt: Type.String(), sentTo: Type.String(), toGuardian: Type.Boolean() });
export type LinkCodeSent = Static<typeof LinkCodeSent>;
export const LinkCodeVerifyBody = Type.Object({ code: Type.String({ pattern: '^\\s*[0-9]{6}\\s*$' }) }, { additionalProperties: false });
export const IdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
export const NumericIdParam = Type.Object({ id: Type.String({ pattern: '^[0-9]{1,18}$' }) });

export const NotificationStatus = Type.Union(['queued', 'sending', 'accepted', 'delivered', 'failed', 'opted_out', 'cancelled'].map((s) => Type.Literal(s)));
export const NotificationListQuery = Type.Object({
  status: Type.Optional(NotificationStatus),
  purpose: Type.Optional(Type.String({ maxLength: 40, pattern: '^[a-z][a-z.]*$' })),
  campaignId: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$' })),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
});
export const NotificationItem = Type.Object({
  id: Type.String(),
  purpose: Type.String(),
  subject: Type.String(),
  phone: Type.String(),
  unitCode: Type.Union([Type.String(), Type.Null()]),
  lang: Type.String(),
  text: Type.String(),
  status: Type.String(),
  parts: Type.Union([Type.Integer(), Type.Null()]),
  attempts: Type.Integer(),
  error: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  sentAt: Type.Union([Type.String(), Type.Null()]),
  finalAt: Type.Union([Type.String(), Type.Null()]),
});
export type NotificationItem = Static<typeof NotificationItem>;
export const NotificationList = Type.Object({ items: Type.Array(NotificationItem) });

export const FiguresQuery = Type.Object({ from: Type.String({ format: 'date' }), to: Type.String({ format: 'date' }) });
export const FigureRow = Type.Object({
  day: Type.String(),
  unitCode: Type.Union([Type.String(), Type.Null()]),
  unitName: Type.Union([Type.String(), Type.Null()]),
  purpose: Type.String(),
  sent: Type.Integer(),
  delivered: Type.Integer(),
  failed: Type.Integer(),
  optedOut: Type.Integer(),
});
export type FigureRow = Static<typeof FigureRow>;
export const FiguresResponse = Type.Object({ items: Type.Array(FigureRow) });

export const OptOutBody = Type.Object({ phone: Phone, reason: Type.Optional(Type.String({ maxLength: 500, pattern: '^[^\\u0000]*$' })) }, { additionalProperties: false });
export const OptOutItem = Type.Object({ phone: Type.String(), source: Type.String(), reason: Type.Union([Type.String(), Type.Null()]), createdAt: Type.String(), createdBy: Type.Union([Type.String(), Type.Null()]) });
export type OptOutItem = Static<typeof OptOutItem>;
export const OptOutList = Type.Object({ items: Type.Array(OptOutItem) });
export const PhoneParam = Type.Object({ phone: Phone });

const ListRow = Type.Object({ phone: Type.String({ maxLength: 32 }), name: Type.Optional(Type.String({ maxLength: 100 })), lang: Type.Optional(Lang) }, { additionalProperties: false });
export const CampaignSourceSchema = Type.Union([
  Type.Object({ kind: Type.Literal('list'), rows: Type.Array(ListRow, { minItems: 1, maxItems: 200_000 }) }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('venue_exposure'), venueId: Type.String({ format: 'uuid' }), from: Type.String({ format: 'date-time' }), to: Type.String({ format: 'date-time' }) }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('commune_residents'), communeCode: Type.String({ minLength: 1, maxLength: 20 }) }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('exposure_notice'), noticeId: Type.String({ format: 'uuid' }) }, { additionalProperties: false }),
  Type.Object(
    { kind: Type.Literal('commune_contacts'), communeCode: Type.String({ minLength: 1, maxLength: 20 }), levels: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 5 }), { minItems: 1, maxItems: 5 })) },
    { additionalProperties: false },
  ),
]);
export const CampaignBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, pattern: '^[^\\u0000]*$' }),
    textVi: Type.String({ minLength: 1, maxLength: 1000, pattern: '^[^\\u0000]*$' }),
    textEn: Type.Optional(Type.Union([Type.String({ maxLength: 1000, pattern: '^[^\\u0000]*$' }), Type.Null()])),
    unitCode: Type.String({ minLength: 1, maxLength: 20 }),
    source: CampaignSourceSchema,
    scheduledAt: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
    dryRun: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type CampaignBody = Static<typeof CampaignBody>;
export const DryRunResponse = Type.Object({
  count: Type.Integer(),
  optedOut: Type.Integer(),
  invalidCount: Type.Integer(),
  invalid: Type.Array(Type.Object({ row: Type.Integer(), phone: Type.String(), message: Type.String() })),
  sample: Type.Array(Type.Object({ phone: Type.String(), text: Type.String(), parts: Type.Integer() })),
});
export type DryRunResponse = Static<typeof DryRunResponse>;
export const CampaignItem = Type.Object({
  id: Type.String(),
  name: Type.String(),
  textVi: Type.String(),
  textEn: Type.Union([Type.String(), Type.Null()]),
  source: Type.String(),
  unitCode: Type.String(),
  status: Type.String(),
  scheduledAt: Type.String(),
  startedAt: Type.Union([Type.String(), Type.Null()]),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
  recipients: Type.Integer(),
  counts: Type.Record(Type.String(), Type.Integer()),
  createdBy: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
});
export type CampaignItem = Static<typeof CampaignItem>;
export const CampaignList = Type.Object({ items: Type.Array(CampaignItem) });
export const ListFileResponse = Type.Object({
  rows: Type.Array(ListRow),
  errors: Type.Array(Type.Object({ row: Type.Integer(), phone: Type.String(), message: Type.String() })),
});
export const HttpReceiptBody = Type.Object({ message_id: Type.String({ minLength: 1, maxLength: 100 }), status: Type.String({ maxLength: 20 }) });
export const ProviderStateResponse = Type.Object({ provider: Type.String(), ready: Type.Boolean(), detail: Type.String(), queued: Type.Integer() });
