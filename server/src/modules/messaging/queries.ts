// SQL of the messaging module; the only place that knows its table shapes.
import { sql, type Generated, type Selectable } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';

export interface NotificationTable {
  id: Generated<string>;
  purpose: string;
  subject: string;
  recipient: string;
  person_id: string | null;
  unit_code: string | null;
  lang: string;
  body: string;
  campaign_id: string | null;
  status: Generated<string>;
  provider: string | null;
  parts: number | null;
  attempts: Generated<number>;
  next_attempt_at: Generated<Date>;
  error: string | null;
  event_id: string | null;
  created_at: Generated<Date>;
  sent_at: Date | null;
  final_at: Date | null;
  updated_at: Generated<Date>;
}

export interface CampaignTable {
  id: Generated<string>;
  name: string;
  text_vi: string;
  text_en: string | null;
  source: string;
  filter: unknown;
  unit_code: string;
  status: Generated<string>;
  scheduled_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  recipients: Generated<number>;
  created_by: string | null;
  created_by_username: string | null;
  created_at: Generated<Date>;
}

export interface OptOutTable {
  phone: string;
  source: string;
  reason: string | null;
  unit_code: string | null;
  created_by: string | null;
  created_by_username: string | null;
  created_at: Generated<Date>;
}

export interface OtpTable {
  id: Generated<string>;
  purpose: string;
  phone: string;
  code_hash: string;
  attempts: Generated<number>;
  expires_at: Date;
  consumed_at: Date | null;
  ip: string | null;
  user_id: string | null;
  link_request_id: string | null;
  created_at: Generated<Date>;
}

declare module '../../platform/db/types' {
  interface Database {
    notifications: NotificationTable;
    sms_campaigns: CampaignTable;
    sms_campaign_recipients: { campaign_id: string; phone: string; name: string | null; lang: string };
    sms_parts: { message_id: string; provider: string; notification_id: string; part: number; submitted_at: Generated<Date> };
    sms_receipts: { message_id: string; provider: string; state: string; detail: string; received_at: Generated<Date> };
    sms_opt_outs: OptOutTable;
    otp_codes: OtpTable;
    sms_templates: { purpose: string; text_vi: string; text_en: string; updated_by: string; updated_at: Date };
    sms_template_history: { id: Generated<string>; purpose: string; text_vi: string; text_en: string; changed_by: string; changed_at: Date };
  }
}

export type NotificationRow = Selectable<NotificationTable>;
export type CampaignRow = Selectable<CampaignTable>;

export const SMS_CHANNEL = 'vigil_sms';

/** Wakes the dispatchers when the caller's transaction commits. */
export const wakeDispatchers = (db: DbOrTx) => sql`select pg_notify(${SMS_CHANNEL}, '')`.execute(db);

export interface NewNotification {
  purpose: string;
  subject: string;
  recipient: string;
  person_id: string | null;
  unit_code: string | null;
  lang: string;
  body: string;
  campaign_id: string | null;
  status: 'queued' | 'opted_out';
  event_id: string | null;
}

/** Inserts the rows that do not exist yet (recipient + purpose + subject); returns how many were new. */
export async function insertNotifications(db: DbOrTx, rows: NewNotification[]): Promise<number> {
  let created = 0;
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = rows.slice(i, i + 1000);
    const r = await db
      .insertInto('notifications')
      .values(chunk.map((c) => ({ ...c, final_at: c.status === 'opted_out' ? new Date() : null })))
      .onConflict((oc) => oc.columns(['recipient', 'purpose', 'subject']).doNothing())
      .executeTakeFirst();
    created += Number(r.numInsertedOrUpdatedRows ?? 0n);
  }
  return created;
}

export async function optedOut(db: DbOrTx, phones: string[]): Promise<Set<string>> {
  if (!phones.length) return new Set();
  const rows = await db.selectFrom('sms_opt_outs').select('phone').where('phone', 'in', phones).execute();
  return new Set(rows.map((r) => r.phone));
}

/** Claims up to `n` due notifications for sending (skip-locked: several dispatchers share the queue). */
export async function claimDue(db: DbOrTx, n: number): Promise<NotificationRow[]> {
  const r = await sql<NotificationRow>`
    update notifications set status = 'sending', attempts = attempts + 1, updated_at = now()
    where id in (
      select id from notifications where status = 'queued' and next_attempt_at <= now()
      order by next_attempt_at limit ${n} for update skip locked)
    returning *`.execute(db);
  return r.rows.map((x) => ({ ...x, id: String(x.id), campaign_id: x.campaign_id === null ? null : String(x.campaign_id) }));
}

/** Rows left in 'sending' by a process that died: queued again (their accepted parts are skipped on retry). */
export async function requeueStuck(db: DbOrTx, olderThanMinutes: number): Promise<number> {
  const r = await sql`update notifications set status = 'queued', updated_at = now()
    where status = 'sending' and updated_at < now() - make_interval(mins => ${olderThanMinutes})`.execute(db);
  return Number(r.numAffectedRows ?? 0n);
}

export async function acceptedParts(db: DbOrTx, ids: string[]): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  if (!ids.length) return out;
  const rows = await db.selectFrom('sms_parts').select(['notification_id', 'part']).where('notification_id', 'in', ids).execute();
  for (const r of rows) out.set(String(r.notification_id), [...(out.get(String(r.notification_id)) ?? []), r.part]);
  return out;
}

