import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { intlLocale } from '../app/i18n';
import { makeFormatters, type Formatters } from './formatters';

export type { Formatters } from './formatters';

/** Locale-aware formatters that follow the UI language (re-render on switch). */
export function useFormat(): Formatters {
  const { i18n } = useTranslation();
  const locale = intlLocale(i18n.resolvedLanguage);
  return useMemo(() => makeFormatters(locale), [locale]);
}

