// The call provider an app uses: the carrier's SIP trunk when VIGIL_SIP_HOST is set (prompts by espeak-ng TTS,
// cached under the data directory), else the simulated one (personas on the wall clock: development, demo).
import path from 'node:path';
import type { AppContext } from '../../platform/module';
import { realClock } from './clock';
import { silentRenderer } from './sim-render';
import { SimulatedProvider } from './simulated';
import { sipProviderFromConfig } from './sip/from-config';
import { Tts } from './tts';
import type { CallProvider, PromptRenderer } from './types';

export interface ProviderSetup {
  provider: CallProvider;
  render: PromptRenderer;
}

export function createCallProvider(ctx: AppContext): ProviderSetup {
  if (ctx.config.sipHost) return { provider: sipProviderFromConfig(ctx.config), render: new Tts({ cacheDir: path.join(ctx.config.dataDir, 'tts') }).render };
  return { provider: new SimulatedProvider({ clock: realClock(ctx.config.clock), maxChannels: 60 }), render: silentRenderer };
}
