// The people module as the venues module uses it (only through people/index.ts).
import type { JurisdictionResolver } from '../../platform/auth/jurisdiction';
import { verifyAsync, type KeyRing } from '../../platform/signing';
import {
  bareToken,
  findOrCreatePerson,
  getPersonBrief,
  isManagerOf,
  isPersonDeviceToken,
  normalizePhone,
  PERSONAL_QR_TYPE,
  personDeviceToken,
  personIdOf,
  resolvePersonId,
  verifyPersonDeviceToken,
} from '../people/index';

import type { PeoplePort, PersonBriefLite } from './people-port';

export function peopleAdapter(keys: KeyRing, resolver: JurisdictionResolver): PeoplePort {
  return {
    normalizePhone: (raw) => normalizePhone(raw),
    findOrCreate: (db, input, opts) =>
      findOrCreatePerson(
        db,
        { fullName: input.fullName, phone: input.phone, birthYear: input.birthYear, communeCode: input.communeCode, nationalId: input.nationalId ?? null },
        { resolver, now: opts.now, source: opts.source, prefix: opts.prefix, requirePhone: !input.nationalId, trust: opts.source === 'import' ? 'staff' : 'public' },
      ),
    // same rules as people's verifyPersonalQr (bare token or a URL ending in it), signature checked off the event loop;
    // a phone's device token (HMAC) is checked right here (~1 µs)
    verifyPersonToken: async (token, now) => {
      const bare = bareToken(token);
      if (isPersonDeviceToken(bare)) return verifyPersonDeviceToken(keys, bare, now);
      return personIdOf(await verifyAsync(keys, bare, { expectedType: PERSONAL_QR_TYPE, now }));
    },
    deviceToken: (id) => personDeviceToken(keys, id),
    isDeviceToken: (token) => isPersonDeviceToken(bareToken(token)),
    resolveLiveId: (db, id) => resolvePersonId(db, id),
    isManagerOf: (db, managerId, dependantId) => isManagerOf(db, managerId, dependantId),
    briefs: async (db, ids) => {
      const out = new Map<string, PersonBriefLite>();
      // a handful at a time: lists are ≤ 500 rows, exports page 2000 rows
      for (let i = 0; i < ids.length; i += 16) {
        const part = ids.slice(i, i + 16);
        const got = await Promise.all(part.map((id) => getPersonBrief(db, id)));
        part.forEach((id, j) => {
          const b = got[j];
          if (b) out.set(id, { name: b.fullName, phone: b.phoneMasked, nationalId: null });
        });
      }
      return out;
    },
  };
}
