import i18n from 'i18next';
import { useCallback } from 'react';
import { initReactI18next, useTranslation } from 'react-i18next';
import { readStoredLang, storeLang } from '../lib/langStorage';
import vi from './locales/vi.json';

export const LANGUAGES = ['vi', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'vi';

// Vietnamese is the reference catalogue: keys are type-checked against it, and a test keeps en.json in step.
declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof vi };
  }
}

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

function storedLanguage(): Language {
  return readStoredLang(LANGUAGES) ?? DEFAULT_LANGUAGE;
}

function applyLanguage(lng: string): void {
  document.documentElement.lang = lng;
  storeLang(lng);
}

i18n.on('languageChanged', applyLanguage);

// Vietnamese, the default, is bundled; the English catalogue (≈ 12 kB brotli) is a chunk of its own, loaded when a
// reader picks English (or had picked it before), so the Vietnamese majority does not download it on every page.
const loaded = new Set<Language>(['vi']);
async function loadLanguage(lng: Language): Promise<void> {
  if (loaded.has(lng)) return;
  const catalogue = (await import('./locales/en.json')).default;
  i18n.addResourceBundle(lng, 'translation', catalogue, true, true);
  loaded.add(lng);
}

const stored = storedLanguage();
void i18n.use(initReactI18next).init({
  resources: { vi: { translation: vi } },
  partialBundledLanguages: true,
  lng: DEFAULT_LANGUAGE,
  fallbackLng: DEFAULT_LANGUAGE,
  supportedLngs: [...LANGUAGES],
  interpolation: { escapeValue: false }, // React escapes
  initAsync: false, // Vietnamese is bundled: initialise synchronously so the first render is translated
  returnNull: false,
});
document.documentElement.lang = i18n.language;

/**
 * Resolves once the reader's language is ready (at once for Vietnamese; after the English chunk for English): the
 * entry points render after it, so an English reader never sees a Vietnamese first paint. A failed load (offline, a
 * stale deployment) leaves the page in Vietnamese rather than blank.
 */
export const languageReady: Promise<void> =
  stored === DEFAULT_LANGUAGE
    ? Promise.resolve()
    : loadLanguage(stored)
        .then(() => i18n.changeLanguage(stored))
        .then(
          () => undefined,
          () => undefined,
        );

export function currentLanguage(): Language {
  return isLanguage(i18n.resolvedLanguage) ? i18n.resolvedLanguage : DEFAULT_LANGUAGE;
}

export function setLanguage(lng: Language): void {
  void loadLanguage(lng).then(() => i18n.changeLanguage(lng));
}

/** BCP 47 locale for Intl formatting. */
export function intlLocale(lng: string = currentLanguage()): string {
  return lng === 'en' ? 'en-GB' : 'vi-VN';
}

/** Dotted paths to the strings of a catalogue subtree ('reason.title'). */
export type Leaves<T> = {
  [K in keyof T & string]: T[K] extends string ? K : `${K}.${Leaves<T[K]>}`;
}[keyof T & string];
export type Scope = keyof typeof vi;
export type ScopedKey<S extends Scope> = Leaves<(typeof vi)[S]>;

/**
 * A `t` bound to one subtree of the catalogues (`useScopedT('people')('reason.title')` = t('people.reason.title')),
 * keys type-checked against vi.json. Each feature's pages use it through their own hook (usePeopleT, useCasesT…).
 */
export function useScopedT<S extends Scope>(scope: S) {
  const { t } = useTranslation();
  return useCallback(
    (key: ScopedKey<S>, vars?: Record<string, string | number>) => t(`${scope}.${key}` as never, vars as never) as unknown as string,
    [t, scope],
  );
}

/** The label of a coded value (`label('statuses', 'approved')` → t('venues.statuses.approved')), the code itself if unknown. */
export function useScopedLabel(scope: Scope) {
  const { t } = useTranslation();
  return useCallback(
    (group: string, value: string) => t(`${scope}.${group}.${value}` as never, { defaultValue: value } as never) as unknown as string,
    [t, scope],
  );
}

/** 'vi' | 'en' for picking the server's localized labels. */
export function useLang(): Language {
  const { i18n: inst } = useTranslation();
  return inst.resolvedLanguage === 'en' ? 'en' : 'vi';
}

export default i18n;
