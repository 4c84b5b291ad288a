import { describe, expect, it } from 'vitest';
import { DEFAULT_SCRIPTS, defaultScript } from './default-scripts';
import { runScript } from './runner';
import type { CallScript, CallSession } from './types';

/** A session that answers each question with the next key of `keys` (after the prompt, as a caller would). */
function keyedSession(keys: string[]): CallSession {
  let hung: () => void = () => {};
  const ended = new Promise<{ by: 'local' | 'remote'; at: Date }>((r) => (hung = () => r({ by: 'local', at: new Date() })));
  return {
    id: 't', remote: 'test', direction: 'outbound', answeredAt: new Date(), ended,
    play: async () => ({ hungUp: false, interrupted: false }),
    nextDigit: async () => keys.shift() ?? null,
    clearDigits: () => {},
    hangup: async () => hung(),
  };
}

const run = (s: CallScript, keys: string[]) => runScript(keyedSession(keys), s, { render: async () => Buffer.alloc(0), vars: { name: 'An' } });

describe('default call scripts', () => {
  it('every state named by a script exists and every state is reachable', () => {
    for (const s of DEFAULT_SCRIPTS) {
      const seen = new Set<string>();
      const todo = [s.start];
      while (todo.length) {
        const n = todo.pop()!;
        if (seen.has(n)) continue;
        const st = s.states[n];
        expect(st, `${s.name}: ${n}`).toBeDefined();
        seen.add(n);
        if (st!.kind === 'say') todo.push(st!.next);
        if (st!.kind === 'ask') todo.push(...Object.values(st!.branches), st!.noInput);
      }
      expect([...seen].sort(), s.name).toEqual(Object.keys(s.states).sort());
    }
  });

  it('daily health check: a single symptom makes the caller symptomatic, none does not', async () => {
    const s = defaultScript('daily-health-check')!;
    const well = await run(s, ['1', '2', '2', '2', '2', '1']);
    expect(well).toMatchObject({ outcome: 'completed', set: { symptomatic: false } });
    expect(well.answers).toEqual({ identity: '1', fever: '2', cough: '2', breathing: '2', taste_smell: '2', at_address: '1' });
    const sick = await run(s, ['1', '2', '1', '2', '2', '1']);
    expect(sick).toMatchObject({ outcome: 'completed', set: { symptomatic: true }, answers: { cough: '1', taste_smell: '2' } });
    expect(await run(s, ['2'])).toMatchObject({ outcome: 'wrong-person' });
  });

  it('hotline: national id up to # then the symptoms', async () => {
    const s = defaultScript('hotline-self-report-en')!;
    const r = await run(s, [...'001099012345', '2', '2', '1', '2']);
    expect(r).toMatchObject({ outcome: 'completed', answers: { national_id: '001099012345', breathing: '1' }, set: { symptomatic: true } });
  });
});

describe('default scripts: names people read', () => {
  it('every default script has its name in both languages, and migration 0004 gives stored ones the same', async () => {
    const fs = await import('node:fs');
    const sqlText = fs.readFileSync(new URL('./migrations/0004_script_titles.sql', import.meta.url), 'utf8');
    const stored = new Map([...sqlText.matchAll(/\('([a-z-]+)', '(\{[^']+\})'::jsonb\)/g)].map((m) => [m[1]!, JSON.parse(m[2]!)]));
    for (const s of DEFAULT_SCRIPTS) {
      expect(s.title?.vi, s.name).toMatch(/\S/);
      expect(s.title?.en, s.name).toMatch(/\S/);
      expect(s.title?.vi).not.toBe(s.name);
      expect(stored.get(s.name), s.name).toEqual(s.title);
    }
    expect(stored.size).toBe(DEFAULT_SCRIPTS.length);
  });
});
