// Semantic checks of a call script before it is saved (its shape is checked by the TypeBox schema first):
// every target exists, every state is reachable from the start, every state can still reach an end (no loop
// without exit), every allowed key of a question has a branch. Each problem names the state.
import type { CallScript, ScriptState } from './types';

export interface ScriptProblem {
  path: string;
  message: string;
}

const KEYS = /^[0-9*#]+$/;

function targets(s: ScriptState): { via: string; to: string }[] {
  if (s.kind === 'say') return [{ via: 'next', to: s.next }];
  if (s.kind === 'ask') return [...Object.entries(s.branches).map(([k, to]) => ({ via: `branches.${k}`, to })), { via: 'noInput', to: s.noInput }];
  return [];
}

export function checkScript(script: CallScript, base = 'body'): ScriptProblem[] {
  const problems: ScriptProblem[] = [];
  const at = (state: string, field?: string) => `${base}.states.${state}${field ? `.${field}` : ''}`;
  const names = Object.keys(script.states);
  if (!script.states[script.start]) problems.push({ path: `${base}.start`, message: `names no state ("${script.start}")` });

  for (const [name, s] of Object.entries(script.states)) {
    for (const t of targets(s)) if (!script.states[t.to]) problems.push({ path: at(name, t.via), message: `state "${name}" leads to a state that does not exist ("${t.to}")` });
    if (s.kind !== 'ask') continue;
    if (!KEYS.test(s.digits)) problems.push({ path: at(name, 'digits'), message: `state "${name}": allowed keys must be 0-9, * or #` });
    if (s.terminator && s.digits.includes(s.terminator)) problems.push({ path: at(name, 'terminator'), message: `state "${name}": the terminator cannot also be an answer key` });
    if (s.terminator) {
      if (!s.branches['*']) problems.push({ path: at(name, 'branches'), message: `state "${name}": a multi-key answer needs a "*" branch` });
      continue;
    }
    for (const k of Object.keys(s.branches))
      if (k !== '*' && !s.digits.includes(k)) problems.push({ path: at(name, `branches.${k}`), message: `state "${name}": key "${k}" is not an allowed key` });
    if (!s.branches['*'])
      for (const d of s.digits) if (!s.branches[d]) problems.push({ path: at(name, 'branches'), message: `state "${name}": key "${d}" has no branch` });
  }
  if (problems.length) return problems; // reachability needs a well-linked graph

  // reachable from the start
  const seen = new Set<string>();
  const stack = [script.start];
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    for (const t of targets(script.states[n]!)) stack.push(t.to);
  }
  for (const n of names) if (!seen.has(n)) problems.push({ path: at(n), message: `state "${n}" cannot be reached from the start` });

  // every state reaches an end (reverse search from the end states)
  const into = new Map<string, string[]>();
  for (const n of names) for (const t of targets(script.states[n]!)) into.set(t.to, [...(into.get(t.to) ?? []), n]);
  const exits = new Set<string>();
  const queue = names.filter((n) => script.states[n]!.kind === 'end');
  if (!queue.length) problems.push({ path: `${base}.states`, message: 'the script has no end state' });
  while (queue.length) {
    const n = queue.pop()!;
    if (exits.has(n)) continue;
    exits.add(n);
    queue.push(...(into.get(n) ?? []));
  }
  for (const n of names) if (seen.has(n) && !exits.has(n)) problems.push({ path: at(n), message: `state "${n}" is in a loop without exit (no end state can be reached from it)` });
  return problems;
}
