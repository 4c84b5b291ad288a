// The robot-call pages' strings live in the app's catalogues (app/locales/vi.json, en.json) under `calls.*`.
import { useCallback } from 'react';
import { useLang, useScopedLabel, useScopedT } from '../../app/i18n';

/** t() for calls.* keys (typed against vi.json). */
export const useCallsT = () => useScopedT('calls');

/** A label for a coded value ('statuses', 'completed'), the code itself when unknown. */
export const useCallsLabel = () => useScopedLabel('calls');

/** What a script is called on the pages: its name in the user's language (else the other's, else its code), with the
 * language the robot speaks when it is not the user's ("Daily health check of F1/F2 (Vietnamese)"). */
export function useScriptLabel() {
  const lang = useLang();
  const t = useCallsT();
  return useCallback(
    (s: { name: string; title?: { vi?: string; en?: string } | null; language: string }) => {
      const title = s.title?.[lang] ?? s.title?.[lang === 'vi' ? 'en' : 'vi'] ?? s.name;
      return s.language === lang || !(s.language === 'vi' || s.language === 'en') ? title : `${title} (${t(`scriptLanguages.${s.language}` as never)})`;
    },
    [lang, t],
  );
}
