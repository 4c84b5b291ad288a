// The messaging pages' strings (officers' notifications and campaigns, citizens' sign-up by phone) live in the app's
// catalogues (app/locales/vi.json, en.json) under `messaging.*`.
import { useScopedT, type ScopedKey } from '../../app/i18n';

export type MessagingKey = ScopedKey<'messaging'>;

/** t() for messaging.* keys (typed against vi.json). */
export const useMsgT = () => useScopedT('messaging');
