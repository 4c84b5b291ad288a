// Bulk find-or-create (findOrCreatePeople, bulk.ts) decides as consecutive calls of findOrCreatePerson with staff
// trust do: the same list of people is run through both on the same stored records (the single calls in a
// transaction rolled back, then the bulk call for real) and must match the same records, create as many and fill in
// the same fields. Then concurrent bulk calls (and a single call among them) naming overlapping new people make one
// record per person, without deadlock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { testContext, type TestContext } from '../../../test/helpers';
import type { DbOrTx } from '../../platform/db/types';
import { findOrCreatePerson, type FindOrCreateInput } from './service';
import { findOrCreatePeople } from './bulk';
import { normalizeName } from './normalize';

let t: TestContext;
let commune: string;
const now = new Date('2021-08-10T03:00:00Z');

beforeAll(async () => {
  t = await testContext();
  commune = (await t.db.selectFrom('admin_units').select('code').where('level', '=', 'commune').limit(1).executeTakeFirstOrThrow()).code;
});
afterAll(async () => {
  await t?.close();
});

async function stored(fields: { name: string; phone?: string | null; birthYear?: number | null; nationalId?: string | null; createdAt?: string; commune?: string | null }) {
  const r = await sql<{ id: string }>`
    insert into persons (full_name, name_key, birth_year, national_id, phone, commune_code, source, created_at, updated_at, last_seen_at)
    values (${fields.name}, ${normalizeName(fields.name)}, ${fields.birthYear ?? null}, ${fields.nationalId ?? null}, ${fields.phone ?? null},
            ${fields.commune === undefined ? commune : fields.commune}, 'officer', ${fields.createdAt ?? '2021-01-01T00:00:00Z'}, '2021-01-01T00:00:00Z', '2021-01-01T00:00:00Z')
    returning id::text`.execute(t.db);
  return r.rows[0]!.id;
}

const opts = () => ({ resolver: t.app.vigil.access.resolver, now, source: 'import' as const, prefix: 'line' });
const fields = async (db: DbOrTx, id: string) =>
  db.selectFrom('persons').select(['full_name', 'national_id', 'phone', 'birth_year', 'commune_code', 'updated_at', 'last_seen_at']).where('id', '=', id).executeTakeFirstOrThrow();

/** Outcomes as comparable words: a stored record's id, or new#k (the k-th new record of the run), or the error. */
function words(outcomes: ({ id: string; created: boolean } | { error: string })[]) {
  const fresh = new Map<string, number>();
  return outcomes.map((o) => {
    if ('error' in o) return `error:${o.error}`;
    if (!o.created && !fresh.has(o.id)) return o.id;
    if (!fresh.has(o.id)) fresh.set(o.id, fresh.size);
    return `new#${fresh.get(o.id)}`;
  });
}

