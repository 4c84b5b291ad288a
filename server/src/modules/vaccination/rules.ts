// Pure rules of the site day: the screening questionnaire (eligible / caution / postpone / contraindicated with the
// rule that fired), warnings before a dose (age outside the product's limits, mixed products, dose too early) and
// priority-group eligibility. No I/O: unit-tested in rules.test.ts.

export type ScreeningOutcome = 'eligible' | 'caution' | 'postpone' | 'contraindicated';
const RANK: Record<ScreeningOutcome, number> = { eligible: 0, caution: 1, postpone: 2, contraindicated: 3 };

/** Answers of the pre-vaccination screening form (after the Ministry of Health's 2021 checklist). */
export interface ScreeningAnswers {
  /** anaphylaxis after an earlier dose of a COVID-19 vaccine or to a component of it */
  anaphylaxisToVaccine: boolean;
  /** severe allergy (anaphylaxis) to anything else */
  severeAllergyOther: boolean;
  /** acute illness or fever today */
  acuteIllness: boolean;
  /** confirmed COVID-19 within the last 3 months */
  covidLast3Months: boolean;
  /** another vaccine within the last 14 days */
  otherVaccineLast14Days: boolean;
  /** chronic disease in its acute / uncontrolled phase */
  chronicUncontrolled: boolean;
  /** chronic disease under control */
  chronicControlled: boolean;
  /** immunodeficiency, cancer treatment, high-dose corticoids */
  immunocompromised: boolean;
  /** pregnant: weeks of pregnancy, or null when not pregnant */
  pregnancyWeeks: number | null;
  /** bleeding disorder or anticoagulant treatment */
  bleedingDisorder: boolean;
}

export const SCREENING_QUESTIONS = [
  'anaphylaxisToVaccine',
  'severeAllergyOther',
  'acuteIllness',
  'covidLast3Months',
  'otherVaccineLast14Days',
  'chronicUncontrolled',
  'chronicControlled',
  'immunocompromised',
  'pregnancyWeeks',
  'bleedingDisorder',
] as const;

interface Rule {
  code: string;
  outcome: ScreeningOutcome;
  when: (a: ScreeningAnswers, ctx: { age: number | null; temperature: number | null }) => boolean;
}

/** In order of severity; every rule that fires is reported, the most severe decides. */
export const SCREENING_RULES: readonly Rule[] = [
  { code: 'anaphylaxis-to-vaccine', outcome: 'contraindicated', when: (a) => a.anaphylaxisToVaccine },
  { code: 'fever', outcome: 'postpone', when: (_a, c) => c.temperature !== null && c.temperature >= 37.5 },
  { code: 'acute-illness', outcome: 'postpone', when: (a) => a.acuteIllness },
  { code: 'covid-last-3-months', outcome: 'postpone', when: (a) => a.covidLast3Months },
  { code: 'other-vaccine-14-days', outcome: 'postpone', when: (a) => a.otherVaccineLast14Days },
  { code: 'chronic-uncontrolled', outcome: 'postpone', when: (a) => a.chronicUncontrolled },
  { code: 'pregnancy-first-trimester', outcome: 'postpone', when: (a) => a.pregnancyWeeks !== null && a.pregnancyWeeks < 13 },
  { code: 'severe-allergy-other', outcome: 'caution', when: (a) => a.severeAllergyOther },
  { code: 'immunocompromised', outcome: 'caution', when: (a) => a.immunocompromised },
  { code: 'pregnancy', outcome: 'caution', when: (a) => a.pregnancyWeeks !== null && a.pregnancyWeeks >= 13 },
  { code: 'bleeding-disorder', outcome: 'caution', when: (a) => a.bleedingDisorder },
  { code: 'chronic-controlled', outcome: 'caution', when: (a) => a.chronicControlled },
  { code: 'age-65-plus', outcome: 'caution', when: (_a, c) => c.age !== null && c.age >= 65 },
];

