// Editing and closing sites and campaigns. An edit of a site's capacity or opening hours applies to the sessions
// planned after it: the slots already cut (and the bookings in them) stay as they are. Closing a site or a campaign
// refuses new sessions, bookings and walk-ins there; for the appointments not yet over, the staff member chooses:
//   * `cancel`: each booking is cancelled and its seat freed (the slots then hold no seat); the person is asked by SMS to
//     book again elsewhere (purpose `vaccination.cancelled`);
//   * `keep`: the bookings stand (a site that stops taking new people but sees those already booked); the person is
//     told their appointment is kept (purpose `vaccination.kept`).
// Either way the notices go through `messaging.requested` in the closing transaction (one per person, with their
// first appointment affected), so a rolled-back close tells no one. The slots not yet ended are marked closed with a
// capacity equal to the seats still booked (migration 0005): the database refuses any new seat there.
import { sql, type RawBuilder } from 'kysely';
import type { Db, DbOrTx } from '../../platform/db/types';
import type { Events } from '../../platform/events';
import { conflict, invalidField } from '../../platform/http/errors';
import { localDay } from '../../platform/time';
import { getPersonPhones } from '../people';
import { checkOpeningHours, type CampaignRow, type OpeningHours } from './admin';

export type CloseMode = 'cancel' | 'keep';

export interface CloseInput {
  mode: CloseMode;
  reason: string;
  by: string;
  now: Date;
  timeZone: string;
  /** the page where people book again (the health book) */
  bookingUrl: string;
}

export interface CloseResult {
  /** live appointments not yet over when it closed */
  bookings: number;
  cancelled: number;
  /** people sent a notice (those with a phone on file) */
  notified: number;
  slotsClosed: number;
}

interface Affected {
  id: string;
  person_id: string;
  starts_at: Date;
  site_name: string;
}

/**
 * Closes the slots chosen by `where` (a condition on `se` sessions / `sl` slots) that have not ended; cancels or keeps
 * their live bookings and publishes one notice per person. Runs inside the caller's transaction.
 */
