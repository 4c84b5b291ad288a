// The data model of configurable forms and risk rules, and the pure condition evaluator shared by
// question visibility (visibleIf) and risk rules. No database, no HTTP.

export interface Localized {
  vi: string;
  en: string;
}

export const QUESTION_TYPES = ['boolean', 'single', 'multi', 'text', 'date', 'number', 'country', 'commune'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

export const FORM_KINDS = ['domestic', 'entry', 'venue'] as const;
export type FormKind = (typeof FORM_KINDS)[number];

export const SEVERITIES = ['low', 'medium', 'high'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const severityRank = (s: Severity | null | undefined) => (s ? SEVERITIES.indexOf(s) + 1 : 0);

export interface QuestionOption {
  value: string;
  label: Localized;
  /**
   * Offered only when declaring at a venue of one of these types (venues' VENUE_TYPES), e.g. "medical treatment"
   * at hospitals and clinics; when the venue is not known (no venue QR), every option is offered.
   */
  venueTypes?: string[];
}

export interface Question {
  /** answer key: answers.<key> */
  key: string;
  type: QuestionType;
  label: Localized;
  help?: Localized;
  required?: boolean;
  /** single / multi */
  options?: QuestionOption[];
  /** country / commune: a list of codes instead of one */
  multiple?: boolean;
  /** number */
  min?: number;
  max?: number;
  integer?: boolean;
  /** number: at most this many digits after the decimal point (temperature: 1) */
  decimals?: number;
  /** number: unit shown after the field, e.g. "°C" */
  unit?: string;
  /** text */
  maxLength?: number;
  /** date: how far back / ahead of today the date may be (days) */
  pastDays?: number;
  futureDays?: number;
  /** shown (and validated) only when this holds over the other answers */
  visibleIf?: Condition;
  /** optional heading: questions with the same section are grouped */
  section?: Localized;
}

export interface FormDefinition {
  kind: FormKind;
  title: Localized;
  description?: Localized | null;
  /** key of a single, required commune question whose answer decides the responsible unit (entry: quarantine place) */
  unitQuestion?: string | null;
  questions: Question[];
}

export type AnswerValue = boolean | number | string | string[];
export type Answers = Record<string, AnswerValue>;

/**
 * A condition over answers.
 * - all / any / not: combinators
 * - equals: the answer equals the value (for lists: contains it)
 * - includes: a list answer contains any of the values (a single answer is one of them)
 * - truthy: the answer is true / a non-empty text or list / a non-zero number (truthy:false = the opposite)
 * - inZone: an administrative-unit or country answer lies inside a configured zone list (a commune inside a
 *   red-zone province counts)
 * - gte / lte: a number answer is ≥ / ≤ the value
 */
export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | { q: string; equals: string | number | boolean }
  | { q: string; includes: string | string[] }
  | { q: string; truthy: boolean }
  | { q: string; inZone: string }
  | { q: string; gte: number }
  | { q: string; lte: number };

export interface EvalContext {
  /** zone key → codes (admin units or countries) */
  zones: Record<string, ReadonlySet<string>>;
  /** code → the code and all its ancestors (a commune → its district, province, country) */
  ancestors: (code: string) => readonly string[];
}

export const emptyContext: EvalContext = { zones: {}, ancestors: (c) => [c] };

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function truthy(v: AnswerValue | undefined): boolean {
  if (v === undefined || v === null) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'string') return v.trim() !== '';
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  return v === true;
}

/** Evaluates a (structurally valid) condition over answers. Unknown or missing answers are false, never errors. */
export function evaluate(c: Condition, answers: Answers, ctx: EvalContext = emptyContext): boolean {
  if ('all' in c) return c.all.every((x) => evaluate(x, answers, ctx));
  if ('any' in c) return c.any.some((x) => evaluate(x, answers, ctx));
  if ('not' in c) return !evaluate(c.not, answers, ctx);
  const v = answers[c.q];
  if ('truthy' in c) return truthy(v) === c.truthy;
  if (v === undefined) return false;
  if ('equals' in c) return Array.isArray(v) ? v.includes(String(c.equals)) : v === c.equals;
  if ('includes' in c) {
    const wanted = Array.isArray(c.includes) ? c.includes : [c.includes];
    const have = Array.isArray(v) ? v : [v];
    return have.some((x) => wanted.includes(String(x)));
  }
  if ('inZone' in c) {
    const zone = ctx.zones[c.inZone];
    if (!zone || zone.size === 0) return false;
    const codes = Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
    return codes.some((code) => ctx.ancestors(code).some((a) => zone.has(a)));
  }
  if ('gte' in c) return typeof v === 'number' && v >= c.gte;
  if ('lte' in c) return typeof v === 'number' && v <= c.lte;
  return false;
}

/** Question keys a condition reads. */
export function conditionKeys(c: Condition, out = new Set<string>()): Set<string> {
  if ('all' in c) c.all.forEach((x) => conditionKeys(x, out));
  else if ('any' in c) c.any.forEach((x) => conditionKeys(x, out));
  else if ('not' in c) conditionKeys(c.not, out);
  else out.add(c.q);
  return out;
}

/** Zone keys a condition uses. */
export function conditionZones(c: Condition, out = new Set<string>()): Set<string> {
  if ('all' in c) c.all.forEach((x) => conditionZones(x, out));
  else if ('any' in c) c.any.forEach((x) => conditionZones(x, out));
  else if ('not' in c) conditionZones(c.not, out);
  else if ('inZone' in c) out.add(c.inZone);
  return out;
}

const KEY_RE = /^[a-z][a-z0-9_]{0,39}$/;
const OPS = ['equals', 'includes', 'truthy', 'inZone', 'gte', 'lte'] as const;

/**
 * Structural problems of an untrusted condition (from an API body), each with a path like
 * 'body.condition.all.1.q'. Empty when valid. Depth and size are bounded.
 */
export function conditionProblems(c: unknown, path: string, depth = 0, budget = { nodes: 0 }): { path: string; message: string }[] {
  if (++budget.nodes > 200) return [{ path, message: 'is too large (at most 200 nodes)' }];
  if (depth > 8) return [{ path, message: 'is nested too deeply (at most 8 levels)' }];
  if (!isObj(c)) return [{ path, message: 'must be an object' }];
  const keys = Object.keys(c);
  for (const comb of ['all', 'any'] as const) {
    if (comb in c) {
      if (keys.length !== 1) return [{ path, message: `"${comb}" must be the only property` }];
      const list = c[comb];
      if (!Array.isArray(list) || list.length === 0 || list.length > 50) return [{ path: `${path}.${comb}`, message: 'must be a list of 1–50 conditions' }];
      return list.flatMap((x, i) => conditionProblems(x, `${path}.${comb}.${i}`, depth + 1, budget));
    }
  }
  if ('not' in c) {
    if (keys.length !== 1) return [{ path, message: '"not" must be the only property' }];
    return conditionProblems(c.not, `${path}.not`, depth + 1, budget);
  }
  if (typeof c.q !== 'string' || !KEY_RE.test(c.q)) return [{ path: `${path}.q`, message: 'must be a question key' }];
  const ops = OPS.filter((o) => o in c);
  if (ops.length !== 1 || keys.length !== 2)
    return [{ path, message: `must have "q" and exactly one of ${OPS.join(', ')} (or be all / any / not)` }];
  const op = ops[0]!;
  const v = c[op];
  const bad = (message: string) => [{ path: `${path}.${op}`, message }];
  switch (op) {
    case 'equals':
      return ['string', 'number', 'boolean'].includes(typeof v) ? [] : bad('must be a text, number or true/false');
    case 'includes':
      return typeof v === 'string' || (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string')) ? [] : bad('must be a text or a non-empty list of texts');
    case 'truthy':
      return typeof v === 'boolean' ? [] : bad('must be true or false');
    case 'inZone':
      return typeof v === 'string' && KEY_RE.test(v) ? [] : bad('must be a zone list key');
    case 'gte':
    case 'lte':
      return typeof v === 'number' && Number.isFinite(v) ? [] : bad('must be a number');
  }
}

export interface RiskRule {
  key: string;
  name: Localized;
  /** form kinds the rule applies to; empty = every kind */
  formKinds: FormKind[];
  condition: Condition;
  severity: Severity;
}

export interface RiskHit {
  key: string;
  name: Localized;
  severity: Severity;
}

/** Rules that hold for these answers, highest severity first, and the highest severity (null = not flagged). */
export function evaluateRules(rules: readonly RiskRule[], kind: FormKind, answers: Answers, ctx: EvalContext = emptyContext) {
  const hits: RiskHit[] = rules
    .filter((r) => r.formKinds.length === 0 || r.formKinds.includes(kind))
    .filter((r) => evaluate(r.condition, answers, ctx))
    .map((r) => ({ key: r.key, name: r.name, severity: r.severity }))
    .sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.key.localeCompare(b.key));
  return { hits, severity: hits[0]?.severity ?? null };
}
