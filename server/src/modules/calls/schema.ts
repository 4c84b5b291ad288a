// TypeBox schemas of the calls module's HTTP API (requests and responses; the web app shares the types).
import { Type, type Static } from '@sinclair/typebox';

export const Uuid = Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' });
export const Day = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' });
export const UnitCode = Type.String({ pattern: '^[A-Za-z0-9_.-]{1,20}$' });
const Hhmm = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' });
const StateName = '^[A-Za-z][A-Za-z0-9_-]{0,39}$';
const Text = Type.String({ minLength: 1, maxLength: 1000 });
const Target = Type.String({ pattern: StateName });

const SayState = Type.Object({ kind: Type.Literal('say'), text: Text, next: Target }, { additionalProperties: false });
const AskState = Type.Object(
  {
    kind: Type.Literal('ask'),
    text: Text,
    field: Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$' }),
    digits: Type.String({ pattern: '^[0-9*#]{1,12}$' }),
    timeoutMs: Type.Integer({ minimum: 1000, maximum: 60_000 }),
    retries: Type.Integer({ minimum: 0, maximum: 5 }),
    terminator: Type.Optional(Type.String({ pattern: '^[*#]$' })),
    maxDigits: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
    invalidText: Type.Optional(Text),
    branches: Type.Record(Type.String({ pattern: '^([0-9*#])$' }), Target, { maxProperties: 13 }),
    noInput: Target,
  },
  { additionalProperties: false },
);
const EndState = Type.Object(
  {
    kind: Type.Literal('end'),
    text: Type.Optional(Text),
    outcome: Type.Union([Type.Literal('completed'), Type.Literal('wrong-person'), Type.Literal('incomplete'), Type.Literal('message')]),
    set: Type.Optional(Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$' }), Type.Union([Type.String({ maxLength: 100 }), Type.Number(), Type.Boolean()]), { maxProperties: 20 })),
  },
  { additionalProperties: false },
);

export const ScriptBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 120 }),
    title: Type.Optional(Type.Object({ vi: Type.Optional(Type.String({ minLength: 1, maxLength: 120 })), en: Type.Optional(Type.String({ minLength: 1, maxLength: 120 })) }, { additionalProperties: false })),
    language: Type.Union([Type.Literal('vi'), Type.Literal('en')]),
    voice: Type.Optional(Type.String({ pattern: '^[a-z]{2}[a-zA-Z0-9+-]{0,30}$' })),
    start: Target,
    states: Type.Record(Type.String({ pattern: StateName }), Type.Union([SayState, AskState, EndState]), { minProperties: 1, maxProperties: 60 }),
  },
  { additionalProperties: false },
);
export const ScriptSave = Type.Object({ unitCode: UnitCode, script: ScriptBody }, { additionalProperties: false });
export const ScriptItem = Type.Object({ id: Type.String(), name: Type.String(), unitCode: Type.String(), language: Type.String(), script: ScriptBody, updatedAt: Type.String() });
export const ScriptList = Type.Object({ items: Type.Array(ScriptItem) });

export const CampaignBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    unitCode: UnitCode,
    scriptId: Uuid,
    audience: Type.Union([Type.Literal('monitoring'), Type.Literal('list'), Type.Literal('filter')]),
    filter: Type.Optional(Type.Object({ levels: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 2 }), { maxItems: 2, uniqueItems: true })), units: Type.Optional(Type.Array(UnitCode, { maxItems: 200, uniqueItems: true })) }, { additionalProperties: false })),
    windowStart: Type.Optional(Hhmm),
    windowEnd: Type.Optional(Hhmm),
    retryBusyMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440 })),
    retryNoAnswerMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440 })),
    maxAttempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })),
    channels: Type.Optional(Type.Integer({ minimum: 1, maximum: 2000 })),
    callsPerSecond: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1000 })),
    ringTimeoutSeconds: Type.Optional(Type.Integer({ minimum: 5, maximum: 180 })),
    nonReportingDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 14 })),
    alertPhones: Type.Optional(Type.Array(Type.String({ maxLength: 32 }), { maxItems: 20 })),
  },
  { additionalProperties: false },
);
export type CampaignBody = Static<typeof CampaignBody>;

export const CampaignItem = Type.Object({
  id: Type.String(),
  name: Type.String(),
  unitCode: Type.String(),
  scriptId: Type.String(),
  /** the script's code; `scriptTitle` is its name per language (the pages show that) */
  scriptName: Type.String(),
  scriptTitle: Type.Union([Type.Object({ vi: Type.Optional(Type.String()), en: Type.Optional(Type.String()) }), Type.Null()]),
  scriptLanguage: Type.String(),
  audience: Type.String(),
  windowStart: Type.String(),
  windowEnd: Type.String(),
  retryBusyMinutes: Type.Integer(),
  retryNoAnswerMinutes: Type.Integer(),
  maxAttempts: Type.Integer(),
  channels: Type.Integer(),
  callsPerSecond: Type.Number(),
  status: Type.String(),
  members: Type.Integer(),
});
export const CampaignList = Type.Object({ items: Type.Array(CampaignItem) });

export const Counts = Type.Object({
  day: Type.String(),
  planned: Type.Integer(),
  queued: Type.Integer(),
  ringing: Type.Integer(),
  answered: Type.Integer(),
  completed: Type.Integer(),
  symptomatic: Type.Integer(),
  failed: Type.Integer(),
  invalid: Type.Integer(),
  optedOut: Type.Integer(),
  /** poison calls: failed and not placed again */
  stopped: Type.Integer(),
  attempts: Type.Integer(),
});
export const IdParam = Type.Object({ id: Uuid });
export const DayQuery = Type.Object({ day: Type.Optional(Day) });
