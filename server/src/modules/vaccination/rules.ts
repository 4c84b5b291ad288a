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

/** Age in whole years on `day` from a birth date (YYYY-MM-DD) or, failing that, a birth year (age reached this year). */
export function ageOn(day: string, birthDate: string | null, birthYear: number | null): number | null {
  if (birthDate) {
    const [y, m, d] = birthDate.split('-').map(Number) as [number, number, number];
    const [ty, tm, td] = day.split('-').map(Number) as [number, number, number];
    return ty - y - (tm < m || (tm === m && td < d) ? 1 : 0);
  }
  return birthYear === null ? null : Number(day.slice(0, 4)) - birthYear;
}

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
