// What a survey's answers mean for a person's follow-up: key 1 ("yes") to a symptom question is that symptom;
// an end state may set fields too (e.g. { fever: true }, { symptomatic: true }).
import { SYMPTOMS } from '../cases';

export type Symptom = (typeof SYMPTOMS)[number];

/** question field names → the follow-up's symptom names */
const ALIASES: Record<string, Symptom> = {
  fever: 'fever',
  cough: 'cough',
  sore_throat: 'sore_throat',
  breathing: 'shortness_of_breath',
  shortness_of_breath: 'shortness_of_breath',
  dyspnea: 'shortness_of_breath',
  taste_smell: 'loss_of_taste_smell',
  loss_of_taste_smell: 'loss_of_taste_smell',
  fatigue: 'fatigue',
  diarrhea: 'diarrhea',
  headache: 'headache',
};

export const YES = '1';

export interface Assessment {
  symptoms: Symptom[];
  symptomatic: boolean;
}

export function assess(answers: Record<string, string>, set: Record<string, string | number | boolean> = {}): Assessment {
  const found = new Set<Symptom>();
  for (const [field, value] of Object.entries(answers)) if (ALIASES[field] && value === YES) found.add(ALIASES[field]!);
  for (const [field, value] of Object.entries(set)) if (ALIASES[field] && value === true) found.add(ALIASES[field]!);
  const symptomatic = found.size > 0 || set.symptomatic === true;
  return { symptoms: [...found], symptomatic };
}

export const isSymptomField = (field: string) => field in ALIASES;
