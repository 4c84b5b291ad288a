// `vigil calls dial --to <sip-uri|phone> --script <name> [--provider sip|simulated] --json`: places one call, runs
// the script over it and prints { disposition, sip_code, answers, duration_s }.
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config';
import type { CallProvider, CallScript, Disposition } from './types';
import { runScript } from './runner';
import { defaultScript, DEFAULT_SCRIPTS } from './default-scripts';
import { Tts } from './tts';
import { sipProviderFromConfig } from './sip/from-config';

export class DialUsageError extends Error {}

/** Providers `--provider` may name. The simulated one is registered by the module that builds it. */
const providerFactories = new Map<string, (config: Config) => CallProvider>([['sip', (config) => sipProviderFromConfig(config)]]);

export function registerDialProvider(name: string, factory: (config: Config) => CallProvider): void {
  providerFactories.set(name, factory);
}

export interface DialCommandOptions {
  to: string;
  script: string;
  provider?: string;
  /** `{name}`, `{date}`... of the script */
  vars?: Record<string, string>;
  ringTimeoutS?: number;
}

export interface DialOutcome {
  disposition: Disposition;
  sip_code: number | null;
  answers: Record<string, string>;
  duration_s: number;
  /** the script's end (completed, wrong-person, incomplete, message, hung-up), when answered */
  outcome?: string;
  /** follow-up fields the end state set, e.g. symptomatic */
  set?: Record<string, string | number | boolean>;
  reason?: string;
}

/** A default script by name, or a script file (JSON) by path. */
export function loadScript(nameOrPath: string): CallScript {
  const found = defaultScript(nameOrPath);
  if (found) return found;
  if (/[/\\]|\.json$/i.test(nameOrPath)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(path.resolve(nameOrPath), 'utf8'));
    } catch (e) {
      throw new DialUsageError(`--script: cannot read ${nameOrPath}: ${(e as Error).message}`);
    }
    const s = parsed as CallScript;
    if (!s || typeof s !== 'object' || typeof s.start !== 'string' || !s.states || !s.states[s.start]) throw new DialUsageError(`--script: ${nameOrPath} is not a call script (start, states)`);
    if (s.language !== 'vi' && s.language !== 'en') throw new DialUsageError('--script: language must be vi or en');
    return s;
  }
  throw new DialUsageError(`--script: no script "${nameOrPath}" (default scripts: ${DEFAULT_SCRIPTS.map((x) => x.name).join(', ')})`);
}

export async function dialCommand(config: Config, opts: DialCommandOptions): Promise<DialOutcome> {
  const script = loadScript(opts.script);
  const factory = providerFactories.get(opts.provider ?? 'sip');
  if (!factory) throw new DialUsageError(`--provider: unknown provider "${opts.provider}" (available: ${[...providerFactories.keys()].join(', ')})`);
  if (!opts.to.trim()) throw new DialUsageError('--to: a phone number or sip: URI is required');
  const provider = factory(config);
  const tts = new Tts({ cacheDir: path.join(config.dataDir, 'tts') });
  const vars = { name: script.language === 'vi' ? 'người nhận cuộc gọi' : 'the person called', ...(opts.vars ?? {}) };
  await provider.start();
  try {
    const dialled = await provider.dial(opts.to, { ringTimeoutMs: (opts.ringTimeoutS ?? config.sipRingTimeoutSeconds) * 1000 });
    if (!dialled.session) {
      return { disposition: dialled.disposition === 'answered' ? 'failed' : dialled.disposition, sip_code: dialled.sipCode, answers: {}, duration_s: 0, ...(dialled.reason ? { reason: dialled.reason } : {}) };
    }
    const session = dialled.session;
    const result = await runScript(session, script, { render: tts.render, vars });
    await session.hangup();
    const end = await session.ended;
    return {
      disposition: result.outcome === 'hung-up' || result.outcome === 'incomplete' ? 'incomplete' : 'completed',
      sip_code: dialled.sipCode,
      answers: result.answers,
      duration_s: Math.round((end.at.getTime() - session.answeredAt.getTime()) / 100) / 10,
      outcome: result.outcome,
      set: result.set,
    };
  } finally {
    await provider.close();
  }
}

/** Human-readable line for the non-JSON output. */
export function dialText(o: DialOutcome): string {
  const answers = Object.entries(o.answers).map(([k, v]) => `${k}=${v}`).join(' ');
  return `${o.disposition} (SIP ${o.sip_code ?? '—'}) ${o.duration_s} s${answers ? `  ${answers}` : ''}${o.reason ? `  (${o.reason})` : ''}`;
}
