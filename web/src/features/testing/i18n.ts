// The testing pages' strings live in the app's catalogues (app/locales/vi.json, en.json) under `testing.*`.
import { useScopedLabel, useScopedT } from '../../app/i18n';

/** t() for testing.* keys (typed against vi.json). */
export const useTestingT = () => useScopedT('testing');

/** The label of a coded value (`label('results', 'positive')`), the code itself if this version does not know it. */
export const useTestingLabel = () => useScopedLabel('testing');
