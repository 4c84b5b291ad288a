// Console provider (development, demo, the default when no SMSC or gateway is configured): reports each SMS
// delivered and prints one line per message to stderr that carries no personal data: its purpose, the recipient
// masked to the last three digits, its length in parts. The text itself (names, results, one-time codes) is never
// printed: the messages of the notification centre keep theirs in the `notifications` table (staff read them on the
// Messaging page; texts whose template says `redact`, one-time codes, are blanked once sent).
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { maskPhone } from '../../people';
import { splitText } from '../text';
import type { OutgoingSms, ProviderState, SendResult, SmsProvider } from './types';

/** The console line for one message: purpose, masked recipient, parts; never the text. */
export function consoleLine(sms: Pick<OutgoingSms, 'to' | 'purpose'>, parts: number, coding: string): string {
  return `[SMS console] purpose=${sms.purpose ?? 'unknown'} to=${maskPhone(sms.to) ?? '?'} parts=${parts} coding=${coding} (text not logged)\n`;
}

export class ConsoleProvider extends EventEmitter implements SmsProvider {
  readonly name = 'console' as const;
  constructor(private readonly write: (line: string) => void = (l) => process.stderr.write(l)) {
    super();
  }
  state(): ProviderState {
    return { ready: true, detail: 'console' };
  }
  async send(sms: OutgoingSms): Promise<SendResult> {
    const { parts, coding } = splitText(sms.text);
    const skip = new Set(sms.skipParts ?? []);
    const results = parts.map((_, index) => ({ index, messageId: `console-${randomUUID()}` })).filter((r) => !skip.has(r.index));
    this.write(consoleLine(sms, parts.length, coding));
    setImmediate(() => {
      for (const r of results) this.emit('receipt', { messageId: r.messageId, state: 'delivered', detail: 'DELIVRD', at: new Date() });
    });
    return { parts: parts.length, results, outcome: 'accepted' };
  }
  async close(): Promise<void> {}
}
