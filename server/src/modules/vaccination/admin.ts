// Logistics: sites (address, commune, capacity per hour, opening hours), lots and stock per site, campaigns and
// sessions whose slots are cut from the site's opening hours and capacity (30-minute slots).
import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';
import { conflict, invalidField } from '../../platform/http/errors';
import { localTime } from '../../platform/time';

export const SLOT_MINUTES = 30;

export interface OpeningHours {
  /** ISO weekdays 1 (Monday) … 7 */
  days: number[];
  from: string; // HH:MM
  to: string;
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

export function checkOpeningHours(hours: OpeningHours[], path = 'body.openingHours') {
  hours.forEach((h, i) => {
    if (minutes(h.to) <= minutes(h.from)) throw invalidField(`${path}.${i}.to`, 'must be after from');
  });
}

/** ISO weekday of a local day. */
const weekday = (day: string) => ((new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;

/** The slots of a day at a site: every 30 minutes of each opening window, capacity = capacity per hour / 2. */
export function slotsOf(day: string, hours: OpeningHours[], capacityPerHour: number, timeZone: string): { startsAt: Date; endsAt: Date; capacity: number }[] {
  const out: { startsAt: Date; endsAt: Date; capacity: number }[] = [];
  const per = Math.max(1, Math.round((capacityPerHour * SLOT_MINUTES) / 60));
  for (const h of hours) {
    if (!h.days.includes(weekday(day))) continue;
    for (let m = minutes(h.from); m + SLOT_MINUTES <= minutes(h.to); m += SLOT_MINUTES) {
      const hhmm = `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
      const startsAt = localTime(day, hhmm, timeZone);
      out.push({ startsAt, endsAt: new Date(startsAt.getTime() + SLOT_MINUTES * 60_000), capacity: per });
    }
  }
  return out.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
}

export interface SiteInput {
  code: string;
  name: string;
  address: string;
  communeCode: string;
  capacityPerHour: number;
  openingHours: OpeningHours[];
}

export async function createSite(db: DbOrTx, s: SiteInput): Promise<string> {
  checkOpeningHours(s.openingHours);
  try {
    const r = await sql<{ id: string }>`
      insert into vaccination_sites (code, name, address, commune_code, capacity_per_hour, opening_hours)
      values (${s.code}, ${s.name}, ${s.address}, ${s.communeCode}, ${s.capacityPerHour}, ${JSON.stringify(s.openingHours)}::jsonb) returning id`.execute(db);
    return r.rows[0]!.id;
  } catch (e) {
    if ((e as { code?: string }).code === '23505') throw conflict(`body.code: a site with code ${s.code} exists`, [{ path: 'body.code', message: 'is taken' }]);
    throw e;
  }
}

export async function addLot(db: DbOrTx, siteId: string, l: { productCode: string; lotNumber: string; expiresOn: string; quantity: number }, today: string) {
  if (l.expiresOn < today) throw invalidField('body.expiresOn', `is in the past (${l.expiresOn}): an expired lot cannot be received`);
  const p = await sql`select 1 from vaccine_products where code = ${l.productCode} and active`.execute(db);
  if (!p.rows.length) throw invalidField('body.productCode', 'is not a known vaccine product');
  // receiving more of a lot already at the site adds to its quantity
  const r = await sql<{ id: string }>`
    insert into vaccine_lots (site_id, product_code, lot_number, expires_on, quantity) values (${siteId}, ${l.productCode}, ${l.lotNumber}, ${l.expiresOn}, ${l.quantity})
    on conflict (site_id, product_code, lot_number) do update set quantity = vaccine_lots.quantity + excluded.quantity
    returning id`.execute(db);
  return r.rows[0]!.id;
}

export async function recordWastage(db: DbOrTx, lotId: string, doses: number) {
  const r = await sql`update vaccine_lots set wasted = wasted + ${doses} where id = ${lotId} and used + wasted + ${doses} <= quantity`.execute(db);
  if (Number(r.numAffectedRows ?? 0) !== 1) throw invalidField('body.doses', 'is more than the doses left in the lot');
}

export interface CampaignInput {
  name: string;
  unitCode: string;
  startsOn: string;
  endsOn: string;
  productCodes: string[];
  priorityCodes: string[];
}

export async function createCampaign(db: DbOrTx, c: CampaignInput): Promise<string> {
  if (c.endsOn < c.startsOn) throw invalidField('body.endsOn', 'is before startsOn');
  const known = (await sql<{ code: string }>`select code from vaccine_products where code = any(${c.productCodes}::text[])`.execute(db)).rows.map((r) => r.code);
  const unknown = c.productCodes.filter((p) => !known.includes(p));
  if (unknown.length) throw invalidField('body.productCodes', `unknown product(s): ${unknown.join(', ')}`);
  const groups = (await sql<{ code: string }>`select code from priority_groups where code = any(${c.priorityCodes}::text[])`.execute(db)).rows.map((r) => r.code);
  const badGroups = c.priorityCodes.filter((p) => !groups.includes(p));
  if (badGroups.length) throw invalidField('body.priorityCodes', `unknown group(s): ${badGroups.join(', ')}`);
  const r = await sql<{ id: string }>`
    insert into vaccination_campaigns (name, unit_code, starts_on, ends_on, product_codes, priority_codes)
    values (${c.name}, ${c.unitCode}, ${c.startsOn}, ${c.endsOn}, ${c.productCodes}::text[], ${c.priorityCodes}::text[]) returning id`.execute(db);
  return r.rows[0]!.id;
}

export interface CampaignRow {
  id: string;
  name: string;
  unit_code: string;
  starts_on: string;
  ends_on: string;
  product_codes: string[];
  priority_codes: string[];
  status: string;
}

export async function findCampaign(db: DbOrTx, id: string): Promise<CampaignRow | null> {
  const r = await sql<CampaignRow>`
    select id, name, unit_code, to_char(starts_on, 'YYYY-MM-DD') as starts_on, to_char(ends_on, 'YYYY-MM-DD') as ends_on, product_codes, priority_codes, status
    from vaccination_campaigns where id = ${id}`.execute(db);
  return r.rows[0] ?? null;
}

/** Creates the session of a site for a day and product with its slots; returns the session id and slot count. */
export async function createSession(db: DbOrTx, campaign: CampaignRow, siteId: string, day: string, productCode: string, timeZone: string) {
  if (day < campaign.starts_on || day > campaign.ends_on) throw invalidField('body.day', `is outside the campaign (${campaign.starts_on} – ${campaign.ends_on})`);
  if (!campaign.product_codes.includes(productCode)) throw invalidField('body.productCode', 'is not a product of this campaign');
  const site = (await sql<{ capacity_per_hour: number; opening_hours: OpeningHours[] }>`select capacity_per_hour, opening_hours from vaccination_sites where id = ${siteId}`.execute(db)).rows[0];
  if (!site) throw invalidField('body.siteId', 'is not a known site');
  const slots = slotsOf(day, site.opening_hours, site.capacity_per_hour, timeZone);
  if (!slots.length) throw invalidField('body.day', 'the site is closed that day (see its opening hours)');
  const s = await sql<{ id: string }>`
    insert into vaccination_sessions (campaign_id, site_id, day, product_code) values (${campaign.id}, ${siteId}, ${day}, ${productCode})
    on conflict (site_id, day, campaign_id, product_code) do nothing returning id`.execute(db);
  if (!s.rows.length) throw conflict('body.day: the site already has a session of this campaign and product that day', [{ path: 'body.day', message: 'session exists' }]);
  const id = s.rows[0]!.id;
  await sql`insert into vaccination_slots (session_id, starts_at, ends_at, capacity)
    select ${id}, x.s, x.e, x.c from unnest(${slots.map((x) => x.startsAt)}::timestamptz[], ${slots.map((x) => x.endsAt)}::timestamptz[], ${slots.map((x) => x.capacity)}::int[]) as x(s, e, c)`.execute(db);
  return { id, slots: slots.length };
}