export function classify(a: ScreeningAnswers, ctx: { age: number | null; temperature: number | null }): { outcome: ScreeningOutcome; rules: string[] } {
  const fired = SCREENING_RULES.filter((r) => r.when(a, ctx)).sort((x, y) => RANK[y.outcome] - RANK[x.outcome]);
  return { outcome: fired[0]?.outcome ?? 'eligible', rules: fired.map((r) => r.code) };
}

/** May a dose follow this screening outcome (caution: yes, with the observation the staff gives it). */
export const mayVaccinate = (o: ScreeningOutcome) => o === 'eligible' || o === 'caution';

export interface ProductLimits {
  code: string;
  minAge: number;
  maxAge: number | null;
  intervalDays: number;
}

export interface EarlierDose {
  productCode: string;
  doseNumber: number;
  givenOn: string; // YYYY-MM-DD
}

export type DoseWarning = 'under-age' | 'over-age' | 'mixed-product' | 'too-early';

const dayNumber = (d: string) => Math.floor(Date.parse(`${d}T00:00:00Z`) / 86_400_000);

/** Days between two local days (b − a). */
export const daysBetween = (a: string, b: string) => dayNumber(b) - dayNumber(a);

/** Warnings before giving `product` as dose `doseNumber` on `today` to a person of `age` with these earlier doses. */
export function doseWarnings(product: ProductLimits, age: number | null, earlier: EarlierDose[], today: string): DoseWarning[] {
  const out: DoseWarning[] = [];
  if (age !== null && age < product.minAge) out.push('under-age');
  if (age !== null && product.maxAge !== null && age > product.maxAge) out.push('over-age');
  if (earlier.some((d) => d.productCode !== product.code)) out.push('mixed-product');
  const last = [...earlier].sort((x, y) => y.givenOn.localeCompare(x.givenOn))[0];
  if (last && daysBetween(last.givenOn, today) < product.intervalDays) out.push('too-early');
  return out;
}

/**
 * Age in whole years on `day` from a birth date (YYYY-MM-DD) or, failing that, a birth year. With the full date a
 * person is 12 from their 12th birthday on (11 years and 364 days is 11). With the year only (many records have no
 * day and month) the age is the one reached in `day`'s year: someone born in 2009 counts as 12 all through 2021 —
 * the rule of the Ministry's 2021 campaigns, which set age groups by year of birth.
 */
export function ageOn(day: string, birthDate: string | null, birthYear: number | null): number | null {
  if (birthDate) {
    const [y, m, d] = birthDate.split('-').map(Number) as [number, number, number];
    const [ty, tm, td] = day.split('-').map(Number) as [number, number, number];
    return ty - y - (tm < m || (tm === m && td < d) ? 1 : 0);
  }
  return birthYear === null ? null : Number(day.slice(0, 4)) - birthYear;
}

export interface AgeLimits {
  minAge: number;
  maxAge: number | null;
}

/** Whether a person's age on `day` is outside a product's limits (null: within, or age unknown). */
export function ageLimitProblem(limits: AgeLimits, day: string, birthDate: string | null, birthYear: number | null): { code: 'under-age' | 'over-age'; age: number } | null {
  const age = ageOn(day, birthDate, birthYear);
  if (age === null) return null;
  if (age < limits.minAge) return { code: 'under-age', age };
  if (limits.maxAge !== null && age > limits.maxAge) return { code: 'over-age', age };
  return null;
}

/** The refusal text of an age problem (English; the web app shows its own text by `code`). */
export const ageLimitText = (p: { code: 'under-age' | 'over-age'; age: number }, limits: AgeLimits, product: string, day: string) =>
  p.code === 'under-age' ? `is ${p.age} years old on ${day}; ${product} is given from age ${limits.minAge}` : `is ${p.age} years old on ${day}; ${product} is given up to age ${limits.maxAge}`;

/** Priority-group rule: every key present must hold ({} = anyone). */
export interface EligibilityRule {
  minAge?: number;
  occupations?: string[];
  conditions?: string[];
  outbreakArea?: boolean;
}

