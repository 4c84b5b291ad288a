// The call provider an app uses (VIGIL_CALLS_PROVIDER). The telephony side adds its providers here (sip, twiml);
// the simulated one answers with personas on the wall clock (development, demo).
import type { AppContext } from '../../platform/module';
import { realClock } from './clock';
import { silentRenderer } from './sim-render';
import { SimulatedProvider } from './simulated';
import type { CallProvider, PromptRenderer } from './types';

export interface ProviderSetup {
  provider: CallProvider;
  render: PromptRenderer;
}

export function createCallProvider(ctx: AppContext): ProviderSetup {
  return { provider: new SimulatedProvider({ clock: realClock(ctx.config.clock), maxChannels: 60 }), render: silentRenderer };
}
