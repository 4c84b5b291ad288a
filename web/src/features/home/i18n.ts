// The home page figures' strings live in the app's catalogues (app/locales/vi.json, en.json) under `homeSummary.*`.
import { useScopedT, type ScopedKey } from '../../app/i18n';

export { useLang } from '../../app/i18n';
export type HomeSummaryKey = ScopedKey<'homeSummary'>;

export const useHomeT = () => useScopedT('homeSummary');