export interface SendOutcome {
  id: string;
  status: 'accepted' | 'queued' | 'failed' | 'opted_out';
  parts: number | null;
  error: string | null;
  /** when queued again */
  delayMs: number;
  redact: boolean;
  /** false: give back the attempt the claim counted (back-pressure) */
  attemptUsed?: boolean;
}

/** Writes a batch of outcomes and the parts accepted, in one statement each. */
export async function recordOutcomes(db: DbOrTx, provider: string, outcomes: SendOutcome[], parts: { id: string; part: number; messageId: string; at: Date }[]) {
  // an id the SMSC used before (its counter wrapped or restarted) belongs to the newest submission
  if (parts.length)
    await sql`insert into sms_parts (message_id, provider, notification_id, part, submitted_at)
      select m, ${provider}, n, p, a from unnest(${parts.map((p) => p.messageId)}::text[], ${parts.map((p) => p.id)}::bigint[], ${parts.map((p) => p.part)}::int[], ${parts.map((p) => p.at)}::timestamptz[]) as v(m, n, p, a)
      on conflict (provider, message_id) do update set notification_id = excluded.notification_id, part = excluded.part, submitted_at = excluded.submitted_at`.execute(db);
  if (!outcomes.length) return;
  await sql`
    update notifications n set
      status = v.status,
      provider = ${provider},
      parts = coalesce(v.parts, n.parts),
      error = v.error,
      attempts = case when v.attempt_used then n.attempts else n.attempts - 1 end,
      next_attempt_at = now() + v.delay_ms * interval '1 millisecond',
      sent_at = case when v.status = 'accepted' then now() else n.sent_at end,
      final_at = case when v.status in ('failed', 'opted_out') then now() else null end,
      body = case when v.redact and v.status <> 'queued' then '' else n.body end,
      updated_at = now()
    from unnest(${outcomes.map((o) => o.id)}::bigint[], ${outcomes.map((o) => o.status)}::text[], ${outcomes.map((o) => o.parts)}::int[],
                ${outcomes.map((o) => o.error)}::text[], ${outcomes.map((o) => o.delayMs)}::int[], ${outcomes.map((o) => o.redact)}::bool[], ${outcomes.map((o) => o.attemptUsed !== false)}::bool[])
      as v(id, status, parts, error, delay_ms, redact, attempt_used)
    where n.id = v.id`.execute(db);
}

export async function insertReceipts(db: DbOrTx, provider: string, batch: { messageId: string; state: string; detail: string; at: Date }[]) {
  // one row per id (an SMSC may report an id twice in a batch: enroute, then delivered; the newest wins), in id order
  // (concurrent flushes of several processes then take the rows' locks in one order)
  const newest = new Map<string, (typeof batch)[number]>();
  for (const r of batch) if (!newest.has(r.messageId) || newest.get(r.messageId)!.at <= r.at) newest.set(r.messageId, r);
  const receipts = [...newest.values()].sort((a, b) => (a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : 0));
  await sql`insert into sms_receipts (message_id, provider, state, detail, received_at)
    select m, ${provider}, s, d, a from unnest(${receipts.map((r) => r.messageId)}::text[], ${receipts.map((r) => r.state)}::text[], ${receipts.map((r) => r.detail)}::text[], ${receipts.map((r) => r.at)}::timestamptz[]) as v(m, s, d, a)
    on conflict (provider, message_id) do update set state = excluded.state, detail = excluded.detail, received_at = excluded.received_at
      where excluded.received_at >= sms_receipts.received_at`.execute(db); // the newest word on an id wins (ids are reused)
}

/**
 * Final status from receipts for accepted notifications that have parts among `messageIds` (or are `ids`):
 * delivered when every part is delivered, failed when one failed. Returns how many changed.
 */
export async function applyReceipts(db: DbOrTx, provider: string, by: { messageIds?: string[]; ids?: string[] }): Promise<number> {
  const affected = by.messageIds
    ? sql`select distinct notification_id from sms_parts where provider = ${provider} and message_id = any(${by.messageIds}::text[])`
    : sql`select unnest(${by.ids ?? []}::bigint[]) as notification_id`;
  const r = await sql`
    with affected as (${affected}),
    agg as (
      select p.notification_id, count(*) as stored, count(*) filter (where r.state = 'delivered') as delivered, count(*) filter (where r.state = 'failed') as failed,
             min(r.detail) filter (where r.state = 'failed') as detail
      from sms_parts p join affected a on a.notification_id = p.notification_id
      left join sms_receipts r on r.provider = p.provider and r.message_id = p.message_id and r.received_at >= p.submitted_at - interval '2 seconds' -- not a receipt of an earlier owner of the id
      group by p.notification_id),
    -- the rows to finish, locked in id order: the sending loops and the receipt flush apply receipts to overlapping
    -- rows at once, and an UPDATE locks in its join's order, which differs between them (deadlock detected)
    locked as materialized (
      select n.id from notifications n join agg on agg.notification_id = n.id
      where n.status = 'accepted' and (agg.failed > 0 or agg.delivered >= agg.stored) -- accepted: every part is stored (an HTTP gateway has one id for all parts)
      order by n.id for update of n)
    update notifications n set
      status = case when agg.failed > 0 then 'failed' else 'delivered' end,
      error = case when agg.failed > 0 then 'receipt: ' || agg.detail else null end,
      final_at = now(), updated_at = now()
    from agg join locked on locked.id = agg.notification_id
    where n.id = agg.notification_id and n.status = 'accepted'`.execute(db);
  return Number(r.numAffectedRows ?? 0n);
}