describe('findOrCreatePeople', () => {
  it('matches, fills in and creates as consecutive findOrCreatePerson calls with staff trust do', async () => {
    const byNid = await stored({ name: 'Nguyễn Văn An', nationalId: '040090300001', phone: null, commune: null });
    await stored({ name: 'Nguyễn Văn An', nationalId: '040090300001', createdAt: '2021-05-01T00:00:00Z' }); // a later duplicate: the oldest wins
    const strong = await stored({ name: 'Trần Thị Bình', phone: '+84912300001', birthYear: 1980 });
    await stored({ name: 'Trần Thị Bình', phone: '+84912300001', birthYear: 1995 });
    const weak = await stored({ name: 'Lê Văn Cường', phone: '+84912300002' });
    await stored({ name: 'Phạm Thị Dung', phone: '+84912300003' });
    await stored({ name: 'Phạm Thị Dung', phone: '+84912300003' }); // two records: no weak match
    await stored({ name: 'Hoàng Văn Em', phone: '+84912300004', nationalId: '040090300099' }); // another ID: never matched
    const shared = await stored({ name: 'Võ Thị Giang', phone: '+84912300005' }); // two inputs with different IDs match it
    const inputs: FindOrCreateInput[] = [
      { fullName: 'Nguyễn Văn An', nationalId: '040090300001', phone: '0912300009', communeCode: commune },
      { fullName: 'Trần Thị Bình', phone: '0912300001', birthYear: 1980, communeCode: commune },
      { fullName: 'LÊ VĂN CƯỜNG', phone: '+84912300002', nationalId: '040090300002', communeCode: commune },
      { fullName: 'Phạm Thị Dung', phone: '0912300003', communeCode: commune },
      { fullName: 'Hoàng Văn Em', phone: '0912300004', nationalId: '040090300003', communeCode: commune },
      { fullName: 'Võ Thị Giang', phone: '0912300005', nationalId: '040090300004', communeCode: commune },
      { fullName: 'Võ Thị Giang', phone: '0912300005', nationalId: '040090300005', communeCode: commune },
      // new people of the same file: an ID line and a phone line of one newcomer; two newcomers sharing a phone and name
      { fullName: 'Đỗ Văn Hùng', phone: '0912300006', nationalId: '040090300006', communeCode: commune },
      { fullName: 'Đỗ Văn Hùng', phone: '0912300006', communeCode: commune },
      { fullName: 'Bùi Thị Lan', phone: '0912300007', nationalId: '040090300007', communeCode: commune },
      { fullName: 'Bùi Thị Lan', phone: '0912300007', nationalId: '040090300008', communeCode: commune },
      { fullName: 'Ngô Văn Minh', nationalId: '040090300009', communeCode: commune },
      // refused as the single call refuses them
      { fullName: 'Không Số', communeCode: commune },
      { fullName: '12345', nationalId: '040090300010', communeCode: commune },
      { fullName: 'Sai Xã', nationalId: '040090300011', communeCode: 'NOPE' },
    ];

    // the single calls, one after the other, in a transaction rolled back afterwards
    let single: ({ id: string; created: boolean } | { error: string })[] = [];
    let singleFields: Awaited<ReturnType<typeof fields>>[] = [];
    await t.db
      .transaction()
      .execute(async (tx) => {
        for (const input of inputs) {
          try {
            single.push(await findOrCreatePerson(tx, input, { ...opts(), requirePhone: !input.nationalId, trust: 'staff' }));
          } catch (err) {
            single.push({ error: (err as { details: { path: string }[] }).details[0]!.path });
          }
        }
        singleFields = await Promise.all([byNid, weak, shared].map((id) => fields(tx, id)));
        throw new Error('rollback');
      })
      .catch((err: Error) => {
        if (err.message !== 'rollback') throw err;
      });
    expect(await t.db.selectFrom('persons').select('id').where('full_name', '=', 'Đỗ Văn Hùng').execute()).toEqual([]);

    const bulk = (await findOrCreatePeople(t.db, inputs, { ...opts(), trust: 'staff', chunkSize: 4 })).map((o) => (o.errors ? { error: o.errors[0]!.path } : o));
    expect(words(bulk)).toEqual(words(single));
    // and what that is: the oldest holder of the ID, the strong and the weak match, the rest new or refused
    expect(words(bulk)).toEqual([
      byNid, strong, weak, 'new#0', 'new#1', shared, 'new#2', 'new#3', 'new#3', 'new#4', 'new#5', 'new#6',
      'error:line.phone', 'error:line.fullName', 'error:line.communeCode',
    ]);
    // matched records gained only their missing fields (the phone and commune of the ID match, the ID of the weak
    // match, the first ID of the shared one), as the single calls had them
    expect(await Promise.all([byNid, weak, shared].map((id) => fields(t.db, id)))).toEqual(singleFields);
    expect(singleFields.map((f) => [f.phone, f.national_id, f.commune_code])).toEqual([
      ['+84912300009', '040090300001', commune],
      ['+84912300002', '040090300002', commune],
      ['+84912300005', '040090300004', commune],
    ]);
  });

  it('concurrent bulk calls and a single call naming the same new people make one record per person', async () => {
    const person = (k: number): FindOrCreateInput =>
      k % 3 === 0
        ? { fullName: `Người Mới ${k}`, phone: `+849130${String(k).padStart(5, '0')}`, communeCode: commune }
        : { fullName: `Người Mới ${k}`, nationalId: `0400904${String(k).padStart(5, '0')}`, phone: k % 3 === 1 ? `+849130${String(k).padStart(5, '0')}` : null, communeCode: commune };
    const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
    const a = range(0, 400).map(person);
    const b = range(200, 600).reverse().map(person); // half of them the same, in the opposite order
    const c = range(100, 500).filter((k) => k % 2 === 0).map(person);
    const o = { ...opts(), trust: 'staff' as const, chunkSize: 50 };
    const [ra, rb, rc, single] = await Promise.all([
      findOrCreatePeople(t.db, a, o),
      findOrCreatePeople(t.db, b, o),
      findOrCreatePeople(t.db, c, o),
      findOrCreatePerson(t.db, person(300), { ...opts(), requirePhone: false, trust: 'staff' }),
    ]);
    const rows = await sql<{ name: string; n: number }>`select full_name as name, count(*)::int as n from persons where full_name like 'Người Mới %' group by 1`.execute(t.db);
    expect(rows.rows).toHaveLength(600);
    expect(rows.rows.filter((r) => r.n !== 1)).toEqual([]);
    // everyone got the one record of their person, whichever call created it
    const idOf = new Map<string, string>();
    for (const [list, out] of [[a, ra], [b, rb], [c, rc]] as const)
      list.forEach((p, i) => {
        const id = out[i]!.id!;
        expect(idOf.get(p.fullName) ?? id).toBe(id);
        idOf.set(p.fullName, id);
      });
    expect(single.id).toBe(idOf.get('Người Mới 300'));
    const created = [...ra, ...rb, ...rc].filter((r) => r.created).length + (single.created ? 1 : 0);
    expect(created).toBe(600);
  });
});
