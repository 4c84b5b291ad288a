import type { TFunction } from 'i18next';
import { isRole } from './types';

/** Role value → label in the UI language (unknown roles shown as-is). */
export function roleLabel(t: TFunction, role: string): string {
  return isRole(role) ? t(`roles.${role}`) : role;
}

const LEVELS = ['country', 'province', 'district', 'commune'] as const;
type Level = (typeof LEVELS)[number];
function isLevel(v: string): v is Level {
  return (LEVELS as readonly string[]).includes(v);
}

/** Administrative level → label (unknown levels shown as-is). */
export function levelLabel(t: TFunction, level: string | number): string {
  const v = String(level);
  return isLevel(v) ? t(`levels.${v}`) : v;
}
