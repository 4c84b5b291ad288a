// The health-declaration pages' strings live in the app's catalogues (app/locales/vi.json, en.json) under
// `declarations.*`.
import { useScopedT, type ScopedKey } from '../../app/i18n';

export { useLang } from '../../app/i18n';
export type DeclarationsKey = ScopedKey<'declarations'>;

/** t() for declarations.* keys (typed against vi.json). */
export const useDeclT = () => useScopedT('declarations');
