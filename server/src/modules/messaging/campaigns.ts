// Campaigns: one text to a list (uploaded Excel/CSV) or to a saved filter (everyone at an exposure venue in a
// window, or in an exposure notice's window; the F1/F2 of a commune under monitoring; the residents of a commune),
// scheduled, with a dry run (count, sample, opted-out, invalid rows) first. Running a campaign turns its audience
// into notification rows (purpose 'campaign', subject 'campaign:<id>').
//
// Who may text whom: a saved filter names its area, and the officer must hold messaging.send there. An uploaded
// list is the officer's own (it is sent in their request, attributed to their unit and audited), but a phone the
// registry knows only as people living outside the officer's jurisdiction is left out with a per-row error: a
// province texts its own residents; another province's people hear from their own CDC (no contradicting orders).
// Phones the registry does not know stay in (a factory's staff list handed to the district, say).
import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';
import { conflict, invalidField, notFound } from '../../platform/http/errors';
import { communesOfPhones, getPersonPhones, maskPhone, normalizePhone, residentsWithPhone } from '../people';
import { contactsUnderMonitoring, exposureNoticeWindow } from '../cases';
import { personsAtVenue, readTable } from '../venues';
import { enqueue, type NotifyRecipient } from './centre';
import { optedOut, type CampaignRow } from './queries';
import { partsOf } from './text';

export type CampaignSource =
  | { kind: 'list'; rows: { phone: string; name?: string; lang?: 'vi' | 'en' }[] }
  | { kind: 'venue_exposure'; venueId: string; from: string; to: string }
  | { kind: 'commune_residents'; communeCode: string }
  | { kind: 'exposure_notice'; noticeId: string }
  | { kind: 'commune_contacts'; communeCode: string; levels?: number[] };

export interface CampaignInput {
  name: string;
  textVi: string;
  textEn?: string | null;
  unitCode: string;
  source: CampaignSource;
  scheduledAt?: string | null;
}

export interface Audience {
  recipients: (NotifyRecipient & { name: string | null })[];
  invalid: { row: number; phone: string; message: string }[];
  /** units the filter reaches (checked for the officer's jurisdiction by the caller) */
  units: string[];
}

export const LIST_COLUMNS = ['phone'] as const;
export const LIST_OPTIONAL = ['name', 'lang'] as const;

/** Reads an uploaded list (CSV or .xlsx; columns phone[, name, lang]) into rows and per-row errors. */
export async function readList(data: Buffer) {
  const table = await readTable(data, LIST_COLUMNS, LIST_OPTIONAL);
  const rows: { phone: string; name?: string; lang?: 'vi' | 'en' }[] = [];
  const errors = table.unreadable.map((u) => ({ row: u.line, phone: '', message: u.message }));
  for (const r of table.rows) {
    const phone = normalizePhone(r.values.phone);
    if (!phone) errors.push({ row: r.line, phone: String(r.values.phone ?? '').slice(0, 32), message: 'phone: is not a valid phone number' });
    else rows.push({ phone, name: r.values.name || undefined, lang: r.values.lang === 'en' ? 'en' : 'vi' });
  }
  return { rows, errors };
}

/**
 * The recipients of a campaign. `scope`: the officer's unit codes (null = the whole country); an uploaded list's
 * phones known only as people living outside it become per-row errors (see the head of this file).
 */
