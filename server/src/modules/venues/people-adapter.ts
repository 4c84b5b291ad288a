// The people module as the venues module uses it (only through people/index.ts).
import type { JurisdictionResolver } from '../../platform/auth/jurisdiction';
import { verifyAsync, type KeyRing, type VerifyPool } from '../../platform/signing';
import {
  bareToken,
  findOrCreatePerson,
  findOrCreatePublicWithDevice,
  isManagerOf,
  isPersonDeviceToken,
  maskPhone,
  normalizePhone,
  PERSONAL_QR_TYPE,
  personIdOf,
  personRecordsLite,
  personIdsMatching,
  personIdsByReference,
  resolvePersonId,
  validatePublicPerson,
  type DeviceRegistry,
} from '../people/index';

import type { DbOrTx } from '../../platform/db/types';
import type { PeoplePort, PersonBriefLite, PersonInput } from './people-port';

export function peopleAdapter(keys: KeyRing, resolver: JurisdictionResolver, devices: DeviceRegistry, verifyPool: VerifyPool | null = null): PeoplePort {
  const findOrCreate = (db: DbOrTx, input: PersonInput, opts: { prefix: string; source: 'checkin' | 'import'; now: Date }) =>
    findOrCreatePerson(
      db,
      { fullName: input.fullName, phone: input.phone, birthYear: input.birthYear, communeCode: input.communeCode, nationalId: input.nationalId ?? null },
      { resolver, now: opts.now, source: opts.source, prefix: opts.prefix, requirePhone: !input.nationalId, trust: opts.source === 'import' ? 'staff' : 'public' },
    );
  return {
    normalizePhone: (raw) => normalizePhone(raw),
    findOrCreate: (db, input, opts) => findOrCreate(db, input, opts),
    // the person and the phone's device row in one statement (one round trip: the first check-in's largest cost),
    // flushed to disk by the check-in's own batch commit, which follows before any answer (CheckinEngine.checkIn)
    findOrCreateWithDevice: async (db, input, opts) => {
      const r = await findOrCreatePublicWithDevice(
        db,
        { fullName: input.fullName, phone: input.phone, birthYear: input.birthYear, communeCode: input.communeCode, nationalId: input.nationalId ?? null },
        { resolver, now: opts.now, source: 'checkin', prefix: opts.prefix, requirePhone: !input.nationalId, origin: 'form', flushLater: !db.isTransaction },
      );
      return { id: r.id, created: r.created, token: devices.issued(r.id, r.deviceId, opts.now) };
    },
    validateForm: (input, opts) =>
      validatePublicPerson(
        { fullName: input.fullName, phone: input.phone, birthYear: input.birthYear, communeCode: input.communeCode, nationalId: input.nationalId ?? null },
        { resolver, now: opts.now, prefix: opts.prefix, requirePhone: !input.nationalId },
      ),
    deviceIssued: (personId, deviceId, now) => devices.issued(personId, deviceId, now),
    // same rules as people's verifyPersonalQr (bare token or a URL ending in it), signature checked by libsodium on a
    // worker thread of the verify pool (platform/signing verifyAsync; on the event loop without one); a phone's device
    // token (HMAC, ~1 µs) is checked right here, plus its device row (cached; revoked or idle → expired)
    verifyPersonToken: async (token, now) => {
      const bare = bareToken(token);
      if (isPersonDeviceToken(bare)) return { personId: (await devices.verify(bare, now)).personId, expiresAt: null };
      const v = await verifyAsync(keys, bare, { expectedType: PERSONAL_QR_TYPE, now }, verifyPool);
      return { personId: personIdOf(v), expiresAt: v.expiresAt ?? null };
    },
    warmPerson: (token, nowMs) => devices.warmPerson(token, nowMs),
    deviceToken: (id, origin, now) => devices.issue(id, origin, now),
    deviceOf: async (token, now) => {
      const bare = bareToken(token);
      if (!isPersonDeviceToken(bare)) return null;
      return devices.verify(bare, now).then((d) => d.deviceId, () => null);
    },
    isDeviceToken: (token) => isPersonDeviceToken(bareToken(token)),
    resolveLiveId: (db, id) => resolvePersonId(db, id),
    isManagerOf: (db, managerId, dependantId) => isManagerOf(db, managerId, dependantId),
    byReference: (db, reference) => personIdsByReference(db, reference),
    match: (db, text) => personIdsMatching(db, text),
    liveRecord: async (db, id) => {
      const p = (await personRecordsLite(db, [id])).get(id);
      return p ? { id: p.id, communeCode: p.communeCode } : null;
    },
    briefs: async (db, ids, unmask = {}) => {
      const out = new Map<string, PersonBriefLite>();
      for (const [id, p] of await personRecordsLite(db, ids))
        out.set(id, { name: p.fullName, phone: unmask.phone ? p.phone : maskPhone(p.phone), nationalId: unmask.nationalId ? p.nationalId : null, birthYear: p.birthYear });
      return out;
    },
  };
}