export interface EligibilityFacts {
  age: number | null;
  occupation: string | null;
  conditions: string[];
  inOutbreakArea: boolean;
}

/** A group's rule matches when any one of its criteria holds (the groups of Decision 1210 are unions). */
export function eligibleFor(rule: EligibilityRule, f: EligibilityFacts): boolean {
  const tests: boolean[] = [];
  if (rule.minAge !== undefined) tests.push(f.age !== null && f.age >= rule.minAge);
  if (rule.occupations) tests.push(f.occupation !== null && rule.occupations.includes(f.occupation));
  if (rule.conditions) tests.push(f.conditions.some((c) => rule.conditions!.includes(c)));
  if (rule.outbreakArea) tests.push(f.inOutbreakArea);
  return tests.length === 0 || tests.some(Boolean);
}

export type PriorityStatus = 'accepted' | 'review' | 'refused';

/** What is known when someone claims a priority group at registration. */
export interface PriorityClaimFacts {
  /** age on the campaign's first day (birth date, else the year rule of ageOn); null when unknown */
  age: number | null;
  occupation: string | null;
  /** staff at a desk or an organisation's list stand behind the occupation and conditions they enter */
  vouched: boolean;
}

/**
 * Judges a claimed group against its rule (the groups of Decision 1210 are unions: one criterion suffices):
 * a criterion the system verifies (age from the birth record) or that staff/an organisation vouch for accepts the
 * claim; a criterion only the claimant asserts (their occupation, a chronic disease, poverty, living in an outbreak
 * area) sends it to staff review; when no criterion can hold (too young and the group has only an age criterion,
 * an occupation outside the group's list) the claim is refused. `reason` is the deciding rule's code.
 */
export function judgePriorityClaim(rule: EligibilityRule, f: PriorityClaimFacts): { status: PriorityStatus; reason: string } {
  if (rule.minAge !== undefined && f.age !== null && f.age >= rule.minAge) return { status: 'accepted', reason: 'age' };
  const occupationFits = !!rule.occupations && f.occupation !== null && rule.occupations.includes(f.occupation);
  if (occupationFits) return f.vouched ? { status: 'accepted', reason: 'occupation-vouched' } : { status: 'review', reason: 'occupation-to-verify' };
  if (rule.conditions) return f.vouched ? { status: 'accepted', reason: 'condition-vouched' } : { status: 'review', reason: 'condition-to-verify' };
  if (rule.outbreakArea) return f.vouched ? { status: 'accepted', reason: 'area-vouched' } : { status: 'review', reason: 'area-to-verify' };
  if (rule.occupations) return { status: 'refused', reason: f.occupation === null ? 'occupation-missing' : 'occupation-not-in-group' };
  if (rule.minAge !== undefined) return { status: 'refused', reason: f.age === null ? 'age-unknown' : 'too-young' };
  return { status: 'accepted', reason: 'open-group' };
}

/**
 * dn / sd of a dose as the EU encodes it since Commission Implementing Regulation (EU) 2021/2288 (Dec 2021, applied
 * from 1 Feb 2022), so that a booster is never read as the primary series alone; the health book and the certificate
 * both say it this way:
 * - within the primary series: the dose and the product's doses in schedule (1/2, 2/2, 1/1);
 * - a booster after a complete primary series of 2 or more doses: n/n (3/3; a second booster 4/4), not 3/2;
 * - a booster after a single-dose primary series: n/1 (2/1), as the regulation says.
 * A dose numbered above its product's schedule is a booster: the site day records dose n only after n − 1 valid
 * doses, so the primary series is complete by then.
 */
export function doseCount(doseNumber: number, seriesDoses: number): { dn: number; sd: number } {
  if (doseNumber <= seriesDoses || seriesDoses < 2) return { dn: doseNumber, sd: seriesDoses };
  return { dn: doseNumber, sd: doseNumber };
}