export async function audienceOf(db: DbOrTx, source: CampaignSource, scope: string[] | null = null): Promise<Audience> {
  const asRecipients = (people: { id: string; fullName: string; phone: string | null; communeCode: string | null }[]) =>
    people.filter((p) => p.phone).map((p) => ({ phone: p.phone!, personId: p.id, unitCode: p.communeCode, name: p.fullName, lang: 'vi' as const }));
  if (source.kind === 'list') {
    const invalid: Audience['invalid'] = [];
    const recipients: (Audience['recipients'][number] & { row: number })[] = [];
    source.rows.forEach((r, i) => {
      const phone = normalizePhone(r.phone);
      if (!phone) invalid.push({ row: i + 1, phone: String(r.phone).slice(0, 32), message: 'is not a valid phone number' });
      else recipients.push({ row: i + 1, phone, lang: r.lang === 'en' ? 'en' : 'vi', name: r.name?.trim() || null });
    });
    if (!scope) return { recipients, invalid, units: [] };
    const inScope = new Set(scope);
    const known = await communesOfPhones(db, recipients.map((r) => r.phone));
    const kept = recipients.filter((r) => {
      const communes = known.get(r.phone);
      if (!communes || communes.some((c) => inScope.has(c))) return true;
      invalid.push({ row: r.row, phone: maskPhone(r.phone)!, message: 'belongs to people living outside your jurisdiction: their own CDC texts them' });
      return false;
    });
    invalid.sort((a, b) => a.row - b.row);
    return { recipients: kept, invalid, units: [] };
  }
  if (source.kind === 'venue_exposure' || source.kind === 'exposure_notice') {
    let venueId: string;
    let from: Date;
    let to: Date;
    if (source.kind === 'exposure_notice') {
      const n = await exposureNoticeWindow(db, source.noticeId);
      if (!n) throw invalidField('body.source.noticeId', 'is not a published exposure notice');
      ({ venueId, from, to } = n);
    } else {
      venueId = source.venueId;
      from = new Date(source.from);
      to = new Date(source.to);
      if (Number.isNaN(from.getTime())) throw invalidField('body.source.from', 'is not a date-time');
      if (Number.isNaN(to.getTime()) || to <= from) throw invalidField('body.source.to', 'must be a date-time after from');
      if (to.getTime() - from.getTime() > 31 * 86400_000) throw invalidField('body.source.to', 'window longer than 31 days');
    }
    const at = await personsAtVenue(db, venueId, from, to);
    if (!at) throw invalidField('body.source.venueId', 'is not a known venue');
    return { recipients: asRecipients(await getPersonPhones(db, at.personIds)), invalid: [], units: [at.communeCode] };
  }
  if (source.kind === 'commune_contacts') {
    const ids = (await contactsUnderMonitoring(db, [source.communeCode], null, source.levels ?? [1, 2])).map((c) => c.personId);
    return { recipients: asRecipients(await getPersonPhones(db, ids)), invalid: [], units: [source.communeCode] };
  }
  const people = await residentsWithPhone(db, [source.communeCode]);
  return { recipients: asRecipients(people), invalid: [], units: [source.communeCode] };
}

const personal = (text: string, name: string | null) => text.replace(/\{name\}/g, name ?? '').replace(/\s{2,}/g, ' ').trim();

export function campaignText(c: { textVi: string; textEn?: string | null }, lang: 'vi' | 'en', name: string | null) {
  return personal(lang === 'en' && c.textEn ? c.textEn : c.textVi, name);
}

export function checkText(input: Pick<CampaignInput, 'textVi' | 'textEn'>) {
  for (const [path, t] of [['body.textVi', input.textVi], ['body.textEn', input.textEn]] as const) {
    if (!t) continue;
    const unknown = [...t.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).filter((v) => v !== 'name');
    if (unknown.length) throw invalidField(path, `unknown variable {${unknown[0]}}; campaigns may use {name}`);
    try {
      partsOf(personal(t, 'Nguyễn Thị Minh Khai'));
    } catch (err) {
      throw invalidField(path, (err as Error).message);
    }
  }
}

/** What a campaign would send: count, opted-out, invalid rows and a sample (phones masked). */
export async function dryRun(db: DbOrTx, input: CampaignInput, scope: string[] | null = null) {
  checkText(input);
  const a = await audienceOf(db, input.source, scope);
  const unique = [...new Map(a.recipients.map((r) => [r.phone, r])).values()];
  const out = await optedOut(db, unique.map((r) => r.phone));
  const sample = unique.filter((r) => !out.has(r.phone)).slice(0, 5);
  return {
    count: unique.length - out.size,
    optedOut: out.size,
    invalid: a.invalid.slice(0, 1000),
    invalidCount: a.invalid.length,
    sample: sample.map((r) => {
      const text = campaignText(input, r.lang ?? 'vi', r.name);
      return { phone: maskPhone(r.phone)!, text, parts: partsOf(text) };
    }),
    units: a.units,
  };
}

