// The vocabulary of the tracing engine (cases/trace.ts and its parts): sources, contact stays, exposures, contacts.

/** Maximum length of one stay (the venues module caps stays at 12 h). */
export const STAY_CAP_MS = 12 * 3600_000;

export type ExposureVia = 'checkin' | 'declaration' | 'household';

export interface TraceSource {
  personId: string;
  /** the source's infectious window [from, to) */
  from: Date;
  to: Date;
  /** minimum overlap for exposures to this source (else venueContacts' argument) */
  minOverlapMinutes?: number;
}

export interface VenueHit {
  /** the source of the longest overlap during this stay (ties: the first to overlap, then the lowest id) */
  sourcePersonId: string;
  /** its position in the sources given */
  sourceIndex: number;
  /** how many sources of the same group (one case's) were present during the stay, each by at least the minimum */
  sourcesCount: number;
  personId: string;
  venueId: string;
  venueCode: string;
  venueName: string;
  via: 'checkin' | 'declaration';
  /** from the first to the last moment a source was present during the stay */
  from: Date;
  to: Date;
  /** the overlap with sourcePersonId */
  overlapMinutes: number;
}

/** A source's stay that the mass-exposure rule kept from being listed: more than the threshold of people were there. */
export interface CrowdedStay {
  sourceIndex: number;
  venueId: string;
  venueCode: string;
  venueName: string;
  from: Date;
  to: Date;
  /** the people counted during the stay (the count stops at threshold + 1) */
  people: number;
}

/**
 * People already known to the trace a source belongs to (its case's person, contacts of lower levels, the other
 * sources of its level): no exposure to that source is made for them. At a venue where hundreds of F1s met, pairing
 * every F1 with every other F1 only to drop the pairs cost more than the rest of the F2.
 */
export type KnownOf = (sourceIndex: number) => ReadonlySet<string>;
/** Sources counted apart (a bulk run traces many cases per statement): one number per case. Default: one group. */
export type GroupOf = (sourceIndex: number) => number;

/**
 * A row of cases_venue_contacts: a source's span ('s'), a contact's stay ('h') or a source's span kept from being read
 * by the mass-exposure rule ('m', with n: the people counted there); times in epoch milliseconds.
 */
export interface IslandRow {
  kind: 's' | 'h' | 'm';
  /** a span's source: its position (from 1) in the sources given */
  src: number | null;
  person_id: string | null;
  venue_id: string;
  venue_code: string | null;
  venue_name: string | null;
  via: 'checkin' | 'declaration' | null;
  f: number;
  t: number;
  /** 's': the stays begun during the span (when the mass-exposure rule is on); 'm': the people counted there */
  n?: number | null;
  /** 'h': the stay's end by check-out, else the venue's default stay (t may be earlier: the person's next check-in) */
  e?: number | null;
}

export interface TracedExposure {
  kind: 'venue' | 'household';
  via: ExposureVia;
  venueId: string | null;
  venueCode: string | null;
  venueName: string | null;
  from: Date;
  to: Date;
  overlapMinutes: number | null;
  /**
   * the F0 (level 1) or the contact of the level above it was exposed to: for a venue stay the one of the longest
   * overlap (overlapMinutes is with them), for a household exposure the household member
   */
  sourcePersonId: string;
  /** how many sources were present during the stay (1 for household) */
  sourcesCount: number;
}

export interface TracedContact {
  personId: string;
  level: number;
  /** for level ≥ 2: the contact of the level above of the earliest exposure (every exposure names its main source) */
  viaPersonId: string | null;
  exposures: TracedExposure[];
}

export interface TraceInput {
  /** the case's person */
  personId: string;
  /** the infectious window */
  from: Date;
  to: Date;
  /** "now": the F(n≥2) windows run from each contact's first exposure until this instant */
  at: Date;
  levels: number;
  minOverlapMinutes: number;
  /** people never listed as contacts (e.g. the case's own person, other cases' persons are still listed) */
  exclude?: Iterable<string>;
  /**
   * The mass-exposure rule (VIGIL_TRACE_MASS_EXPOSURE; 0 or absent: off, everyone is listed): from level 2 on, a
   * source's stay at a venue during which more than this many other people were there is not expanded into contacts;
   * the venue and the window become a mass exposure (an exposure notice). The F0's own contacts are always listed.
   * Cases traced together (traceCases) must share it.
   */
  massExposure?: number;
}

/** A crowded setting whose people were not listed one by one (the mass-exposure rule): the venue and the window. */
export interface MassExposure {
  /** the level that was not listed there (2: people at the venue with the case's F1s) */
  level: number;
  venueId: string;
  venueCode: string;
  venueName: string;
  /** the crowded stays of the level's sources at the venue, merged where they overlap or touch */
  from: Date;
  to: Date;
  /** how many sources (F1s for level 2) were there */
  sourcesCount: number;
  /** people at the venue during the window (check-ins and declarations overlapping it) not listed as contacts of the case */
  peopleCount: number;
}

export interface TraceResult {
  contacts: TracedContact[];
  massExposures: MassExposure[];
}

/** Code-point order (ids and venue codes; localeCompare cost a fifth of a large trace's own time). */
export const byCode = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The last instant of exposure of a contact (end of its latest exposure). */
export const lastExposure = (c: TracedContact) => new Date(Math.max(...c.exposures.map((e) => e.to.getTime())));
export const firstExposure = (c: TracedContact) => new Date(Math.min(...c.exposures.map((e) => e.from.getTime())));
