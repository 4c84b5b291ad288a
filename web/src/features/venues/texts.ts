// The venues, check-ins and gate pages' strings live in the app's catalogues (app/locales/vi.json, en.json) under
// `venues.*`.
import { useLang, useScopedLabel, useScopedT } from '../../app/i18n';

/** t('key', { n: 3 }) in the shell's current language; `label('statuses', 'approved')` for value labels. */
export function useVenueTexts() {
  const t = useScopedT('venues');
  const label = useScopedLabel('venues') as (group: 'statuses' | 'types', value: string) => string;
  const lang = useLang();
  return { t, label, lang };
}
