// Runs a call script over an answered call: plays each prompt, collects keys, branches, and returns the answers.
// The same runner drives SIP calls, simulated calls and inbound hotline calls.
import type { CallScript, CallSession, PromptRenderer, ScriptResult, ScriptState } from './types';

/** Fill `{var}` placeholders; unknown variables stay visible so a script author notices them. */
export function fillText(text: string, vars: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

const MAX_STEPS = 200; // scripts are checked for loops on save; this only guards a run against a bad stored one

export async function runScript(
  session: CallSession,
  script: CallScript,
  opts: { render: PromptRenderer; vars?: Record<string, string | number>; interDigitTimeoutMs?: number },
): Promise<ScriptResult> {
  const vars = opts.vars ?? {};
  const answers: Record<string, string> = {};
  const path: string[] = [];
  const say = async (text: string, bargeIn: boolean) => {
    const audio = await opts.render(fillText(text, vars), { language: script.language, voice: script.voice, template: text, vars });
    return session.play(audio, { bargeIn });
  };
  const hungUp = (): ScriptResult => ({ outcome: 'hung-up', answers, set: {}, path, endState: null });

  let name = script.start;
  for (let step = 0; step < MAX_STEPS; step++) {
    const state: ScriptState | undefined = script.states[name];
    if (!state) throw new Error(`script ${script.name}: no state ${name}`);
    path.push(name);
    if (state.kind === 'end') {
      if (state.text) await say(state.text, false);
      return { outcome: state.outcome, answers, set: { ...(state.set ?? {}) }, path, endState: name };
    }
    if (state.kind === 'say') {
      if ((await say(state.text, false)).hungUp) return hungUp();
      name = state.next;
      continue;
    }
    // ask: prompt (keys may interrupt it), then collect one key or keys up to the terminator
    let answer: string | null = null;
    for (let attempt = 0; attempt <= state.retries && answer === null; attempt++) {
      session.clearDigits();
      const played = await say(attempt > 0 && state.invalidText ? `${state.invalidText} ${state.text}` : state.text, true);
      if (played.hungUp) return hungUp();
      const got = await collect(session, state, opts.interDigitTimeoutMs ?? 4000);
      if (got === 'hangup') return hungUp();
      if (got !== null) answer = got;
    }
    if (answer === null) {
      name = state.noInput;
      continue;
    }
    answers[state.field] = answer;
    name = state.branches[answer] ?? state.branches['*'] ?? state.noInput;
  }
  throw new Error(`script ${script.name}: more than ${MAX_STEPS} steps`);
}

/** One answer: a single allowed key, or allowed keys up to the terminator / maxDigits. null = none or invalid. */
async function collect(
  session: CallSession,
  state: Extract<ScriptState, { kind: 'ask' }>,
  interDigitTimeoutMs: number,
): Promise<string | null | 'hangup'> {
  const first = await session.nextDigit(state.timeoutMs, { digits: state.digits, terminator: state.terminator, maxDigits: state.maxDigits });
  if (first === null) return (await isEnded(session)) ? 'hangup' : null;
  if (!state.terminator) return state.digits.includes(first) ? first : null;
  let buf = '';
  let d: string | null = first;
  while (d !== null && d !== state.terminator) {
    if (!state.digits.includes(d)) return null;
    buf += d;
    if (state.maxDigits && buf.length >= state.maxDigits) break;
    d = await session.nextDigit(interDigitTimeoutMs);
  }
  if (d === null && (await isEnded(session))) return 'hangup';
  return buf.length > 0 ? buf : null;
}

async function isEnded(session: CallSession): Promise<boolean> {
  return Promise.race([session.ended.then(() => true), Promise.resolve(false)]);
}