export async function insertCampaign(db: DbOrTx, input: CampaignInput, actor: { id: string; username: string; scope: string[] | null }, now: Date): Promise<CampaignRow> {
  checkText(input);
  const scheduledAt = input.scheduledAt ? new Date(input.scheduledAt) : now;
  if (Number.isNaN(scheduledAt.getTime())) throw invalidField('body.scheduledAt', 'is not a date-time');
  const source = input.source;
  const filter = source.kind === 'list' ? { rows: source.rows.length } : source;
  const row = await db
    .insertInto('sms_campaigns')
    .values({
      name: input.name.trim(),
      text_vi: input.textVi,
      text_en: input.textEn ?? null,
      source: source.kind,
      filter: JSON.stringify(filter),
      unit_code: input.unitCode,
      scheduled_at: scheduledAt,
      started_at: null,
      finished_at: null,
      created_by: actor.id,
      created_by_username: actor.username,
      created_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  if (source.kind === 'list') {
    const a = await audienceOf(db, source, actor.scope);
    const unique = [...new Map(a.recipients.map((r) => [r.phone, r])).values()];
    for (let i = 0; i < unique.length; i += 5000)
      await db
        .insertInto('sms_campaign_recipients')
        .values(unique.slice(i, i + 5000).map((r) => ({ campaign_id: row.id, phone: r.phone, name: r.name, lang: r.lang ?? 'vi' })))
        .execute();
  }
  return row;
}

/** Starts a scheduled campaign: its audience becomes notifications. Idempotent (a started campaign is left alone). */
export async function runCampaign(db: DbOrTx, id: string, now: Date): Promise<{ created: number } | null> {
  const c = await db.selectFrom('sms_campaigns').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!c || c.status !== 'scheduled') return null;
  let recipients: (NotifyRecipient & { name: string | null })[];
  if (c.source === 'list') {
    const rows = await db.selectFrom('sms_campaign_recipients').selectAll().where('campaign_id', '=', id).execute();
    recipients = rows.map((r) => ({ phone: r.phone, lang: r.lang as 'vi' | 'en', name: r.name, unitCode: c.unit_code }));
  } else {
    recipients = (await audienceOf(db, c.filter as CampaignSource)).recipients;
  }
  const texts = { textVi: c.text_vi, textEn: c.text_en };
  const r = await enqueue(db, {
    purpose: 'campaign',
    subject: `campaign:${id}`,
    campaignId: id,
    recipients: recipients.map((x) => ({ ...x, unitCode: x.unitCode ?? c.unit_code, vars: { text: campaignText(texts, x.lang ?? 'vi', x.name) } })),
  });
  await db.updateTable('sms_campaigns').set({ status: 'running', started_at: now, recipients: r.created }).where('id', '=', id).execute();
  await db.deleteFrom('sms_campaign_recipients').where('campaign_id', '=', id).execute();
  return { created: r.created };
}

/** Running campaigns with nothing left to send are done. */
export async function finishCampaigns(db: DbOrTx, now: Date) {
  await sql`update sms_campaigns c set status = 'done', finished_at = ${now}
    where status = 'running' and not exists (select 1 from notifications n where n.campaign_id = c.id and n.status in ('queued', 'sending'))`.execute(db);
}

export async function cancelCampaign(db: DbOrTx, id: string, now: Date) {
  const c = await db.selectFrom('sms_campaigns').select(['id', 'status']).where('id', '=', id).forUpdate().executeTakeFirst();
  if (!c) throw notFound('Campaign');
  if (c.status === 'done' || c.status === 'cancelled') throw conflict(`This campaign is already ${c.status}`);
  await db.updateTable('sms_campaigns').set({ status: 'cancelled', finished_at: now }).where('id', '=', id).execute();
  // what is not sent yet is not sent
  await db.updateTable('notifications').set({ status: 'cancelled', final_at: now, updated_at: now }).where('campaign_id', '=', id).where('status', '=', 'queued').execute();
}

/** Per-status counts of campaigns (progress). */
export async function campaignCounts(db: DbOrTx, ids: string[]) {
  if (!ids.length) return new Map<string, Record<string, number>>();
  const rows = await db
    .selectFrom('notifications')
    .select(['campaign_id', 'status', (eb) => eb.fn.countAll<string>().as('n')])
    .where('campaign_id', 'in', ids)
    .groupBy(['campaign_id', 'status'])
    .execute();
  const out = new Map<string, Record<string, number>>();
  for (const r of rows) {
    const m = out.get(String(r.campaign_id)) ?? {};
    m[r.status] = Number(r.n);
    out.set(String(r.campaign_id), m);
  }
  return out;
}
