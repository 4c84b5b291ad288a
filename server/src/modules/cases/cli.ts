// `vigil trace <national-id|phone|person-id> [--at <iso>] [--levels 2] --json`: the tracing engine the job uses,
// printed. A person with a case is traced over the case's window; anyone else as if confirmed at --at.
import type { Db } from '../../platform/db/types';
import { findPeopleByIdentifier, getPersonIdentities } from '../people';
import { dayOf, dayStart, plusDays } from './days';
import { infectiousWindow, type CaseSettings } from './service';
import { traceCaseFull } from './trace';

export class TraceLookupError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export interface TraceCliOptions {
  at: Date;
  levels: number;
  settings: CaseSettings;
}

export interface TraceOutput {
  case: { id: string | null; code: string | null; personId: string; windowFrom: string; windowTo: string; levels: number };
  /** the mass-exposure rule as applied: its threshold (0: off, everyone listed) */
  rule: { mass_exposure_threshold: number };
  /** crowded settings whose people were not listed one by one (an exposure notice for venue and window instead) */
  mass_exposures: { level: number; venue_code: string; venue_name: string; from: string; to: string; people_count: number; sources_count: number }[];
  contacts: {
    person: { id: string; fullName: string; nationalId: string | null; phone: string | null };
    level: number;
    exposures: {
      venue_code: string | null;
      from: string;
      to: string;
      overlap_minutes: number | null;
      via: string;
      /** venue stays: how many sources (F0, or F(n-1)s) were present during the stay */
      sources_count?: number;
      /** level ≥ 2 only: the contact of the level above through whom this exposure came (an F2's F1; of several there, the one of the longest overlap) */
      via_person?: { id: string; fullName: string; level: number };
    }[];
  }[];
}

export async function traceForCli(db: Db, identifier: string, o: TraceCliOptions): Promise<TraceOutput> {
  const ids = await findPeopleByIdentifier(db, identifier);
  if (!ids.length) throw new TraceLookupError(`No person found for "${identifier}"`, 2);
  if (ids.length > 1) throw new TraceLookupError(`"${identifier}" names ${ids.length} people; give a national ID or a person id (${ids.join(', ')})`, 2);
  const personId = ids[0]!;
  const c = await db.selectFrom('cases').selectAll().where('person_id', '=', personId).orderBy('confirmed_at', 'desc').executeTakeFirst();
  const w = c
    ? infectiousWindow(c, o.settings)
    : { from: dayStart(plusDays(dayOf(o.at, o.settings.timeZone), -o.settings.traceDaysBefore), o.settings.timeZone), to: o.at };
  const { contacts: traced, massExposures } = await traceCaseFull(db, { personId, from: w.from, to: w.to, at: o.at > w.to ? o.at : w.to, levels: o.levels, minOverlapMinutes: o.settings.traceMinOverlapMinutes, massExposure: o.settings.traceMassExposure });
  const people = await getPersonIdentities(db, traced.map((t) => t.personId));
  const levelOf = new Map(traced.map((t) => [t.personId, t.level]));
  return {
    case: { id: c?.id ?? null, code: c?.code ?? null, personId, windowFrom: w.from.toISOString(), windowTo: w.to.toISOString(), levels: o.levels },
    rule: { mass_exposure_threshold: o.settings.traceMassExposure },
    mass_exposures: massExposures.map((m) => ({ level: m.level, venue_code: m.venueCode, venue_name: m.venueName, from: m.from.toISOString(), to: m.to.toISOString(), people_count: m.peopleCount, sources_count: m.sourcesCount })),
    contacts: traced.map((t) => {
      const p = people.get(t.personId);
      return {
        person: { id: t.personId, fullName: p?.fullName ?? '', nationalId: p?.nationalId ?? null, phone: p?.phone ?? null },
        level: t.level,
        exposures: t.exposures.map((e) => ({
          venue_code: e.venueCode,
          from: e.from.toISOString(),
          to: e.to.toISOString(),
          overlap_minutes: e.overlapMinutes,
          via: e.via,
          ...(e.kind === 'venue' && { sources_count: e.sourcesCount }),
          ...(t.level > 1 && { via_person: { id: e.sourcePersonId, fullName: people.get(e.sourcePersonId)?.fullName ?? '', level: levelOf.get(e.sourcePersonId) ?? t.level - 1 } }),
        })),
      };
    }),
  };
}

/** The same result as readable lines. */
export function traceText(r: TraceOutput): string {
  const lines = [
    `${r.case.code ? `Case ${r.case.code}` : 'Person'} ${r.case.personId}: window ${r.case.windowFrom} → ${r.case.windowTo}, ${r.contacts.length} contact(s)`,
  ];
  for (const m of r.mass_exposures)
    lines.push(`MASS EXPOSURE  ${m.venue_code} ${m.venue_name}  ${m.from} → ${m.to}: ${m.people_count} people with ${m.sources_count} F${m.level - 1} not listed as F${m.level} one by one (more than ${r.rule.mass_exposure_threshold} people at an F${m.level - 1}'s stay); exposure notice`);
  for (const c of r.contacts) {
    lines.push(`F${c.level}  ${c.person.fullName}  ${c.person.phone ?? ''}  ${c.person.nationalId ?? ''}`);
    for (const e of c.exposures)
      lines.push(`      ${e.via.padEnd(11)} ${e.venue_code ?? '-'}  ${e.from} → ${e.to}${e.overlap_minutes !== null ? `  ${e.overlap_minutes} min` : ''}${e.sources_count && e.sources_count > 1 ? `  with ${e.sources_count} F${c.level - 1}` : ''}${e.via_person ? `  via F${e.via_person.level} ${e.via_person.fullName}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `vigil cases list [--since <iso>] --json`: cases confirmed since then (all without it), with their person's national ID. */
export async function casesForCli(db: Db, since: Date | null) {
  let q = db.selectFrom('cases').select(['id', 'code', 'person_id', 'commune_code', 'confirmed_at', 'status', 'origin', 'origin_ref', 'trace_status']);
  if (since) q = q.where('confirmed_at', '>=', since);
  const rows = await q.orderBy('confirmed_at').orderBy('code').execute();
  const people = await getPersonIdentities(db, rows.map((r) => r.person_id));
  return rows.map((r) => ({
    id: r.id,
    code: r.code,
    person_id: r.person_id,
    national_id: people.get(r.person_id)?.nationalId ?? null,
    person_name: people.get(r.person_id)?.fullName ?? null,
    commune_code: r.commune_code,
    confirmed_at: r.confirmed_at.toISOString(),
    status: r.status,
    origin: r.origin,
    origin_ref: r.origin_ref,
    trace_status: r.trace_status,
  }));
}
