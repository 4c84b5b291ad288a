import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { intlLocale } from '../app/i18n';

export interface Formatters {
  number(value: number | null | undefined): string;
  dateTime(iso: string | null | undefined): string;
}

const NONE = '—';

/** Locale-aware formatters that follow the UI language (re-render on switch). */
export function useFormat(): Formatters {
  const { i18n } = useTranslation();
  const locale = intlLocale(i18n.resolvedLanguage);
  return useMemo(() => makeFormatters(locale), [locale]);
}

function makeFormatters(locale: string): Formatters {
  const num = new Intl.NumberFormat(locale);
  const dt = new Intl.DateTimeFormat(locale, {
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
  return {
    number: (value) => (value === null || value === undefined ? NONE : num.format(value)),
    dateTime: (iso) => {
      if (!iso) return NONE;
      const d = new Date(iso);
      return Number.isNaN(d.getTime()) ? iso : dt.format(d);
    },
  };
}
