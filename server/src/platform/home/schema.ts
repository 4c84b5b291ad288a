// Response of GET /api/home/summary. The web app imports the types with `import type`.
import { Type, type Static } from '@sinclair/typebox';

export const Localized = Type.Object({ vi: Type.String(), en: Type.String() });

export const SummaryTile = Type.Object({
  /** stable key, e.g. 'checkins', 'declarations.flagged' */
  key: Type.String(),
  label: Localized,
  /** what the number counts, one line */
  hint: Type.Optional(Localized),
  /** tiles are shown by ascending order */
  order: Type.Number(),
  /** today's figure (for a state such as open work items: now) */
  today: Type.Integer(),
  /** per day of `days` (null: a state, not a daily count; not charted) */
  byDay: Type.Union([Type.Array(Type.Integer()), Type.Null()]),
  /** the page to open for detail */
  link: Type.Union([Type.String(), Type.Null()]),
  /** 'attention' when the number calls for action (flagged, open work) */
  tone: Type.Union([Type.Literal('normal'), Type.Literal('attention')]),
});
export type SummaryTile = Static<typeof SummaryTile>;

export const SummaryResponse = Type.Object({
  unit: Type.Object({ code: Type.String(), name: Type.String(), level: Type.String() }),
  today: Type.String(),
  days: Type.Array(Type.String()),
  tiles: Type.Array(SummaryTile),
});
export type SummaryResponse = Static<typeof SummaryResponse>;

