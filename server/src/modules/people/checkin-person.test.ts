// The check-in's first-visit form in one statement (findOrCreatePublicWithDevice, SQL function of migration 0005)
// decides like findOrCreatePerson does for public input: each case is run through both, each in a transaction that
// is rolled back, on the same stored records, and must find the same record (or both create one). Then what only the
// one-statement path does: the device row, and concurrent forms for the same newcomer making one record.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { testContext, type TestContext } from '../../../test/helpers';
import type { DbOrTx } from '../../platform/db/types';
import { findOrCreatePerson, findOrCreatePublicWithDevice, type FindOrCreateInput } from './service';
import { deviceRegistry } from './devices';
import { normalizeName } from './normalize';

let t: TestContext;
let commune: string;
const now = new Date('2021-08-10T03:00:00Z');
let phoneSeq = 0;
const newPhone = () => `+8497${String(++phoneSeq).padStart(7, '0')}`;

beforeAll(async () => {
  t = await testContext();
  commune = (await t.db.selectFrom('admin_units').select('code').where('level', '=', 'commune').limit(1).executeTakeFirstOrThrow()).code;
});
afterAll(async () => {
  await t?.close();
});

async function stored(phone: string, fields: { name?: string; birthYear?: number | null; nationalId?: string | null; createdAt?: string }) {
  const name = fields.name ?? 'Trần Văn Bình';
  const r = await sql<{ id: string }>`
    insert into persons (full_name, name_key, birth_year, national_id, phone, commune_code, source, created_at, last_seen_at)
    values (${name}, ${normalizeName(name)}, ${fields.birthYear ?? null}, ${fields.nationalId ?? null},
            ${phone}, ${commune}, 'checkin', ${fields.createdAt ?? '2021-01-01T00:00:00Z'}, '2021-01-01T00:00:00Z')
    returning id::text`.execute(t.db);
  return r.rows[0]!.id;
}

/** Runs `fn` in a transaction that is rolled back; returns what it returned. */
async function rolledBack<T>(fn: (tx: DbOrTx) => Promise<T>): Promise<T> {
  let out: T | undefined;
  await t.db
    .transaction()
    .execute(async (tx) => {
      out = await fn(tx);
      throw new Error('rollback');
    })
    .catch((err: Error) => {
      if (err.message !== 'rollback') throw err;
    });
  return out!;
}

const opts = () => ({ resolver: t.app.vigil.access.resolver, now, source: 'checkin' as const, prefix: 'body.people.0' });

/** What each path does with `input`: the id it matched, or 'new' (and the new record's national id). */
async function both(input: FindOrCreateInput) {
  const outcome = async (r: { id: string; created: boolean }, tx: DbOrTx) =>
    r.created ? `new(${(await tx.selectFrom('persons').select('national_id').where('id', '=', r.id).executeTakeFirstOrThrow()).national_id ?? '-'})` : r.id;
  const ts = await rolledBack(async (tx) => outcome(await findOrCreatePerson(tx, input, { ...opts(), trust: 'public' }), tx));
  const one = await rolledBack(async (tx) => outcome(await findOrCreatePublicWithDevice(tx, input, { ...opts(), origin: 'form' }), tx));
  return { ts, one };
}

