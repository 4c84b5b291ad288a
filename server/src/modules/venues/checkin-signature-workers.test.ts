// First-seen QR codes at POST /api/checkins with their Ed25519 math on the signature workers (VIGIL_SIGNATURE_WORKERS,
// platform/signing verify-pool.ts): the same answers as an app that checks on the event loop (VIGIL_SIGNATURE_WORKERS=0)
// for posters and personal QR codes — valid, altered, another key, retired key, expired —, a burst of concurrent first
// scans answered each correctly (and one poster scanned by many at once checked once), a first check-in's poster and
// personal QR checked in one round trip, and a worker killed while check-ins wait on it: every one answered
// correctly, and another worker takes over.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestContext } from '../../../test/helpers';
import { DEFAULT_MIN_BATCH, KeyRing, sign } from '../../platform/signing';
import { altered } from '../../platform/signing/test-reason';
import { PERSONAL_QR_TYPE } from '../people/index';
import { checkinOutcome, form, postCheckin, signatureWorkerApps } from './test-fixtures';
import { signVenueToken } from './tokens';

let t: TestContext;
let onLoop: { app: FastifyInstance; close(): Promise<void> };
let entranceId: string;
let venueId: string;
let personId: string;
let commune: string;
let phones = 0;

beforeAll(async () => {
  let venue: { token: string };
  ({ t, onLoop, commune, venue, entranceId, venueId } = await signatureWorkerApps());
  const first = await postCheckin(t.app, { venueToken: venue.token, people: [newPerson()] });
  expect(first.statusCode, first.body).toBe(201);
  personId = first.json().results[0].people[0].personId;
}, 60_000);
afterAll(async () => {
  await onLoop?.close();
  await t?.close();
});

const keys = () => t.app.vigil.keys;
const pool = () => t.app.vigil.verifyPool;
const nowMs = () => t.config.clock().getTime();
let serial = 0;
/** A poster never seen: the entrance's token with an expiry of its own (a new token string each time). */
const poster = (ring: KeyRing = keys(), expiresAt = new Date(nowMs() + 86400_000 + ++serial * 1000)) => signVenueToken(ring, entranceId, venueId, expiresAt);
/** A personal QR never seen (the person's, with an expiry of its own). */
const personalQr = (ring: KeyRing = keys(), expiresAt = new Date(nowMs() + 86400_000 + ++serial * 1000)) => sign(ring, PERSONAL_QR_TYPE, { p: personId }, { expiresAt });
const newPerson = () => ({ ...form({ phone: `09130${String(++phones).padStart(5, '0')}` }), communeCode: commune });
/** the other ring's signature under this ring's key id: a signature made with the wrong key */
const wrongKey = (token: string, other: string) => {
  const [payload, , signature] = other.split('.');
  return `${payload}.${token.split('.')[1]}.${signature}`;
};

/** the same first-seen tokens on both apps (each app its own caches): the workers' answers, then the event loop's */
async function both(body: () => Record<string, unknown>): Promise<[string, string]> {
  const b = body();
  return [await checkinOutcome(t.app, b), await checkinOutcome(onLoop.app, b)];
}

/** The workers' answers to `both`'s cases, each shown to be the event loop's answer too. */
function sameOnBoth(cases: Record<string, [string, string]>): Record<string, string> {
  for (const [name, [workers, loop]] of Object.entries(cases)) expect(workers, name).toBe(loop);
  return Object.fromEntries(Object.entries(cases).map(([k, [w]]) => [k, w]));
}

