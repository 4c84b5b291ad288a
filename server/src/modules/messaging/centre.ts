// The notification centre: requests become notification rows (one per recipient, purpose and subject: the same
// notice is never sent twice), a dispatcher sends the due rows through the provider with retries and backoff, and
// receipts and inbound texts (STOP) come back to the rows. The notifications table is the queue: a campaign of 100k
// rows is one INSERT … SELECT, and the dispatcher claims rows in batches (skip locked, so several servers share it).
import pg from 'pg';
import type { Db, DbOrTx } from '../../platform/db/types';
import { normalizePhone } from '../people';
import type { InboundSms, Receipt, SmsProvider } from './providers/types';
import {
  acceptedParts,
  applyReceipts,
  claimDue,
  insertNotifications,
  insertReceipts,
  optedOut,
  recordOutcomes,
  requeueStuck,
  SMS_CHANNEL,
  wakeDispatchers,
  type NewNotification,
  type NotificationRow,
  type SendOutcome,
} from './queries';
import { render, templateOf, TemplateError, type Lang } from './templates';
import { currentTexts } from './template-store';

export interface NotifyRecipient {
  phone: string;
  personId?: string | null;
  lang?: Lang;
  /** the recipient's own variables (name …), over the request's */
  vars?: Record<string, string | number>;
  /** area for figures and officers' scope */
  unitCode?: string | null;
}

export interface NotifyRequest {
  purpose: string;
  /** what it is about: a case id, a campaign, a code request. With recipient and purpose, the idempotency key */
  subject: string;
  recipients: NotifyRecipient[];
  vars?: Record<string, string | number>;
  campaignId?: string | null;
  eventId?: string | null;
}

export interface EnqueueResult {
  created: number;
  /** the same recipient + purpose + subject existed already */
  duplicates: number;
  optedOut: number;
  /** per recipient (index in the request) */
  invalid: { index: number; phone: string; message: string }[];
}

/** Turns a request into queued rows in `db` (the caller's transaction); the dispatchers wake at commit. */
export async function enqueue(db: DbOrTx, req: NotifyRequest): Promise<EnqueueResult> {
  const template = templateOf(req.purpose);
  const edited = await currentTexts(db, req.purpose); // national staff's edit of the texts, if any
  const invalid: EnqueueResult['invalid'] = [];
  const rows: NewNotification[] = [];
  const seen = new Set<string>();
  req.recipients.forEach((r, index) => {
    const phone = normalizePhone(r.phone);
    if (!phone) return invalid.push({ index, phone: String(r.phone).slice(0, 32), message: 'is not a valid phone number' });
    if (seen.has(phone)) return;
    seen.add(phone);
    const lang: Lang = r.lang === 'en' ? 'en' : 'vi';
    let body: string;
    try {
      body = render(req.purpose, lang, { ...req.vars, ...r.vars }, edited);
    } catch (err) {
      if (err instanceof TemplateError) return invalid.push({ index, phone, message: err.message });
      throw err;
    }
    rows.push({
      purpose: req.purpose,
      subject: req.subject,
      recipient: phone,
      person_id: r.personId ?? null,
      unit_code: r.unitCode ?? null,
      lang,
      body,
      campaign_id: req.campaignId ?? null,
      status: 'queued',
      event_id: req.eventId ?? null,
    });
  });
  let opted = 0;
  if (template.optOut) {
    const out = await optedOut(db, rows.map((r) => r.recipient));
    for (const r of rows)
      if (out.has(r.recipient)) {
        r.status = 'opted_out';
        opted++;
      }
  }
  const created = await insertNotifications(db, rows);
  if (created) await wakeDispatchers(db);
  return { created, duplicates: rows.length - created, optedOut: opted, invalid };
}

export interface DispatcherOptions {
  db: Db;
  url: string;
  provider: SmsProvider;
  maxAttempts: number;
  /** first retry delay; doubles per attempt, at most 10 minutes */
  retryDelayMs?: number;
  batch?: number;
  /** claim-and-send loops running side by side (default 3) */
  loops?: number;
  log: { info(o: object, m: string): void; warn(o: object, m: string): void; error(o: object, m: string): void };
  /** the database watcher (connection errors are its to log) */
  health?: { report(err: unknown): boolean };
}

/** Errors that say "not now" about the link, not about the message. */
const BACKPRESSURE = new Set(['NOT_BOUND', 'ESME_RTHROTTLED', 'ESME_RMSGQFUL']);

const STOP_WORDS = /^\s*(STOP|TC|TU\s*CHOI|TỪ\s*CHỐI|HUY|HỦY|DUNG|DỪNG)\b/i;
const START_WORDS = /^\s*(START|DK|DANG\s*KY)\b/i;

