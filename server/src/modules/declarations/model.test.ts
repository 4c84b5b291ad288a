import { describe, expect, it } from 'vitest';
import { conditionKeys, conditionProblems, evaluate, evaluateRules, type Condition, type EvalContext, type RiskRule } from './model';
import { STANDARD_RULES } from './standard-forms';

// a tiny unit tree: VN > 79 (HCMC) > 760 (Quận 1) > 26734 ; VN > 40 > 412 > 16681
const PARENT: Record<string, string> = { '79': 'VN', '760': '79', '26734': '760', '40': 'VN', '412': '40', '16681': '412' };
const ancestors = (code: string) => {
  const out = [code];
  let c = code;
  while (PARENT[c]) out.push((c = PARENT[c]!));
  return out;
};
const ctx: EvalContext = { zones: { red: new Set(['79']), countries: new Set(['IN']) }, ancestors };

describe('evaluate', () => {
  const fever = { q: 'fever', truthy: true } as const;
  const cough = { q: 'cough', truthy: true } as const;

  it('all / any / not', () => {
    const both: Condition = { all: [fever, cough] };
    expect(evaluate(both, { fever: true, cough: true })).toBe(true);
    expect(evaluate(both, { fever: true, cough: false })).toBe(false);
    expect(evaluate(both, { fever: true })).toBe(false);
    expect(evaluate({ any: [fever, cough] }, { fever: false, cough: true })).toBe(true);
    expect(evaluate({ any: [fever, cough] }, {})).toBe(false);
    expect(evaluate({ not: fever }, { fever: false })).toBe(true);
    expect(evaluate({ not: { all: [fever, cough] } }, { fever: true, cough: true })).toBe(false);
  });

  it('equals, on single values and on lists', () => {
    expect(evaluate({ q: 'contact_f0', equals: true }, { contact_f0: true })).toBe(true);
    expect(evaluate({ q: 'contact_f0', equals: true }, { contact_f0: false })).toBe(false);
    expect(evaluate({ q: 'transport', equals: 'air' }, { transport: 'air' })).toBe(true);
    expect(evaluate({ q: 'symptoms', equals: 'ho' }, { symptoms: ['sot', 'ho'] })).toBe(true);
    expect(evaluate({ q: 'n', equals: 2 }, { n: 2 })).toBe(true);
    expect(evaluate({ q: 'n', equals: 2 }, { n: '2' })).toBe(false);
    expect(evaluate({ q: 'missing', equals: 'x' }, {})).toBe(false);
  });

  it('includes: any of the values', () => {
    expect(evaluate({ q: 'symptoms', includes: ['sot', 'kho_tho'] }, { symptoms: ['ho', 'kho_tho'] })).toBe(true);
    expect(evaluate({ q: 'symptoms', includes: ['sot'] }, { symptoms: ['ho'] })).toBe(false);
    expect(evaluate({ q: 'purpose', includes: ['treatment', 'visit_patient'] }, { purpose: 'treatment' })).toBe(true);
    expect(evaluate({ q: 'purpose', includes: 'work' }, { purpose: 'treatment' })).toBe(false);
  });

  it('truthy and its opposite', () => {
    for (const v of [true, 'x', ['a'], 3]) expect(evaluate({ q: 'a', truthy: true }, { a: v })).toBe(true);
    for (const v of [false, '', [], 0]) expect(evaluate({ q: 'a', truthy: true }, { a: v })).toBe(false);
    expect(evaluate({ q: 'a', truthy: false }, {})).toBe(true);
    expect(evaluate({ q: 'negative_test', truthy: false }, { negative_test: false })).toBe(true);
  });

  it('inZone matches a unit inside a zone unit, and countries', () => {
    expect(evaluate({ q: 'places', inZone: 'red' }, { places: ['16681', '26734'] }, ctx)).toBe(true); // a Quận 1 ward
    expect(evaluate({ q: 'places', inZone: 'red' }, { places: ['79'] }, ctx)).toBe(true);
    expect(evaluate({ q: 'places', inZone: 'red' }, { places: ['16681', '412'] }, ctx)).toBe(false);
    expect(evaluate({ q: 'place', inZone: 'red' }, { place: '760' }, ctx)).toBe(true);
    expect(evaluate({ q: 'origin', inZone: 'countries' }, { origin: 'IN' }, ctx)).toBe(true);
    expect(evaluate({ q: 'origin', inZone: 'countries' }, { origin: 'JP' }, ctx)).toBe(false);
    // an unknown or empty zone never matches
    expect(evaluate({ q: 'places', inZone: 'nope' }, { places: ['79'] }, ctx)).toBe(false);
  });

  it('gte / lte on numbers only', () => {
    expect(evaluate({ q: 'temperature', gte: 37.5 }, { temperature: 38.2 })).toBe(true);
    expect(evaluate({ q: 'temperature', gte: 37.5 }, { temperature: 37.4 })).toBe(false);
    expect(evaluate({ q: 'temperature', gte: 37.5 }, { temperature: '39' })).toBe(false);
    expect(evaluate({ q: 'age', lte: 5 }, { age: 5 })).toBe(true);
  });

  it('lists the question keys a condition reads', () => {
    expect([...conditionKeys({ all: [{ q: 'a', truthy: true }, { not: { any: [{ q: 'b', equals: 1 }, { q: 'a', gte: 2 }] } }] })]).toEqual(['a', 'b']);
  });
});

