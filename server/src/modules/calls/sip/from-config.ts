// The SIP provider as configured by VIGIL_SIP_* (README "Robot calls").
import os from 'node:os';
import type { Config } from '../../../config';
import { SipProvider, type SipProviderOptions } from './ua';

/** The first non-internal IPv4 address: what the far end can reach when we bind to 0.0.0.0. */
function guessAddress(): string {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

export function sipOptionsFromConfig(config: Config, overrides: Partial<SipProviderOptions> = {}): SipProviderOptions {
  const local = config.sipLocalAddress;
  return {
    localAddress: local,
    localPort: config.sipLocalPort,
    publicAddress: config.sipPublicAddress ?? (local === '0.0.0.0' ? guessAddress() : undefined),
    trunk: config.sipHost ? { host: config.sipHost, port: config.sipPort, user: config.sipUser, password: config.sipPassword } : undefined,
    callerId: config.sipCallerId,
    maxChannels: config.sipMaxChannels,
    maxCallsPerSecond: config.sipMaxCallsPerSecond,
    register: config.sipRegister,
    ...overrides,
  };
}

export function sipProviderFromConfig(config: Config, overrides: Partial<SipProviderOptions> = {}): SipProvider {
  return new SipProvider(sipOptionsFromConfig(config, overrides));
}
