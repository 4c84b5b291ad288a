// The cases pages' strings live in the app's catalogues (app/locales/vi.json, en.json) under `cases.*`.
import { useScopedLabel, useScopedT, type ScopedKey } from '../../app/i18n';

export type CasesKey = ScopedKey<'cases'>;

/** t() for cases.* keys (typed against vi.json). */
export const useCasesT = () => useScopedT('cases');

/** A label for a value of an enumerated field ('statuses', 'active') that may be unknown to this version. */
export const useLabel = () => useScopedLabel('cases');