describe('conditionProblems', () => {
  it('accepts valid trees', () => {
    expect(conditionProblems({ all: [{ q: 'fever', truthy: true }, { any: [{ q: 'x', includes: ['a'] }, { not: { q: 'y', inZone: 'red_zones' } }] }] }, 'body.condition')).toEqual([]);
  });
  it('names the broken node', () => {
    expect(conditionProblems({ all: [{ q: 'fever', truthy: 'yes' }] }, 'body.condition')).toEqual([{ path: 'body.condition.all.0.truthy', message: 'must be true or false' }]);
    expect(conditionProblems({ all: [] }, 'c')[0]!.path).toBe('c.all');
    expect(conditionProblems({ q: 'Fever', truthy: true }, 'c')[0]!.path).toBe('c.q');
    expect(conditionProblems({ q: 'a', truthy: true, equals: 1 }, 'c')[0]!.message).toMatch(/exactly one/);
    expect(conditionProblems({ all: [{ q: 'a', truthy: true }], any: [] }, 'c')[0]!.message).toMatch(/only property/);
    expect(conditionProblems('x', 'c')[0]!.message).toBe('must be an object');
  });
  it('bounds depth and size', () => {
    let deep: unknown = { q: 'a', truthy: true };
    for (let i = 0; i < 12; i++) deep = { not: deep };
    expect(conditionProblems(deep, 'c')[0]!.message).toMatch(/deeply/);
    const wide = { any: Array.from({ length: 50 }, () => ({ all: Array.from({ length: 5 }, () => ({ q: 'a', truthy: true })) })) };
    expect(conditionProblems(wide, 'c')[0]!.message).toMatch(/too large/);
  });
});

describe('evaluateRules', () => {
  const rules: RiskRule[] = [
    { key: 'fever_cough', name: { vi: 'Sốt kèm ho', en: 'Fever with cough' }, formKinds: [], condition: { all: [{ q: 'fever', truthy: true }, { q: 'cough', truthy: true }] }, severity: 'medium' },
    { key: 'f0', name: { vi: 'F0', en: 'F0' }, formKinds: [], condition: { q: 'contact_f0', equals: true }, severity: 'high' },
    { key: 'entry_only', name: { vi: 'x', en: 'x' }, formKinds: ['entry'], condition: { q: 'fever', truthy: true }, severity: 'low' },
  ];
  it('returns hits sorted by severity and the highest severity', () => {
    const r = evaluateRules(rules, 'domestic', { fever: true, cough: true, contact_f0: true }, ctx);
    expect(r.hits.map((h) => h.key)).toEqual(['f0', 'fever_cough']);
    expect(r.severity).toBe('high');
  });
  it('applies rules only to their form kinds', () => {
    expect(evaluateRules(rules, 'domestic', { fever: true }, ctx)).toEqual({ hits: [], severity: null });
    expect(evaluateRules(rules, 'entry', { fever: true }, ctx).hits.map((h) => h.key)).toEqual(['entry_only']);
  });
  it('the standard rules: a healthy declaration is not flagged, risky answers are', () => {
    const healthy = { travel_14d: false, fever: false, cough: false, shortness_of_breath: false, sore_throat: false, loss_of_taste_smell: false, contact_f0: false, contact_from_outbreak: false, contact_symptoms: false };
    const zones: EvalContext = { zones: { red_zones: new Set(['79']) }, ancestors };
    expect(evaluateRules(STANDARD_RULES, 'domestic', healthy, zones).severity).toBeNull();
    expect(evaluateRules(STANDARD_RULES, 'domestic', { ...healthy, travel_14d: true, travel_places: ['26734'] }, zones).hits[0]!.key).toBe('red_zone_travel');
    expect(evaluateRules(STANDARD_RULES, 'domestic', { ...healthy, fever: true, cough: true }, zones).hits.map((h) => h.key)).toEqual(['fever_and_cough', 'respiratory_symptoms']);
    expect(evaluateRules(STANDARD_RULES, 'domestic', { ...healthy, temperature: 38, cough: true }, zones).hits.map((h) => h.key)).toEqual([
      'fever_and_cough',
      'high_temperature',
      'respiratory_symptoms',
    ]);
    expect(evaluateRules(STANDARD_RULES, 'domestic', { ...healthy, contact_f0: true }, zones).severity).toBe('high');
  });
});

describe('follow-up workflow', () => {
  it('moves through called / referred / cleared and back', async () => {
    const { nextStatus, allowedActions } = await import('./workflow');
    expect(nextStatus('open', 'called')).toBe('called');
    expect(nextStatus('called', 'called')).toBe('called');
    expect(nextStatus('called', 'referred')).toBe('referred');
    expect(nextStatus('referred', 'cleared')).toBe('cleared');
    expect(nextStatus('cleared', 'reopened')).toBe('open');
    expect(nextStatus('open', 'reopened')).toBeNull();
    expect(nextStatus('cleared', 'called')).toBeNull();
    expect(nextStatus('none', 'called')).toBeNull();
    expect(allowedActions('cleared')).toEqual(['reopened']);
  });
});