describe('first-visit form in one statement', () => {
  it('matches the same record as findOrCreatePerson (public) in every matching case', async () => {
    const cases: { name: string; setup: (phone: string) => Promise<string | null>; input: (phone: string) => FindOrCreateInput }[] = [
      { name: 'nobody with this phone', setup: async () => null, input: (phone) => ({ fullName: 'Trần Văn Bình', phone, birthYear: 1980, communeCode: commune }) },
      {
        name: 'phone, name and year agree: the oldest of two',
        setup: async (phone) => {
          await stored(phone, { birthYear: 1980, createdAt: '2021-03-01T00:00:00Z' });
          return stored(phone, { birthYear: 1980, createdAt: '2021-02-01T00:00:00Z' });
        },
        input: (phone) => ({ fullName: 'trần  văn bình', phone, birthYear: 1980, communeCode: commune }),
      },
      { name: 'another birth year', setup: async (phone) => (await stored(phone, { birthYear: 1981 }), null), input: (phone) => ({ fullName: 'Trần Văn Bình', phone, birthYear: 1980, communeCode: commune }) },
      { name: 'stored year unknown', setup: async (phone) => (await stored(phone, { birthYear: null }), null), input: (phone) => ({ fullName: 'Trần Văn Bình', phone, birthYear: 1980, communeCode: commune }) },
      { name: 'another name', setup: async (phone) => (await stored(phone, { name: 'Lê Thị Hoa', birthYear: 1980 }), null), input: (phone) => ({ fullName: 'Trần Văn Bình', phone, birthYear: 1980, communeCode: commune }) },
      {
        name: 'conflicting ID numbers',
        setup: async (phone) => (await stored(phone, { birthYear: 1980, nationalId: '001080000001' }), null),
        input: (phone) => ({ fullName: 'Trần Văn Bình', phone, birthYear: 1980, communeCode: commune, nationalId: '001080000002' }),
      },
      {
        name: 'same ID number on the stored record (typed-in ID numbers never match; the new record does not take it)',
        setup: async (phone) => (await stored(phone, { birthYear: 1980, nationalId: '001080000003' }), null),
        input: (phone) => ({ fullName: 'Trần Văn Bình', phone, birthYear: 1980, communeCode: commune, nationalId: '001080000003' }),
      },
      {
        name: 'ID number typed on a match without one',
        setup: async (phone) => stored(phone, { birthYear: 1980 }),
        input: (phone) => ({ fullName: 'Trần Văn Bình', phone, birthYear: 1980, communeCode: commune, nationalId: '001080000004' }),
      },
    ];
    for (const c of cases) {
      const phone = newPhone();
      const expected = await c.setup(phone);
      const { ts, one } = await both(c.input(phone));
      expect({ case: c.name, one }).toEqual({ case: c.name, one: ts });
      if (expected) expect({ case: c.name, ts }).toEqual({ case: c.name, ts: expected });
      else expect(ts, c.name).toMatch(/^new\(/);
    }
  });

  it('refuses invalid details before touching the database, naming the field', async () => {
    await expect(findOrCreatePublicWithDevice(t.db, { fullName: 'Trần Văn Bình', phone: '12', birthYear: 1980, communeCode: commune }, { ...opts(), origin: 'form' })).rejects.toMatchObject({
      statusCode: 400,
      details: [{ path: 'body.people.0.phone' }],
    });
  });

  it('writes the phone’s device row with the person: its token verifies and names the person; a matched record only moves last_seen_at', async () => {
    const phone = newPhone();
    const id = await stored(phone, { birthYear: 1975 });
    const r = await findOrCreatePublicWithDevice(t.db, { fullName: 'Trần Văn Bình', phone, birthYear: 1975, communeCode: commune }, { ...opts(), origin: 'form' });
    expect(r).toMatchObject({ id, created: false });
    const row = await t.db.selectFrom('persons').select(['full_name', 'last_seen_at', 'updated_at']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.full_name).toBe('Trần Văn Bình');
    expect(row.last_seen_at.toISOString()).toBe(now.toISOString());
    const device = await t.db.selectFrom('person_devices').selectAll().where('id', '=', r.deviceId).executeTakeFirstOrThrow();
    expect(device).toMatchObject({ person_id: id, origin: 'form', revoked_at: null });
    const registry = deviceRegistry(t.app.vigil);
    const token = registry.issued(r.id, r.deviceId, now);
    expect(await registry.verify(token, now)).toEqual({ personId: id, deviceId: r.deviceId });
  });

  it('commits without waiting for the flush only when asked, outside a transaction, and leaves the connection as it was', async () => {
    const input = () => ({ fullName: 'Võ Văn Hùng', phone: newPhone(), birthYear: 1970, communeCode: commune });
    await Promise.all(Array.from({ length: 12 }, () => findOrCreatePublicWithDevice(t.db, input(), { ...opts(), origin: 'form', flushLater: true })));
    const settings = await Promise.all(Array.from({ length: 12 }, () => sql<{ s: string }>`select current_setting('synchronous_commit') as s`.execute(t.db)));
    expect(settings.map((r) => r.rows[0]!.s)).toEqual(Array(12).fill('on'));
    // inside a caller's transaction the caller's commit decides: the setting is not touched
    await rolledBack(async (tx) => {
      await findOrCreatePublicWithDevice(tx, input(), { ...opts(), origin: 'form', flushLater: true });
      expect((await sql<{ s: string }>`select current_setting('synchronous_commit') as s`.execute(tx)).rows[0]!.s).toBe('on');
    });
  });

  it('makes one record when the same newcomer’s forms arrive at once, and a device row for each phone', async () => {
    const phone = newPhone();
    const input = { fullName: 'Phạm Thị Lan', phone, birthYear: 1990, communeCode: commune };
    const rs = await Promise.all(Array.from({ length: 8 }, () => findOrCreatePublicWithDevice(t.db, input, { ...opts(), origin: 'form' })));
    expect(new Set(rs.map((r) => r.id)).size).toBe(1);
    expect(rs.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(rs.map((r) => r.deviceId)).size).toBe(8);
    const n = await t.db.selectFrom('persons').select((eb) => eb.fn.countAll<string>().as('n')).where('phone', '=', phone).executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(1);
  });
});