/** Sends due notifications, records receipts and STOP replies. One per process that works jobs. */
export class Dispatcher {
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUps = new Set<() => void>();
  private woken = false;
  private listener: pg.Client | null = null;
  private receipts: Receipt[] = [];
  private receiptTimer: NodeJS.Timeout | null = null;
  private receiptFlush: Promise<void> = Promise.resolve();
  private lastSweep = 0;
  readonly stats = { sent: 0, retried: 0, failed: 0, receipts: 0, unknownReceipts: 0, optOuts: 0 };
  /** called with each notification id and the moment its first part was accepted (benchmark) */
  onAccepted?: (row: NotificationRow, at: number) => void;

  constructor(private readonly o: DispatcherOptions) {
    o.provider.on('receipt', (r: Receipt) => this.onReceipt(r));
    o.provider.on('inbound', (m: InboundSms) => void this.onInbound(m).catch((err) => o.health?.report(err) || o.log.error({ error: (err as Error).message }, 'inbound SMS not recorded')));
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.listen();
    // a few loops claim and send side by side (skip locked): one batch's database writes overlap the next one's sending
    this.loop = Promise.all(Array.from({ length: this.o.loops ?? 3 }, () => this.run())).then(() => undefined);
  }

  wake() {
    this.woken = true;
    for (const w of this.wakeUps) w();
  }

  private async listen() {
    const c = new pg.Client({ connectionString: this.o.url, application_name: 'vigil-sms' });
    c.on('notification', () => this.wake());
    c.on('error', () => {
      // polling (1 s) covers the gap; listen again
      if (this.listener === c) this.listener = null;
      if (this.running) setTimeout(() => void this.listen().catch(() => undefined), 1000);
    });
    await c.connect();
    await c.query(`listen ${SMS_CHANNEL}`);
    this.listener = c;
  }

