// The robot-call pages' strings live in the app's catalogues (app/locales/vi.json, en.json) under `calls.*`.
import { useScopedLabel, useScopedT } from '../../app/i18n';

/** t() for calls.* keys (typed against vi.json). */
export const useCallsT = () => useScopedT('calls');

/** A label for a coded value ('statuses', 'completed'), the code itself when unknown. */
export const useCallsLabel = () => useScopedLabel('calls');
