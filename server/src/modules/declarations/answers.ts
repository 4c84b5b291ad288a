// Validation of answers against a form version, and of form definitions themselves. Pure: the caller resolves
// administrative-unit codes beforehand and passes "today" in the deployment time zone.
import type { ErrorDetail } from '../../platform/http/errors';
import { VENUE_TYPES } from '../venues';
import { addDays } from '../../platform/time';
import { isCountryCode } from './countries';
import {
  conditionKeys,
  conditionProblems,
  evaluate,
  FORM_KINDS,
  QUESTION_TYPES,
  type AnswerValue,
  type Answers,
  type Condition,
  type FormDefinition,
  type Question,
  type QuestionOption,
} from './model';

export interface AnswerCheckContext {
  /** 'YYYY-MM-DD' in the deployment time zone */
  today: string;
  /** administrative-unit codes known to exist (from unitCodesIn → resolver) */
  knownUnits: ReadonlySet<string>;
  /** path prefix of errors; default 'body.answers' */
  prefix?: string;
  /** the type of the venue declared at (its signed QR), when there is one: options limited to venue types follow it */
  venueType?: string | null;
}

/** Whether an option is offered at this venue type (every option when the venue is not known). */
export function optionOffered(o: QuestionOption, venueType: string | null | undefined): boolean {
  return !o.venueTypes || !venueType || o.venueTypes.includes(venueType);
}

/** Whether `v` has at most `decimals` digits after the decimal point (38.5 has 1; 38.55 has 2). */
export function hasAtMostDecimals(v: number, decimals: number): boolean {
  const scaled = v * 10 ** decimals;
  return Math.abs(scaled - Math.round(scaled)) <= 1e-9 * Math.max(1, Math.abs(scaled));
}

export const DEFAULT_TEXT_MAX = 1000;
const MAX_LIST = 50;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Administrative-unit codes in the answers to commune questions (to resolve before validating). */
export function unitCodesIn(form: FormDefinition, raw: unknown): string[] {
  if (!isObj(raw)) return [];
  const out = new Set<string>();
  for (const q of form.questions) {
    if (q.type !== 'commune') continue;
    const v = raw[q.key];
    for (const x of Array.isArray(v) ? v : [v]) if (typeof x === 'string' && x.length <= 32) out.add(x.trim());
  }
  return [...out];
}

function isIsoDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

const isMissing = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0);

/** The questions shown for these answers (visibleIf evaluated over the answers given). */
export function visibleQuestions(form: FormDefinition, answers: Answers): Question[] {
  return form.questions.filter((q) => !q.visibleIf || evaluate(q.visibleIf, answers));
}

/**
 * Checks answers against a form version. Returns the clean answers (trimmed, hidden questions dropped) and every
 * problem, each naming `answers.<questionKey>`.
 */
export function validateAnswers(form: FormDefinition, raw: unknown, ctx: AnswerCheckContext): { answers: Answers; problems: ErrorDetail[] } {
  const prefix = ctx.prefix ?? 'body.answers';
  const problems: ErrorDetail[] = [];
  if (!isObj(raw)) return { answers: {}, problems: [{ path: prefix, message: 'must be an object of answers' }] };
  const byKey = new Map(form.questions.map((q) => [q.key, q]));
  for (const key of Object.keys(raw)) {
    if (!byKey.has(key)) problems.push({ path: `${prefix}.${key}`, message: 'is not a question of this form' });
  }
  const given = raw as Answers;
  const answers: Answers = {};
  for (const q of form.questions) {
    // visibility follows the answers already accepted, in form order (a question depends on earlier ones)
    if (q.visibleIf && !evaluate(q.visibleIf, answers)) continue;
    const path = `${prefix}.${q.key}`;
    const v = given[q.key] as unknown;
    if (isMissing(v)) {
      if (q.required) problems.push({ path, message: 'is required' });
      continue;
    }
    const r = checkValue(q, v, ctx);
    if (typeof r === 'string') problems.push({ path, message: r });
    else answers[q.key] = r.value;
  }
  return { answers, problems };
}

