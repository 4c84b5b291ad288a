// One interface for every SMS provider (SMPP carrier link, HTTP gateway, console).
import type { EventEmitter } from 'node:events';

export interface OutgoingSms {
  /** E.164 (+84…) */
  to: string;
  text: string;
  /** concatenation reference (0..255); keep it stable across retries of the same message */
  reference?: number;
  /** 0-based parts already accepted by an earlier attempt: not sent again */
  skipParts?: number[];
  /** what the message is for (`test.result`, `otp.signup`…): named in logs instead of the text */
  purpose?: string;
}

export interface PartResult {
  index: number;
  /** the provider's id (receipts refer to it) */
  messageId?: string;
  error?: SmsError;
}

export interface SmsError {
  /** e.g. ESME_RTHROTTLED, TIMEOUT, NOT_BOUND, HTTP_500 */
  code: string;
  message: string;
  /** worth sending again later */
  retry: boolean;
}

export interface SendResult {
  parts: number;
  results: PartResult[];
  /** accepted: every part has an id; retry: some part failed for a passing reason; failed: will not succeed */
  outcome: 'accepted' | 'retry' | 'failed';
  error?: SmsError;
}

export type ReceiptState = 'delivered' | 'failed' | 'enroute';

export interface Receipt {
  messageId: string;
  state: ReceiptState;
  /** the provider's word: DELIVRD, UNDELIV, EXPIRED, REJECTD… */
  detail: string;
  at: Date;
}

export interface InboundSms {
  /** E.164 */
  from: string;
  text: string;
  at: Date;
}

/** Emits 'receipt' (Receipt), 'inbound' (InboundSms) and 'state' (ProviderState). */
export interface SmsProvider extends EventEmitter {
  readonly name: 'smpp' | 'http' | 'console';
  send(sms: OutgoingSms): Promise<SendResult>;
  state(): ProviderState;
  close(): Promise<void>;
}

export interface ProviderState {
  /** connected and able to send (SMPP: bound) */
  ready: boolean;
  /** e.g. 'bound', 'connecting', 'bind refused (ESME_RINVPASWD)', 'reconnecting in 4 s' */
  detail: string;
}

export function outcomeOf(results: PartResult[]): Pick<SendResult, 'outcome' | 'error'> {
  const errors = results.filter((r) => r.error).map((r) => r.error!);
  if (!errors.length) return { outcome: 'accepted' };
  const final = errors.find((e) => !e.retry);
  if (final) return { outcome: 'failed', error: final };
  return { outcome: 'retry', error: errors[0] };
}