async function closeSlots(tx: DbOrTx, events: Events, where: RawBuilder<unknown>, subject: string, place: string, c: CloseInput): Promise<CloseResult> {
  // lock the slots in id order (as the booking paths do) before reading their bookings
  const slots = (
    await sql<{ id: string }>`
      select sl.id from vaccination_slots sl join vaccination_sessions se on se.id = sl.session_id
      where ${where} and sl.ends_at > ${c.now} and not sl.closed order by sl.id for update of sl`.execute(tx)
  ).rows.map((r) => r.id);
  if (!slots.length) return { bookings: 0, cancelled: 0, notified: 0, slotsClosed: 0 };
  const affected = (
    await sql<Affected>`
      select b.id, b.person_id, sl.starts_at, si.name as site_name
      from vaccination_bookings b join vaccination_slots sl on sl.id = b.slot_id join vaccination_sessions se on se.id = sl.session_id
      join vaccination_sites si on si.id = se.site_id
      where b.slot_id = any(${slots}::uuid[]) and b.status = 'booked' order by sl.starts_at, b.id`.execute(tx)
  ).rows;
  let cancelled = 0;
  if (c.mode === 'cancel' && affected.length) {
    const r = await sql`update vaccination_bookings set status = 'cancelled', closed_at = ${c.now} where id = any(${affected.map((a) => a.id)}::uuid[]) and status = 'booked'`.execute(tx);
    cancelled = Number(r.numAffectedRows ?? 0);
  }
  // a closed slot holds exactly the seats still booked: none left to take
  await sql`
    update vaccination_slots sl set closed = true, open_capacity = coalesce(sl.open_capacity, sl.capacity),
      booked = (select count(*) from vaccination_bookings b where b.slot_id = sl.id and b.status = 'booked'),
      capacity = (select count(*) from vaccination_bookings b where b.slot_id = sl.id and b.status = 'booked')
    where sl.id = any(${slots}::uuid[])`.execute(tx);
  // one notice per person: their first appointment affected (a person booked for doses 1 and 2 there gets one SMS)
  const first = new Map<string, Affected>();
  for (const a of affected) if (!first.has(a.person_id)) first.set(a.person_id, a);
  const phones = (await getPersonPhones(tx, [...first.keys()])).filter((p) => p.phone);
  if (phones.length) {
    const hhmm = (d: Date) => new Intl.DateTimeFormat('en-GB', { timeZone: c.timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
    const ddmm = (d: Date) => localDay(d, c.timeZone).split('-').reverse().join('/');
    await events.publish(tx, 'messaging.requested', {
      purpose: c.mode === 'cancel' ? 'vaccination.cancelled' : 'vaccination.kept',
      subject,
      recipients: phones.map((p) => {
        const a = first.get(p.id)!;
        return { phone: p.phone!, personId: p.id, unitCode: p.communeCode, vars: { name: p.fullName, time: hhmm(a.starts_at), date: ddmm(a.starts_at), site: a.site_name } };
      }),
      vars: { sender: 'Vigil', place, reason: c.reason, link: c.bookingUrl },
    });
  }
  return { bookings: affected.length, cancelled, notified: phones.length, slotsClosed: slots.length };
}

export interface SiteEdit {
  name?: string;
  address?: string;
  capacityPerHour?: number;
  openingHours?: OpeningHours[];
}

/** Edits a site (not closed). Returns the fields changed. */
export async function updateSite(db: DbOrTx, siteId: string, e: SiteEdit, now: Date): Promise<string[]> {
  if (e.openingHours) checkOpeningHours(e.openingHours);
  const changed = (Object.keys(e) as (keyof SiteEdit)[]).filter((k) => e[k] !== undefined);
  if (!changed.length) throw invalidField('body', 'change at least one of name, address, capacityPerHour, openingHours');
  const r = await sql`
    update vaccination_sites set
      name = coalesce(${e.name ?? null}, name), address = coalesce(${e.address ?? null}, address),
      capacity_per_hour = coalesce(${e.capacityPerHour ?? null}::int, capacity_per_hour),
      opening_hours = coalesce(${e.openingHours ? JSON.stringify(e.openingHours) : null}::jsonb, opening_hours), updated_at = ${now}
    where id = ${siteId} and active`.execute(db);
  if (!Number(r.numAffectedRows ?? 0)) throw siteClosed('params.id');
  return changed;
}

export const siteClosed = (path: string) => conflict(`${path}: this vaccination site is closed`, [{ path, message: 'the site is closed' }]);
export const campaignClosed = (path: string) => conflict(`${path}: this campaign is closed`, [{ path, message: 'the campaign is closed' }]);

export async function closeSite(db: Db, events: Events, site: { id: string; name: string }, c: CloseInput): Promise<CloseResult> {
  return db.transaction().execute(async (tx) => {
    const r = await sql`update vaccination_sites set active = false, closed_at = ${c.now}, closed_by = ${c.by}, close_reason = ${c.reason} where id = ${site.id} and active`.execute(tx);
    if (!Number(r.numAffectedRows ?? 0)) throw siteClosed('params.id');
    return closeSlots(tx, events, sql`se.site_id = ${site.id}`, `vaccination-site-closed:${site.id}`, site.name, c);
  });
}

export interface CampaignEdit {
  name?: string;
  unitCode?: string;
  startsOn?: string;
  endsOn?: string;
}

/**
 * Edits a campaign (not closed): its sessions must stay inside the new dates and the new area (`inArea` says whether a
 * commune lies in it). Returns the fields changed.
 */
export async function updateCampaign(db: Db, campaign: CampaignRow, e: CampaignEdit, inArea: (commune: string) => Promise<boolean>, now: Date): Promise<string[]> {
  const changed = (Object.keys(e) as (keyof CampaignEdit)[]).filter((k) => e[k] !== undefined && e[k] !== (campaign as unknown as Record<string, unknown>)[{ name: 'name', unitCode: 'unit_code', startsOn: 'starts_on', endsOn: 'ends_on' }[k]]);
  if (!changed.length) throw invalidField('body', 'change at least one of name, unitCode, startsOn, endsOn');
  const startsOn = e.startsOn ?? campaign.starts_on;
  const endsOn = e.endsOn ?? campaign.ends_on;
  if (endsOn < startsOn) throw invalidField(e.endsOn ? 'body.endsOn' : 'body.startsOn', e.endsOn ? 'is before startsOn' : 'is after endsOn');
  return db.transaction().execute(async (tx) => {
    const cur = (await sql<{ status: string }>`select status from vaccination_campaigns where id = ${campaign.id} for update`.execute(tx)).rows[0];
    if (!cur || cur.status === 'closed') throw campaignClosed('params.id');
    const span = (
      await sql<{ first: string | null; last: string | null }>`
        select to_char(min(day), 'YYYY-MM-DD') as first, to_char(max(day), 'YYYY-MM-DD') as last from vaccination_sessions where campaign_id = ${campaign.id}`.execute(tx)
    ).rows[0]!;
    if (span.first && span.first < startsOn) throw invalidField('body.startsOn', `is after the campaign's first session (${span.first})`);
    if (span.last && span.last > endsOn) throw invalidField('body.endsOn', `is before the campaign's last session (${span.last})`);
    if (e.unitCode && e.unitCode !== campaign.unit_code) {
      const communes = (await sql<{ commune_code: string }>`select distinct si.commune_code from vaccination_sessions se join vaccination_sites si on si.id = se.site_id where se.campaign_id = ${campaign.id}`.execute(tx)).rows;
      for (const { commune_code } of communes) if (!(await inArea(commune_code))) throw invalidField('body.unitCode', `leaves out sessions already planned (at sites of commune ${commune_code})`);
    }
    await sql`
      update vaccination_campaigns set name = coalesce(${e.name ?? null}, name), unit_code = coalesce(${e.unitCode ?? null}, unit_code),
        starts_on = ${startsOn}, ends_on = ${endsOn}, updated_at = ${now}
      where id = ${campaign.id}`.execute(tx);
    return changed;
  });
}

export async function closeCampaign(db: Db, events: Events, campaign: CampaignRow, c: CloseInput): Promise<CloseResult> {
  return db.transaction().execute(async (tx) => {
    const r = await sql`update vaccination_campaigns set status = 'closed', closed_at = ${c.now}, closed_by = ${c.by}, close_reason = ${c.reason} where id = ${campaign.id} and status <> 'closed'`.execute(tx);
    if (!Number(r.numAffectedRows ?? 0)) throw campaignClosed('params.id');
    return closeSlots(tx, events, sql`se.campaign_id = ${campaign.id}`, `vaccination-campaign-closed:${campaign.id}`, campaign.name, c);
  });
}

export interface ReopenInput {
  reason: string;
  /** reopen the slots the close closed that have not begun (else they stay closed: no one can book them) */
  reopenSlots: boolean;
  now: Date;
}

export interface ReopenResult {
  slotsReopened: number;
  /** seats those slots offer again */
  seats: number;
}

/**
 * Reopens the closed slots chosen by `where` that have not begun, where both the site and the campaign are open
 * again: each gets back the capacity it had before the close (at least the seats still booked in it).
 */
async function reopenSlots(tx: DbOrTx, where: RawBuilder<unknown>, now: Date): Promise<ReopenResult> {
  // lock in id order, as the booking paths and the close do
  const slots = (
    await sql<{ id: string }>`
      select sl.id from vaccination_slots sl join vaccination_sessions se on se.id = sl.session_id
      join vaccination_sites si on si.id = se.site_id join vaccination_campaigns ca on ca.id = se.campaign_id
      where ${where} and sl.closed and sl.starts_at > ${now} and si.active and ca.status <> 'closed'
      order by sl.id for update of sl`.execute(tx)
  ).rows.map((r) => r.id);
  if (!slots.length) return { slotsReopened: 0, seats: 0 };
  const r = await sql<{ free: number }>`
    update vaccination_slots sl set closed = false, open_capacity = null,
      capacity = greatest(sl.booked, coalesce(sl.open_capacity,
        greatest(1, round(si.capacity_per_hour * extract(epoch from sl.ends_at - sl.starts_at) / 3600))::int))
    from vaccination_sessions se join vaccination_sites si on si.id = se.site_id
    where se.id = sl.session_id and sl.id = any(${slots}::uuid[])
    returning sl.capacity - sl.booked as free`.execute(tx);
  return { slotsReopened: r.rows.length, seats: r.rows.reduce((n, x) => n + Number(x.free), 0) };
}

export const notClosed = (what: string) => conflict(`params.id: this ${what} is not closed`, [{ path: 'params.id', message: `the ${what} is not closed` }]);

/** Reopens a closed site: it takes sessions, bookings and walk-ins again; its future slots only when asked. */
export async function reopenSite(db: Db, siteId: string, o: ReopenInput): Promise<ReopenResult> {
  return db.transaction().execute(async (tx) => {
    const r = await sql`update vaccination_sites set active = true, closed_at = null, closed_by = null, close_reason = null, updated_at = ${o.now} where id = ${siteId} and not active`.execute(tx);
    if (!Number(r.numAffectedRows ?? 0)) throw notClosed('vaccination site');
    return o.reopenSlots ? reopenSlots(tx, sql`se.site_id = ${siteId}`, o.now) : { slotsReopened: 0, seats: 0 };
  });
}

/** Reopens a closed campaign (active again); its future slots only when asked (at sites that are open). */
export async function reopenCampaign(db: Db, campaignId: string, o: ReopenInput): Promise<ReopenResult> {
  return db.transaction().execute(async (tx) => {
    const r = await sql`update vaccination_campaigns set status = 'active', closed_at = null, closed_by = null, close_reason = null, updated_at = ${o.now} where id = ${campaignId} and status = 'closed'`.execute(tx);
    if (!Number(r.numAffectedRows ?? 0)) throw notClosed('campaign');
    return o.reopenSlots ? reopenSlots(tx, sql`se.campaign_id = ${campaignId}`, o.now) : { slotsReopened: 0, seats: 0 };
  });
}
