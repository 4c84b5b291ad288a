import type { TFunction } from 'i18next';
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
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

/** An administrative unit's name in the UI language: the English name in English where the data has one. */
export function unitName(unit: { name: string; nameEn?: string | null }, language: string | undefined): string {
  return language === 'en' && unit.nameEn ? unit.nameEn : unit.name;
}

/** unitName() bound to the current UI language (a new function on a language switch). */
export function useUnitName(): (unit: { name: string; nameEn?: string | null }) => string {
  const { i18n } = useTranslation();
  const language = i18n.resolvedLanguage;
  return useCallback((unit) => unitName(unit, language), [language]);
}
