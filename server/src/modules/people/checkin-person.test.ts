// The check-in's first-visit form in one statement (findOrCreatePublicWithDevice, SQL function of migration 0005)
// decides like findOrCreatePerson does for public input: each case is run through both, each in a transaction that
// is rolled back, on the same stored records, and must find the same record (or both create one). Then what only the
// one-statement path does: the device row, and concurrent forms for the same newcomer making one record.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { testContext, type TestContext } from '../../../test/helpers';
import type { DbOrTx } from '../../platform/db/types';
import { findOrCreatePerson, findOrCreatePublicWithDevice, validatePublicPerson, type FindOrCreateInput } from './service';
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

// people_find_or_create_many (migration 0006): the check-in batch's forms in one call. Its answers must be those of
// people_find_or_create_with_device called for each form in order (the batch's rule before it became set-based).
describe('first-visit forms as a set (people_find_or_create_many)', () => {
  type Row = { n: number; person: string; created: boolean; device: string };
  const columns = async (inputs: FindOrCreateInput[]) => {
    const vs = await Promise.all(inputs.map((i) => validatePublicPerson(i, opts())));
    const col = <K extends keyof (typeof vs)[number]>(k: K) => vs.map((v) => v[k]);
    return sql`${col('full_name')}::text[], ${col('name_key')}::text[], ${col('birth_date')}::date[], ${col('birth_year')}::smallint[],
      ${col('sex')}::text[], ${col('national_id')}::text[], ${col('phone')}::text[], ${col('address')}::text[], ${col('commune_code')}::text[],
      'checkin', 'form', ${vs.map(() => now.toISOString())}::timestamptz[]`;
  };
  /** The set function's rows, in form order. */
  const many = async (tx: DbOrTx, inputs: FindOrCreateInput[]) =>
    (await sql<Row>`select n, person::text, created, device::text from people_find_or_create_many(${await columns(inputs)}) order by n`.execute(tx)).rows;
  /** The same forms through the single function, one after the other. */
  const oneByOne = async (tx: DbOrTx, inputs: FindOrCreateInput[]) => {
    const out: Row[] = [];
    for (const [i, v] of (await Promise.all(inputs.map((x) => validatePublicPerson(x, opts())))).entries()) {
      const r = await sql<{ o_person: string; o_created: boolean; o_device: string }>`
        select o_person::text, o_created, o_device::text from people_find_or_create_with_device(
          ${v.full_name}, ${v.name_key}, ${v.birth_date}::date, ${v.birth_year}::smallint, ${v.sex}, ${v.national_id},
          ${v.phone}, ${v.address}, ${v.commune_code}, 'checkin', 'form', ${now}::timestamptz)`.execute(tx);
      out.push({ n: i + 1, person: r.rows[0]!.o_person, created: r.rows[0]!.o_created, device: r.rows[0]!.o_device });
    }
    return out;
  };
  /**
   * What a run decided, comparable between runs: per form, the stored record it got ('new#k': the record form k
   * created; else the stored id), whether created, and the record's ID number; one device row per form.
   */
  const outcome = async (tx: DbOrTx, rows: Row[]) => {
    const firstOf = new Map<string, number>();
    for (const r of rows) if (r.created && !firstOf.has(r.person)) firstOf.set(r.person, r.n);
    const devices = await tx.selectFrom('person_devices').select(['id', 'person_id']).where('id', 'in', rows.map((r) => r.device)).execute();
    expect(devices).toHaveLength(rows.length);
    for (const r of rows) expect(devices.find((d) => d.id === r.device)?.person_id).toBe(r.person);
    return Promise.all(
      rows.map(async (r) => {
        const p = await tx.selectFrom('persons').select(['national_id', 'last_seen_at']).where('id', '=', r.person).executeTakeFirstOrThrow();
        return { n: r.n, record: firstOf.has(r.person) ? `new#${firstOf.get(r.person)}` : r.person, created: r.created, nid: p.national_id, seen: p.last_seen_at.toISOString() };
      }),
    );
  };
  const compare = async (inputs: FindOrCreateInput[]) => {
    const set = await rolledBack(async (tx) => outcome(tx, await many(tx, inputs)));
    const seq = await rolledBack(async (tx) => outcome(tx, await oneByOne(tx, inputs)));
    expect(set).toEqual(seq);
    return set;
  };
  const person = (phone: string, over: Partial<FindOrCreateInput> = {}): FindOrCreateInput => ({ fullName: 'Trần Văn Bình', phone, birthYear: 1980, communeCode: commune, ...over });

  it('decides each matching case as the forms one by one would, for forms that share no phone or ID number (one statement)', async () => {
    const a = newPhone();
    const matched = await stored(a, { birthYear: 1980 });
    const b = newPhone();
    await stored(b, { birthYear: 1980, nationalId: '001080000011' });
    const c = newPhone();
    await stored(c, { birthYear: 1981 });
    const d = newPhone();
    const withNid = await stored(d, { birthYear: 1980 });
    const held = newPhone();
    await stored(held, { name: 'Lê Thị Hoa', nationalId: '001080000012' });
    const inputs = [
      person(a, { fullName: 'trần  văn bình' }), // phone, name and year agree
      person(b, { nationalId: '001080000013' }), // ID numbers conflict: a new record
      person(c), // another birth year
      person(d, { nationalId: '001080000014' }), // ID number typed on a match without one
      person(newPhone(), { nationalId: '001080000012' }), // a new record, without the ID number another record holds
      person(newPhone(), { fullName: 'Hoàng Văn Cường' }), // nobody with this phone
    ];
    const out = await compare(inputs);
    expect(out.map((o) => o.created)).toEqual([false, true, true, false, true, true]);
    expect(out[0]!.record).toBe(matched);
    expect(out[3]!.record).toBe(withNid);
    expect(out[0]!.seen).toBe(now.toISOString()); // only last_seen_at moves on a match
    expect(out[4]!.nid).toBeNull();
  });

  it('gives forms sharing a phone or an ID number within the call the answers of one after the other', async () => {
    const same = newPhone();
    const household = newPhone();
    const out = await compare([
      person(same), // a newcomer …
      person(newPhone()),
      person(same), // … from a second phone in the same batch: the record just created
      person(household, { fullName: 'Lê Thị Hoa' }),
      person(household, { fullName: 'Lê Văn Hải', birthYear: 2015 }), // a household on one phone: two records
      person(newPhone(), { fullName: 'Đỗ Văn Minh', nationalId: '001080000021' }),
      person(newPhone(), { fullName: 'Đỗ Thị Mai', nationalId: '001080000021' }), // the same ID number typed again: not taken twice
      person(same, { nationalId: '001080000022' }), // the newcomer's record has no ID number: matched, not taken
    ]);
    expect(out.map((o) => [o.record, o.created])).toEqual([
      ['new#1', true],
      ['new#2', true],
      ['new#1', false],
      ['new#4', true],
      ['new#5', true],
      ['new#6', true],
      ['new#7', true],
      ['new#1', false],
    ]);
    expect(out[5]!.nid).toBe('001080000021');
    expect(out[6]!.nid).toBeNull();
  });
});
