// The messaging pages' strings (officers' notifications and campaigns, citizens' sign-up by phone) live in the app's
// catalogues (app/locales/vi.json, en.json) under `messaging.*`.
import i18n from 'i18next';
import { useScopedT, type ScopedKey } from '../../app/i18n';

export type MessagingKey = ScopedKey<'messaging'>;

/** t() for messaging.* keys (typed against vi.json). */
export const useMsgT = () => useScopedT('messaging');

/**
 * The reader's label of a message purpose (`contact.warning` → "Contact warning"): `messaging.purposes.<code with
 * '-' for '.'>`; a purpose without a label (one added on the server later) shows its code.
 */
export function usePurposeLabel(): (purpose: string) => string {
  const tm = useMsgT();
  return (purpose) => {
    const key = `purposes.${purpose.replace(/\./g, '-')}` as MessagingKey;
    return i18n.exists(`messaging.${key}`) ? tm(key) : purpose;
  };
}