  private async run() {
    const batch = this.o.batch ?? 200;
    while (this.running) {
      let n = 0;
      try {
        if (Date.now() - this.lastSweep > 60_000) {
          this.lastSweep = Date.now();
          await requeueStuck(this.o.db, 10);
        }
        const rows = await claimDue(this.o.db, batch);
        n = rows.length;
        if (n) await this.sendBatch(rows);
      } catch (err) {
        // the database away: the watcher logs the outage once; the loop waits for the next tick
        if (!this.o.health?.report(err)) this.o.log.error({ error: (err as Error).message }, 'SMS dispatcher error');
      }
      if (n === batch || !this.running) continue;
      if (this.woken) {
        this.woken = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, 1000);
        const wakeUps = this.wakeUps;
        function done() {
          clearTimeout(t);
          wakeUps.delete(done);
          resolve();
        }
        wakeUps.add(done);
      });
      this.woken = false;
    }
  }

  private async sendBatch(rows: NotificationRow[]) {
    const { provider, db } = this.o;
    const optOutPurposes = rows.filter((r) => safeTemplate(r.purpose)?.optOut).map((r) => r.recipient);
    const out = await optedOut(db, optOutPurposes);
    const skip = await acceptedParts(db, rows.filter((r) => r.parts !== null).map((r) => r.id)); // parts is set by an earlier try
    const outcomes: SendOutcome[] = [];
    const parts: { id: string; part: number; messageId: string; at: Date }[] = [];
    await Promise.all(
      rows.map(async (row) => {
        const redact = safeTemplate(row.purpose)?.redact ?? false;
        if (out.has(row.recipient) && safeTemplate(row.purpose)?.optOut) {
          outcomes.push({ id: row.id, status: 'opted_out', parts: null, error: null, delayMs: 0, redact });
          return;
        }
        const validMs = row.purpose.startsWith('otp.') ? 10 * 60_000 : 24 * 3600_000;
        if (Date.now() - row.created_at.getTime() > validMs) {
          outcomes.push({ id: row.id, status: 'failed', parts: null, error: `EXPIRED: not sent within ${validMs / 60_000} minutes`, delayMs: 0, redact });
          this.stats.failed++;
          return;
        }
        let r;
        try {
          r = await provider.send({ to: row.recipient, text: row.body, reference: Number(row.id) % 256, skipParts: skip.get(row.id), purpose: row.purpose });
        } catch (err) {
          outcomes.push({ id: row.id, status: 'failed', parts: null, error: (err as Error).message.slice(0, 300), delayMs: 0, redact });
          this.stats.failed++;
          return;
        }
        const at = new Date();
        for (const p of r.results) if (p.messageId) parts.push({ id: row.id, part: p.index, messageId: p.messageId, at });
        if (r.outcome === 'accepted') {
          this.stats.sent++;
          this.onAccepted?.(row, Date.now());
          outcomes.push({ id: row.id, status: 'accepted', parts: r.parts, error: null, delayMs: 0, redact });
        } else if (r.outcome === 'retry' && BACKPRESSURE.has(r.error!.code)) {
          // the SMSC is down or asks us to slow down: not this message's fault, no attempt used (the row expires
          // after its validity instead); the provider paces the next try
          this.stats.retried++;
          outcomes.push({ id: row.id, status: 'queued', parts: r.parts, error: `${r.error!.code}: ${r.error!.message}`, delayMs: this.o.retryDelayMs ?? 5000, redact: false, attemptUsed: false });
        } else if (r.outcome === 'retry' && row.attempts < this.o.maxAttempts) {
          this.stats.retried++;
          const delay = Math.min(600_000, (this.o.retryDelayMs ?? 5000) * 2 ** (row.attempts - 1));
          outcomes.push({ id: row.id, status: 'queued', parts: r.parts, error: `${r.error!.code}: ${r.error!.message}`, delayMs: delay, redact: false });
        } else {
          this.stats.failed++;
          const why = r.outcome === 'retry' ? `gave up after ${row.attempts} attempts; last: ` : '';
          outcomes.push({ id: row.id, status: 'failed', parts: r.parts, error: `${why}${r.error!.code}: ${r.error!.message}`, delayMs: 0, redact });
        }
      }),
    );
    await db.transaction().execute((trx) => recordOutcomes(trx, provider.name, outcomes, parts));
    // receipts that came before their parts were stored. After the commit: whichever of this and a receipt flush
    // commits last sees the other's rows (inside one transaction both could miss each other)
    await applyReceipts(db, provider.name, { ids: outcomes.filter((o) => o.status === 'accepted').map((o) => o.id) });
    if (outcomes.some((o) => o.status === 'queued' && o.delayMs === 0)) this.wake();
  }

  private onReceipt(r: Receipt) {
    this.stats.receipts++;
    this.receipts.push(r);
    if (this.receipts.length >= 500) return void this.flushReceipts();
    this.receiptTimer ??= setTimeout(() => void this.flushReceipts(), 20);
  }

  /** Writes the buffered receipts (batched: a busy SMSC sends thousands a second). */
  flushReceipts(): Promise<void> {
    if (this.receiptTimer) clearTimeout(this.receiptTimer);
    this.receiptTimer = null;
    const batch = this.receipts;
    this.receipts = [];
    if (!batch.length) return this.receiptFlush;
    this.receiptFlush = this.receiptFlush.then(async () => {
      try {
        await insertReceipts(this.o.db, this.o.provider.name, batch);
        // after the receipts are committed (see sendBatch)
        await applyReceipts(this.o.db, this.o.provider.name, { messageIds: batch.map((r) => r.messageId) });
      } catch (err) {
        if (!this.o.health?.report(err)) this.o.log.error({ error: (err as Error).message, receipts: batch.length }, 'SMS receipts not recorded');
      }
    });
    return this.receiptFlush;
  }

  private async onInbound(m: InboundSms) {
    const phone = normalizePhone(m.from);
    if (!phone) return;
    if (STOP_WORDS.test(m.text)) {
      await this.o.db.insertInto('sms_opt_outs').values({ phone, source: 'sms', reason: 'STOP', unit_code: null, created_by: null, created_by_username: null }).onConflict((oc) => oc.column('phone').doNothing()).execute();
      this.stats.optOuts++;
      this.o.log.info({ optOut: 'sms' }, 'SMS opt-out recorded');
    } else if (START_WORDS.test(m.text)) {
      await this.o.db.deleteFrom('sms_opt_outs').where('phone', '=', phone).where('source', '=', 'sms').execute();
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const w of this.wakeUps) w();
    await this.loop;
    await this.flushReceipts();
    const l = this.listener;
    this.listener = null;
    await l?.end().catch(() => undefined);
  }
}

function safeTemplate(purpose: string) {
  try {
    return templateOf(purpose);
  } catch {
    return null;
  }
}

/** Waits until no notification is queued or sending (tests, CLI). */
export async function drained(db: Db, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await db.selectFrom('notifications').select((eb) => eb.fn.countAll<string>().as('n')).where('status', 'in', ['queued', 'sending']).where('next_attempt_at', '<=', new Date(Date.now() + 60_000)).executeTakeFirstOrThrow();
    if (Number(r.n) === 0) return;
    if (Date.now() > deadline) throw new Error(`${r.n} notifications still queued after ${timeoutMs} ms`);
    await new Promise((res) => setTimeout(res, 25));
  }
}
