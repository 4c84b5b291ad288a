// The first-visit form's model: one person's typed-in details and their checks before sending.
import type { CommuneOption } from '../../../server/src/modules/venues/schema';
import { uuid } from './api';
import type { Texts } from './i18n';

export interface NewPerson {
  key: string;
  fullName: string;
  phone: string;
  birthYear: string;
  commune: CommuneOption | null;
}
export const blank = (): NewPerson => ({ key: uuid(), fullName: '', phone: '', birthYear: '', commune: null });
export type FieldErrors = Record<string, string>;

export function validate(p: NewPerson, t: Texts, i: number): FieldErrors {
  const e: FieldErrors = {};
  if (p.fullName.trim().length < 2) e[`${i}.fullName`] = t.required;
  const digits = p.phone.replace(/[^0-9+]/g, '');
  if (!digits) e[`${i}.phone`] = t.required;
  else if (digits.replace(/^\+?84/, '0').length < 9 || digits.length > 13) e[`${i}.phone`] = t.invalidPhone;
  const y = Number(p.birthYear);
  if (!p.birthYear) e[`${i}.birthYear`] = t.required;
  else if (!Number.isInteger(y) || y < new Date().getFullYear() - 120 || y > new Date().getFullYear()) e[`${i}.birthYear`] = t.invalidYear;
  if (!p.commune) e[`${i}.communeCode`] = t.pickCommune;
  return e;
}
