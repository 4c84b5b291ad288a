// The person registry pages' strings live in the app's catalogues (app/locales/vi.json, en.json) under `people.*`.
import { useScopedT, type ScopedKey } from '../../app/i18n';

export type PeopleKey = ScopedKey<'people'>;

/** t() for people.* keys (typed against vi.json). */
export const usePeopleT = () => useScopedT('people');
