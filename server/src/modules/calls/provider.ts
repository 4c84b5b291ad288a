// The call providers an app uses (VIGIL_CALLS_PROVIDER, VIGIL_CALLS_HOTLINE_PROVIDER): the carrier's SIP trunk, a
// Twilio-style TwiML account (webhooks mounted by the module under /api/calls/twiml), or the simulated provider
// (personas on the wall clock: development, demo). `auto`: the SIP trunk when VIGIL_SIP_HOST is set, else simulated
// for outbound calls and no hotline. Prompts of real providers come from espeak-ng TTS, cached under the data
// directory; the simulated provider gets silence as long as the prompt.
import path from 'node:path';
import type { Config } from '../../config';
import type { AppContext } from '../../platform/module';
import { realClock } from './clock';
import { TwimlProvider } from './providers/twiml';
import { silentRenderer } from './sim-render';
import { SimulatedProvider } from './simulated';
import { sipProviderFromConfig } from './sip/from-config';
import { Tts } from './tts';
import type { CallProvider, PromptRenderer } from './types';

export interface ProviderSetup {
  provider: CallProvider;
  render: PromptRenderer;
}

export type OutboundKind = 'sip' | 'twiml' | 'simulated';
export type HotlineKind = 'sip' | 'twiml' | null;

/** Which provider places the campaigns' calls and which answers the hotline, from the config. */
export function providerKinds(config: Pick<Config, 'callsProvider' | 'callsHotlineProvider' | 'sipHost'>): { outbound: OutboundKind; hotline: HotlineKind } {
  const outbound: OutboundKind = config.callsProvider === 'auto' ? (config.sipHost ? 'sip' : 'simulated') : config.callsProvider;
  const h = config.callsHotlineProvider;
  const hotline: HotlineKind = h === 'none' ? null : h === 'auto' ? (outbound === 'simulated' ? null : outbound) : h;
  return { outbound, hotline };
}

/** The public URL of the TwiML webhooks' prefix: what the provider calls and what its signatures cover. */
export const twimlWebhookBase = (config: Pick<Config, 'twilioWebhookUrl' | 'publicUrl'>) => config.twilioWebhookUrl ?? `${config.publicUrl}/api/calls/twiml`;

/** The TwiML account of the config (null when neither outbound calls nor the hotline use it). */
export function twimlFromConfig(config: Config, fetchFn?: typeof fetch, claimInbound?: (callSid: string) => Promise<boolean>): TwimlProvider | null {
  const k = providerKinds(config);
  if (k.outbound !== 'twiml' && k.hotline !== 'twiml') return null;
  return new TwimlProvider({
    accountSid: config.twilioAccountSid!,
    authToken: config.twilioAuthToken!,
    apiBase: config.twilioApiBase.replace(/\/$/, ''),
    webhookBase: twimlWebhookBase(config),
    from: config.twilioFrom!,
    maxChannels: config.twilioMaxChannels,
    recordingWaitMs: 10_000,
    fetch: fetchFn,
    claimInbound,
  });
}

/** The app's TwiML account (the one its webhook routes serve), by app context: its dialer and tests use it. */
const appTwiml = new WeakMap<object, TwimlProvider>();
export const twimlOfApp = (ctx: AppContext): TwimlProvider | null => appTwiml.get(ctx) ?? null;
export const setTwimlOfApp = (ctx: AppContext, p: TwimlProvider) => void appTwiml.set(ctx, p);

const ttsOf = (config: Config) => new Tts({ cacheDir: path.join(config.dataDir, 'tts') }).render;

export interface CallProviders {
  outbound: ProviderSetup;
  /** the SIP hotline when it shares nothing with `outbound` (the TwiML hotline is the module's, answered by webhooks) */
  sipHotline: ProviderSetup | null;
  /** every distinct provider here, to start and close */
  all: CallProvider[];
}

/**
 * The providers of a dialer process. `twiml` is the app's webhook-driven account (its routes are mounted once, by
 * the module): outbound calls through it share that instance.
 */
export function createCallProviders(ctx: AppContext, twiml: TwimlProvider | null): CallProviders {
  const k = providerKinds(ctx.config);
  let sip: CallProvider | null = null;
  const sipOnce = () => (sip ??= sipProviderFromConfig(ctx.config));
  let outbound: ProviderSetup;
  if (k.outbound === 'sip') outbound = { provider: sipOnce(), render: ttsOf(ctx.config) };
  else if (k.outbound === 'twiml') {
    if (!twiml) throw new Error('calls: the TwiML provider is not configured');
    outbound = { provider: twiml, render: ttsOf(ctx.config) };
  } else outbound = { provider: new SimulatedProvider({ clock: realClock(ctx.config.clock), maxChannels: 60 }), render: silentRenderer };
  const sipHotline = k.hotline === 'sip' ? { provider: sipOnce(), render: outbound.provider === sip ? outbound.render : ttsOf(ctx.config) } : null;
  const all = [...new Set([outbound.provider, ...(sipHotline ? [sipHotline.provider] : [])])];
  return { outbound, sipHotline, all };
}

/** One provider for a single run (the CLI): the configured outbound one; a TwiML account needs the server's webhooks. */
export function createCallProvider(ctx: AppContext): ProviderSetup {
  const k = providerKinds(ctx.config);
  if (k.outbound === 'twiml') throw new Error('the TwiML provider is driven by webhooks to the running server: its dialer places these calls (or use --provider simulated)');
  return createCallProviders(ctx, null).outbound;
}
