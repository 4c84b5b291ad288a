// The device registry as two server processes on one database see it: rows read together, kept for hours, and
// revocations made by either process respected by both (at once here, within REVOCATION_STALE_MS there).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { alterChar, testContext, type TestContext } from '../../../test/helpers';
import { KeyRing, SignatureError } from '../../platform/signing';
import { DeviceRegistry, REVOCATION_STALE_MS, CACHE_MS } from './devices';

let t: TestContext;
let people: string[];
const now = new Date('2021-08-10T03:00:00Z');

beforeAll(async () => {
  t = await testContext();
  const commune = (await t.db.selectFrom('admin_units').select('code').limit(1).executeTakeFirstOrThrow()).code;
  const r = await sql<{ id: string }>`
    insert into persons (full_name, name_key, phone, commune_code, source)
    select 'Người ' || g, 'nguoi ' || g, '+8490' || lpad(g::text, 7, '0'), ${commune}, 'checkin' from generate_series(1, 40) g
    returning id::text`.execute(t.db);
  people = r.rows.map((x) => x.id);
});
afterAll(async () => {
  await t?.close();
});

/** A registry with its own clock, as another server process would have. */
function process_() {
  let ms = 1_000_000;
  const registry = new DeviceRegistry(t.db, t.app.vigil.keys, 30, { ms: () => ms });
  return { registry, advance: (by: number) => (ms += by) };
}

const refused = (p: Promise<unknown>) => expect(p).rejects.toSatisfy((e) => e instanceof SignatureError && e.reason === 'expired');

describe('device registry across server processes', () => {
  it('a revocation applies at once in the process that made it and within REVOCATION_STALE_MS in another, even with rows cached for hours', async () => {
    const a = process_();
    const b = process_();
    const token = await a.registry.issue(people[0]!, 'form', now);
    const other = await a.registry.issue(people[1]!, 'form', now);
    expect((await b.registry.verify(token, now)).personId).toBe(people[0]);
    expect((await b.registry.verify(other, now)).personId).toBe(people[1]);
    expect(await a.registry.revokeToken(token, now)).toBe(true);
    await refused(a.registry.verify(token, now));
    // b trusts its cached row only while its last read of the revocation feed is recent
    b.advance(REVOCATION_STALE_MS);
    await refused(b.registry.verify(token, now));
    expect((await b.registry.verify(other, now)).personId).toBe(people[1]);
    // an officer's revocation of every phone of a person, made in b, reaches a
    const third = await b.registry.issue(people[2]!, 'form', now);
    expect((await a.registry.verify(third, now)).personId).toBe(people[2]);
    expect(await b.registry.revokePeople([people[2]!], now)).toBe(1);
    a.advance(REVOCATION_STALE_MS);
    await refused(a.registry.verify(third, now));
    // hours later (cache expired, row read again) it stays refused
    a.advance(CACHE_MS + 1);
    await refused(a.registry.verify(third, now));
  });

  it('reads the rows of many phones checking in at once together, each caller getting its own answer', async () => {
    const a = process_();
    const b = process_();
    const tokens = await Promise.all(people.slice(5, 35).map((p) => a.registry.issue(p, 'form', now)));
    await a.registry.revokeToken(tokens[7]!, now);
    await a.registry.revokeToken(tokens[21]!, now);
    const answers = await Promise.all(tokens.map((tk) => b.registry.verify(tk, now).then((v) => v.personId, (e: SignatureError) => e.reason)));
    expect(answers).toEqual(people.slice(5, 35).map((p, i) => (i === 7 || i === 21 ? 'expired' : p)));
  });

  it('checks a token’s MAC once, yet still refuses it once its phone is revoked, its key retired or a character altered', async () => {
    const keys = KeyRing.inMemory();
    let ms = 1_000_000;
    const a = new DeviceRegistry(t.db, keys, 30, { ms: () => ms });
    const b = new DeviceRegistry(t.db, keys, 30, { ms: () => ms });
    const token = await a.issue(people[36]!, 'form', now);
    const sibling = await a.issue(people[37]!, 'form', now);
    // seen before by b: what the token names is cached there
    expect((await b.verify(token, now)).personId).toBe(people[36]);
    expect((await b.verify(token, now)).personId).toBe(people[36]);
    expect((await b.verify(sibling, now)).personId).toBe(people[37]);
    // an altered copy of a cached token (its person part, its MAC) is checked, not taken from the cache
    const at = token.indexOf('.');
    for (const forged of [alterChar(token, 5), alterChar(token, token.length - 3), alterChar(token, at - 2)])
      await expect(b.verify(forged, now)).rejects.toSatisfy((e) => e instanceof SignatureError && e.reason !== 'expired');
    // revoked by another process: refused within REVOCATION_STALE_MS, though its MAC was checked before
    expect(await a.revokeToken(token, now)).toBe(true);
    ms += REVOCATION_STALE_MS;
    await refused(b.verify(token, now));
    expect((await b.verify(sibling, now)).personId).toBe(people[37]);
    // the key retired: the cached sibling is refused at once
    const old = keys.activeKid;
    await keys.rotate();
    await keys.retire(old);
    await expect(b.verify(sibling, now)).rejects.toSatisfy((e) => e instanceof SignatureError && e.reason === 'retired_key');
  });
});