describe('first-seen QR codes checked by the signature workers', () => {
  it('posters: accepted and refused as on the event loop (valid, altered signature or payload, another key, expired)', async () => {
    const other = KeyRing.inMemory();
    const before = { ...pool().stats };
    const known = { token: personalQr() };
    await postCheckin(t.app, { venueToken: poster(), people: [known] });
    await postCheckin(onLoop.app, { venueToken: poster(), people: [known] });
    const cases: Record<string, [string, string]> = {
      valid: await both(() => ({ venueToken: poster(), people: [known] })),
      alteredSignature: await both(() => ({ venueToken: altered(poster()), people: [known] })),
      alteredPayload: await both(() => ({ venueToken: altered(poster(), 5), people: [known] })),
      unknownKey: await both(() => ({ venueToken: poster(other), people: [known] })),
      wrongKey: await both(() => ({ venueToken: wrongKey(poster(), poster(other)), people: [known] })),
      expired: await both(() => ({ venueToken: poster(keys(), new Date(nowMs() - 1000)), people: [known] })),
    };
    expect(sameOnBoth(cases)).toEqual({
      valid: '201 created',
      alteredSignature: '400 VENUE_QR_INVALID body.venueToken',
      alteredPayload: '400 VENUE_QR_INVALID body.venueToken',
      unknownKey: '400 VENUE_QR_INVALID body.venueToken',
      wrongKey: '400 VENUE_QR_INVALID body.venueToken',
      expired: '410 VENUE_QR_EXPIRED body.venueToken',
    });
    // the signatures were checked by the worker thread, none redone on the event loop; the other app started none
    expect(pool().stats.checks - before.checks).toBeGreaterThanOrEqual(6);
    expect(pool().stats.onLoop).toBe(before.onLoop);
    expect(onLoop.app.vigil.verifyPool.threads).toHaveLength(0);
    expect(onLoop.app.vigil.verifyPool.stats.checks).toBe(0);
  });

  it('personal QR codes: accepted and refused as on the event loop (valid, altered, another key, expired)', async () => {
    const other = KeyRing.inMemory();
    const before = pool().stats.checks;
    const venueToken = poster();
    await postCheckin(t.app, { venueToken, people: [newPerson()] });
    await postCheckin(onLoop.app, { venueToken, people: [newPerson()] });
    const cases: Record<string, [string, string]> = {
      valid: await both(() => ({ venueToken, people: [{ token: personalQr() }] })),
      altered: await both(() => ({ venueToken, people: [{ token: altered(personalQr()) }] })),
      wrongKey: await both(() => ({ venueToken, people: [{ token: wrongKey(personalQr(), personalQr(other)) }] })),
      unknownKey: await both(() => ({ venueToken, people: [{ token: personalQr(other) }] })),
      expired: await both(() => ({ venueToken, people: [{ token: personalQr(keys(), new Date(nowMs() - 1000)) }] })),
    };
    expect(sameOnBoth(cases)).toEqual({
      valid: '201 created',
      altered: '400 PERSON_TOKEN_INVALID body.people.0.token',
      wrongKey: '400 PERSON_TOKEN_INVALID body.people.0.token',
      unknownKey: '400 PERSON_TOKEN_INVALID body.people.0.token',
      expired: '410 PERSON_TOKEN_EXPIRED body.people.0.token',
    });
    expect(pool().stats.checks - before).toBeGreaterThanOrEqual(5);
  });

  it('a burst of concurrent first scans: each answered as its own token deserves, checked in batches', async () => {
    const before = { ...pool().stats };
    const n = 60;
    const bad = (i: number) => i % 5 === 3;
    const answers = await Promise.all(
      Array.from({ length: n }, (_, i) => {
        const venueToken = bad(i) ? altered(poster()) : poster();
        const person = i % 2 === 0 ? newPerson() : { token: i % 7 === 1 ? altered(personalQr()) : personalQr() };
        return checkinOutcome(t.app, { venueToken, people: [person] });
      }),
    );
    expect(answers).toEqual(
      answers.map((_, i) => (bad(i) ? '400 VENUE_QR_INVALID body.venueToken' : i % 2 === 1 && i % 7 === 1 ? '400 PERSON_TOKEN_INVALID body.people.0.token' : '201 created')),
    );
    const checks = pool().stats.checks - before.checks;
    expect(checks).toBeGreaterThanOrEqual(n);
    expect(pool().stats.batches - before.batches).toBeLessThan(checks);
    expect(pool().stats.onLoop).toBe(before.onLoop);

    // one new poster scanned by 20 phones at once: one signature check for all of them
    const opening = poster();
    const known = { token: personalQr() };
    await postCheckin(t.app, { venueToken: poster(), people: [known] });
    const mid = pool().stats.checks;
    const crowd = await Promise.all(Array.from({ length: 20 }, () => checkinOutcome(t.app, { venueToken: opening, people: [known] })));
    expect(crowd.every((a) => a === '201 created' || a === '200 duplicate'), crowd.join()).toBe(true);
    expect(pool().stats.checks - mid).toBe(1);
  });

  it('a worker killed while check-ins wait on it: every one answered correctly, and another worker takes over', async () => {
    await postCheckin(t.app, { venueToken: poster(), people: [{ token: personalQr() }] }); // a worker is up
    const [thread] = pool().threads;
    expect(thread).toBeDefined();
    const before = { ...pool().stats };
    const n = 40;
    const bad = (i: number) => i % 4 === 2;
    const answers = Promise.all(Array.from({ length: n }, (_, i) => checkinOutcome(t.app, { venueToken: bad(i) ? altered(poster()) : poster(), people: [newPerson()] })));
    while (pool().stats.checks === before.checks) await new Promise((r) => setImmediate(r));
    await thread!.terminate();
    expect(await answers).toEqual(Array.from({ length: n }, (_, i) => (bad(i) ? '400 VENUE_QR_INVALID body.venueToken' : '201 created')));
    expect(pool().stats.restarts).toBe(before.restarts + 1);
    expect(pool().threads).toHaveLength(1);
    expect(pool().threads[0]).not.toBe(thread);
    // the new worker answers
    const after = pool().stats.onLoop;
    expect(await checkinOutcome(t.app, { venueToken: poster(), people: [newPerson()] })).toBe('201 created');
    expect(pool().stats.onLoop).toBe(after);
  });

  it("a first check-in's poster and personal QR are checked together (one round trip), refused in the pipeline's order", async () => {
    const before = { ...pool().stats };
    expect(await checkinOutcome(t.app, { venueToken: poster(), people: [{ token: personalQr() }] })).toBe('201 created');
    expect({ b: pool().stats.batches - before.batches, c: pool().stats.checks - before.checks, i: pool().stats.inline - before.inline }).toEqual({ b: 1, c: 2, i: 0 });
    expect(pool().stats.checks - before.checks).toBe(2);
    // both refused: the poster's error, as on the event loop; a bad personal QR behind a good poster: its own
    const bothBad = await both(() => ({ venueToken: altered(poster()), people: [{ token: altered(personalQr()) }] }));
    expect(bothBad).toEqual(['400 VENUE_QR_INVALID body.venueToken', '400 VENUE_QR_INVALID body.venueToken']);
    const cardBad = await both(() => ({ venueToken: poster(), people: [{ token: altered(personalQr()) }] }));
    expect(cardBad).toEqual(['400 PERSON_TOKEN_INVALID body.people.0.token', '400 PERSON_TOKEN_INVALID body.people.0.token']);
  });

  it('a lone first scan (a quiet server) is checked on the event loop: a round trip would cost it as much', async () => {
    const before = { ...pool().stats };
    pool().minBatch = DEFAULT_MIN_BATCH;
    try {
      expect(await checkinOutcome(t.app, { venueToken: poster(), people: [newPerson()] })).toBe('201 created');
      expect(await checkinOutcome(t.app, { venueToken: altered(poster()), people: [newPerson()] })).toBe('400 VENUE_QR_INVALID body.venueToken');
    } finally {
      pool().minBatch = 1;
    }
    expect(pool().stats.inline - before.inline).toBe(2);
    expect(pool().stats.batches).toBe(before.batches);
  });

  it('a retired key: posters and personal QR codes it signed are refused as on the event loop', async () => {
    const venueToken = poster();
    const card = personalQr();
    const kid = keys().activeKid;
    await keys().rotate();
    await keys().retire(kid);
    expect(await both(() => ({ venueToken, people: [newPerson()] }))).toEqual(['410 VENUE_QR_REVOKED body.venueToken', '410 VENUE_QR_REVOKED body.venueToken']);
    expect(await both(() => ({ venueToken: poster(), people: [{ token: card }] }))).toEqual(['410 PERSON_TOKEN_EXPIRED body.people.0.token', '410 PERSON_TOKEN_EXPIRED body.people.0.token']);
  });
});