function checkValue(q: Question, v: unknown, ctx: AnswerCheckContext): string | { value: AnswerValue } {
  switch (q.type) {
    case 'boolean':
      return typeof v === 'boolean' ? { value: v } : 'must be true or false';
    case 'single': {
      const values = (q.options ?? []).filter((o) => optionOffered(o, ctx.venueType)).map((o) => o.value);
      return typeof v === 'string' && values.includes(v) ? { value: v } : `must be one of: ${values.join(', ')}`;
    }
    case 'multi': {
      const values = (q.options ?? []).filter((o) => optionOffered(o, ctx.venueType)).map((o) => o.value);
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && values.includes(x))) return `must be a list of: ${values.join(', ')}`;
      return { value: [...new Set(v as string[])] };
    }
    case 'text': {
      if (typeof v !== 'string') return 'must be text';
      const s = v.trim();
      const max = q.maxLength ?? DEFAULT_TEXT_MAX;
      return s.length > max ? `must be at most ${max} characters` : { value: s };
    }
    case 'date': {
      if (typeof v !== 'string' || !isIsoDate(v)) return 'must be a date (YYYY-MM-DD)';
      if (q.pastDays !== undefined && v < addDays(ctx.today, -q.pastDays)) return `must be within the last ${q.pastDays} days`;
      if (q.futureDays !== undefined && v > addDays(ctx.today, q.futureDays))
        return q.futureDays === 0 ? 'must not be in the future' : `must be at most ${q.futureDays} days ahead`;
      return { value: v };
    }
    case 'number': {
      if (typeof v !== 'number' || !Number.isFinite(v)) return 'must be a number';
      if (q.integer && !Number.isInteger(v)) return 'must be a whole number';
      if (q.decimals !== undefined && !hasAtMostDecimals(v, q.decimals))
        return q.decimals === 0 ? 'must be a whole number' : `must have at most ${q.decimals} digit${q.decimals > 1 ? 's' : ''} after the decimal point`;
      if (q.min !== undefined && v < q.min) return `must be at least ${q.min}`;
      if (q.max !== undefined && v > q.max) return `must be at most ${q.max}`;
      return { value: v };
    }
    case 'country': {
      const list = q.multiple ? v : [v];
      if (!Array.isArray(list) || (q.multiple && list.length > MAX_LIST)) return `must be a list of at most ${MAX_LIST} country codes`;
      const codes = list.map((x) => (typeof x === 'string' ? x.trim().toUpperCase() : x));
      const bad = codes.find((x) => !isCountryCode(x));
      if (bad !== undefined) return `"${String(bad)}" is not an ISO 3166 country code`;
      return { value: q.multiple ? [...new Set(codes as string[])] : (codes[0] as string) };
    }
    case 'commune': {
      const list = q.multiple ? v : [v];
      if (!Array.isArray(list) || (q.multiple && list.length > MAX_LIST)) return `must be a list of at most ${MAX_LIST} administrative unit codes`;
      const codes = list.map((x) => (typeof x === 'string' ? x.trim() : x));
      const bad = codes.find((x) => typeof x !== 'string' || !ctx.knownUnits.has(x));
      if (bad !== undefined) return `"${String(bad)}" is not a known administrative unit`;
      return { value: q.multiple ? [...new Set(codes as string[])] : (codes[0] as string) };
    }
  }
}

// ── form definitions ────────────────────────────────────────────────────────

const KEY_RE = /^[a-z][a-z0-9_]{0,39}$/;
const OPTION_RE = /^[a-z0-9][a-z0-9_-]{0,39}$/;

function localizedProblem(v: unknown, max: number): string | null {
  if (!isObj(v)) return 'must be { vi, en }';
  for (const lang of ['vi', 'en']) {
    const s = v[lang];
    if (typeof s !== 'string' || !s.trim()) return `needs a "${lang}" text`;
    if (s.length > max) return `"${lang}" is longer than ${max} characters`;
  }
  return null;
}

