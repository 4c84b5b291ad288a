// Strings of the home page's figures, under `homeSummary.*`, merged into the app's catalogues at load time.
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import i18n from '../../app/i18n';

const vi = {
  title: 'Hôm nay tại {{unit}}',
  updated: 'Cập nhật {{time}}',
  yesterday: 'Hôm qua: {{n}}',
  now: 'Hiện tại',
  chartTitle: '14 ngày qua',
  chartLabel: 'Biểu đồ 14 ngày qua: {{series}}',
  open: 'Xem',
};
const en: typeof vi = {
  title: 'Today in {{unit}}',
  updated: 'Updated {{time}}',
  yesterday: 'Yesterday: {{n}}',
  now: 'Right now',
  chartTitle: 'Last 14 days',
  chartLabel: 'Chart of the last 14 days: {{series}}',
  open: 'Open',
};

for (const [lng, res] of Object.entries({ vi: { homeSummary: vi }, en: { homeSummary: en } })) i18n.addResourceBundle(lng, 'translation', res, true, false);

export type HomeSummaryKey = keyof typeof vi;

export function useHomeT() {
  const { t } = useTranslation();
  return useCallback((key: HomeSummaryKey, vars?: Record<string, string | number>) => t(`homeSummary.${key}` as never, vars as never) as unknown as string, [t]);
}

/** 'vi' | 'en' for picking the server's localized labels. */
export function useLang(): 'vi' | 'en' {
  const { i18n: inst } = useTranslation();
  return inst.resolvedLanguage === 'en' ? 'en' : 'vi';
}
