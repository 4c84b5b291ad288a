// Dates on certificates are ISO days ("2021-10-20", or only "1985" / "1985-11" for a birth date): shown as Vietnamese
// papers write them (20/10/2021) in Vietnamese, as ISO in English; partial dates as they are.
import { useTranslation } from 'react-i18next';

export function useShowDay(): (iso: unknown) => string {
  const { i18n } = useTranslation();
  const vi = (i18n.resolvedLanguage ?? 'vi') === 'vi';
  return (iso) => {
    const s = typeof iso === 'string' ? iso : '';
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s);
    if (!m) return s || '—';
    return vi ? `${m[3]}/${m[2]}/${m[1]}` : `${m[1]}-${m[2]}-${m[3]}`;
  };
}
