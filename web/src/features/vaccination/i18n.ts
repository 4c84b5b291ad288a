// The vaccination pages' strings live in the app's catalogues (app/locales/vi.json, en.json) under `vaccination.*`.
import { useScopedT, type ScopedKey } from '../../app/i18n';

export type VaccKey = ScopedKey<'vaccination'>;

/** t() for vaccination.* keys (typed against vi.json). */
export const useVaccT = () => useScopedT('vaccination');