/** Problems of a form definition sent by an administrator (paths under `prefix`, default 'body'). */
export function formDefinitionProblems(f: FormDefinition, prefix = 'body'): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  const bad = (path: string, message: string) => out.push({ path: `${prefix}.${path}`, message });
  if (!FORM_KINDS.includes(f.kind)) bad('kind', `must be one of ${FORM_KINDS.join(', ')}`);
  const t = localizedProblem(f.title, 200);
  if (t) bad('title', t);
  if (f.description != null) {
    const d = localizedProblem(f.description, 2000);
    if (d) bad('description', d);
  }
  if (!Array.isArray(f.questions) || f.questions.length === 0) bad('questions', 'must list at least one question');
  if (Array.isArray(f.questions) && f.questions.length > 100) bad('questions', 'must list at most 100 questions');
  const seen = new Map<string, Question>();
  (f.questions ?? []).forEach((q, i) => {
    const p = `questions.${i}`;
    if (typeof q.key !== 'string' || !KEY_RE.test(q.key)) bad(`${p}.key`, 'must be lowercase letters, digits and _ (starting with a letter)');
    else if (seen.has(q.key)) bad(`${p}.key`, `"${q.key}" is used twice`);
    if (!QUESTION_TYPES.includes(q.type)) bad(`${p}.type`, `must be one of ${QUESTION_TYPES.join(', ')}`);
    const l = localizedProblem(q.label, 500);
    if (l) bad(`${p}.label`, l);
    if (q.help != null) {
      const h = localizedProblem(q.help, 1000);
      if (h) bad(`${p}.help`, h);
    }
    if (q.section != null) {
      const s = localizedProblem(q.section, 200);
      if (s) bad(`${p}.section`, s);
    }
    if (q.type === 'single' || q.type === 'multi') {
      if (!Array.isArray(q.options) || q.options.length < (q.type === 'single' ? 2 : 1)) bad(`${p}.options`, 'needs choices');
      else {
        const values = new Set<string>();
        q.options.forEach((o, j) => {
          if (typeof o.value !== 'string' || !OPTION_RE.test(o.value)) bad(`${p}.options.${j}.value`, 'must be lowercase letters, digits, _ or -');
          else if (values.has(o.value)) bad(`${p}.options.${j}.value`, `"${o.value}" is used twice`);
          else values.add(o.value);
          const ol = localizedProblem(o.label, 300);
          if (ol) bad(`${p}.options.${j}.label`, ol);
          if (o.venueTypes !== undefined) {
            const unknown = Array.isArray(o.venueTypes) ? o.venueTypes.find((x) => !(VENUE_TYPES as readonly string[]).includes(x)) : null;
            if (!Array.isArray(o.venueTypes) || !o.venueTypes.length) bad(`${p}.options.${j}.venueTypes`, 'must list venue types');
            else if (unknown !== undefined) bad(`${p}.options.${j}.venueTypes`, `"${String(unknown)}" is not a venue type (${VENUE_TYPES.join(', ')})`);
          }
        });
      }
    } else if (q.options !== undefined) bad(`${p}.options`, `only single and multi questions have choices`);
    if (q.multiple !== undefined && q.type !== 'country' && q.type !== 'commune') bad(`${p}.multiple`, 'only country and commune questions may be multiple');
    if (q.type === 'number' && q.min !== undefined && q.max !== undefined && q.min > q.max) bad(`${p}.min`, 'is greater than max');
    if (q.decimals !== undefined && q.type !== 'number') bad(`${p}.decimals`, 'only number questions have decimals');
    if (q.visibleIf !== undefined) {
      const probs = conditionProblems(q.visibleIf, `${prefix}.${p}.visibleIf`);
      out.push(...probs);
      if (!probs.length) {
        for (const k of conditionKeys(q.visibleIf as Condition)) {
          if (!seen.has(k)) bad(`${p}.visibleIf`, `refers to "${k}", which is not an earlier question`);
        }
      }
    }
    if (typeof q.key === 'string') seen.set(q.key, q);
  });
  if (f.unitQuestion != null) {
    const q = seen.get(f.unitQuestion);
    if (!q || q.type !== 'commune' || q.multiple || !q.required || q.visibleIf)
      bad('unitQuestion', 'must be the key of a required, always shown, single commune question');
  }
  return out;
}
