// Console provider (development, demo): prints each SMS to stderr (the phone masked) and reports it delivered.
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { splitText } from '../text';
import type { OutgoingSms, ProviderState, SendResult, SmsProvider } from './types';

export class ConsoleProvider extends EventEmitter implements SmsProvider {
  readonly name = 'console' as const;
  constructor(private readonly write: (line: string) => void = (l) => process.stderr.write(l)) {
    super();
  }
  state(): ProviderState {
    return { ready: true, detail: 'console' };
  }
  async send(sms: OutgoingSms): Promise<SendResult> {
    const { parts } = splitText(sms.text);
    const skip = new Set(sms.skipParts ?? []);
    const results = parts.map((_, index) => ({ index, messageId: `console-${randomUUID()}` })).filter((r) => !skip.has(r.index));
    this.write(`[SMS → ${sms.to.slice(0, 5)}…${sms.to.slice(-3)}, ${parts.length} part(s)] ${sms.text}\n`);
    setImmediate(() => {
      for (const r of results) this.emit('receipt', { messageId: r.messageId, state: 'delivered', detail: 'DELIVRD', at: new Date() });
    });
    return { parts: parts.length, results, outcome: 'accepted' };
  }
  async close(): Promise<void> {}
}
