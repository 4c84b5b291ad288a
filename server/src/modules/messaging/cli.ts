// `vigil sms send`: one SMS straight through a provider (operators checking the carrier link). It does not use the
// notification centre (no row, no opt-out check): it is a diagnostic, like ping.
import type { Config } from '../../config';
import { normalizePhone } from '../people';
import { createProvider, type ProviderName } from './providers';
import type { Receipt, SendResult } from './providers/types';

export interface SmsSendOptions {
  to: string;
  text: string;
  provider?: ProviderName;
  waitReceipt?: boolean;
  /** give up after this long (bind, throttling, receipt) */
  timeoutMs?: number;
}

export interface SmsSendOutput {
  status: 'accepted' | 'delivered' | 'failed';
  parts: number;
  message_ids: string[];
  error: { code: string; message: string } | null;
}

export class SmsUsageError extends Error {}

export async function smsSend(config: Config, o: SmsSendOptions): Promise<SmsSendOutput> {
  const to = normalizePhone(o.to);
  if (!to) throw new SmsUsageError(`--to: "${o.to}" is not a valid phone number`);
  if (!o.text.trim()) throw new SmsUsageError('--text: is empty');
  const name = o.provider ?? config.smsProvider;
  if (name === 'smpp' && !config.smppUrl) throw new SmsUsageError('--provider smpp needs VIGIL_SMPP_URL=smpp://system_id:password@host:port');
  const quiet = { info() {}, warn() {} };
  const provider = createProvider(config, name, quiet);
  const deadline = Date.now() + (o.timeoutMs ?? 60_000);
  const receipts = new Map<string, Receipt>();
  let waiting: (() => void) | null = null;
  provider.on('receipt', (r: Receipt) => {
    receipts.set(r.messageId, r);
    waiting?.();
  });
  try {
    const ids: string[] = [];
    const accepted: number[] = [];
    let r: SendResult;
    let pause = 250;
    for (;;) {
      // one reference for every try, so a retried part joins the same long message on the phone
      r = await provider.send({ to, text: o.text, reference: 1 + (Date.now() % 255), skipParts: accepted, purpose: 'cli.send' });
      for (const p of r.results) if (p.messageId) {
        ids[p.index] = p.messageId;
        accepted.push(p.index);
      }
      if (r.outcome !== 'retry' || Date.now() + pause > deadline) break;
      await new Promise((res) => setTimeout(res, pause));
      pause = Math.min(5000, pause * 2);
    }
    const messageIds = ids.filter(Boolean);
    if (r.outcome !== 'accepted') return { status: 'failed', parts: r.parts, message_ids: messageIds, error: { code: r.error!.code, message: r.error!.message } };
    if (!o.waitReceipt) return { status: 'accepted', parts: r.parts, message_ids: messageIds, error: null };
    while (messageIds.some((id) => !receipts.has(id) || receipts.get(id)!.state === 'enroute') && Date.now() < deadline) {
      await new Promise<void>((res) => {
        const t = setTimeout(res, deadline - Date.now());
        waiting = () => {
          clearTimeout(t);
          res();
        };
      });
    }
    const got = messageIds.map((id) => receipts.get(id));
    const failed = got.find((x) => x?.state === 'failed');
    if (failed) return { status: 'failed', parts: r.parts, message_ids: messageIds, error: { code: 'RECEIPT', message: failed.detail } };
    if (got.some((x) => !x || x.state !== 'delivered')) return { status: 'accepted', parts: r.parts, message_ids: messageIds, error: { code: 'NO_RECEIPT', message: 'no delivery receipt in time' } };
    return { status: 'delivered', parts: r.parts, message_ids: messageIds, error: null };
  } finally {
    await provider.close();
  }
}
