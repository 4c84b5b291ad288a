// The certificate pages' strings live in the app's catalogues (app/locales/vi.json, en.json) under `certificates.*`.
import { useScopedT } from '../../app/i18n';

/** t() for certificates.* keys (typed against vi.json). */
export const useCertT = () => useScopedT('certificates');
