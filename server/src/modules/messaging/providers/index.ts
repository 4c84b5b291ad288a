import type { Config } from '../../../config';
import { ConsoleProvider } from './console';
import { HttpSmsProvider } from './http';
import { SmppProvider } from './smpp';
import type { SmsProvider } from './types';

export type ProviderName = 'smpp' | 'http' | 'console';

export function createProvider(config: Config, name: ProviderName, log: { info(o: object, m: string): void; warn(o: object, m: string): void }): SmsProvider {
  if (name === 'smpp') {
    if (!config.smppUrl) throw new Error('VIGIL_SMPP_URL is not set');
    return new SmppProvider({ url: config.smppUrl, source: config.smsSource, tps: config.smsTps, window: config.smppWindow, log });
  }
  if (name === 'http') {
    if (!config.smsHttpUrl) throw new Error('VIGIL_SMS_HTTP_URL is not set');
    return new HttpSmsProvider({ url: config.smsHttpUrl, token: config.smsHttpToken, source: config.smsSource });
  }
  return new ConsoleProvider();
}
export type { SmsProvider } from './types';
