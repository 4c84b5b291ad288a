// A small vaccination world for the tests (not imported by production code): a campaign in Nghệ An with a site in
// commune A, a lot, a session with slots on a pinned day, people written straight into the registry.
import { sql } from 'kysely';
import type { LoggedIn, TestContext } from '../../../test/helpers';

export interface VaccWorld {
  commune: string;
  otherCommune: string;
  cdc: LoggedIn;
  campaignId: string;
  siteId: string;
  lotId: string;
  sessionId: string;
  /** slot ids of the session, in time order */
  slots: string[];
  person(name: string, opts?: { birthYear?: number; birthDate?: string; commune?: string; nationalId?: string; phone?: string }): Promise<string>;
  /** a session of the same site on another day; returns its slot ids */
  session(day: string, productCode?: string): Promise<string[]>;
  register(personId: string): Promise<void>;
}

let seq = 0;

export async function vaccWorld(t: TestContext, day: string, opts: { capacityPerHour?: number; product?: string } = {}): Promise<VaccWorld> {
  const communes = await t.db.selectFrom('admin_units').select(['code', 'parent_code']).where('level', '=', 'commune').where('path', 'like', '/VN/40/%').orderBy('code').execute();
  const commune = communes[0]!.code;
  const otherCommune = communes.find((c) => c.parent_code !== communes[0]!.parent_code)!.code;
  const cdc = await t.login('cdc_officer', '40');
  const product = opts.product ?? 'EU/1/20/1528';
  const post = async (url: string, payload: object) => {
    const r = await t.app.inject({ method: 'POST', url, headers: cdc.headers, payload });
    if (r.statusCode >= 300) throw new Error(`${url}: ${r.statusCode} ${r.body}`);
    return r.json();
  };
  const n = ++seq;
  const { id: campaignId } = await post('/api/vaccination/campaigns', {
    name: `Chiến dịch ${n}`,
    unitCode: '40',
    startsOn: '2021-01-01',
    endsOn: '2022-12-31',
    productCodes: ['EU/1/20/1528', 'EU/1/21/1529', 'BBIBP-CorV'],
    priorityCodes: ['g01-health', 'g07-teachers', 'g08-chronic'],
  });
  const { id: siteId } = await post('/api/vaccination/sites', {
    code: `TYT-${process.pid}-${n}`,
    name: `Trạm y tế ${n}`,
    address: 'Số 1 Lê Lợi',
    communeCode: commune,
    capacityPerHour: opts.capacityPerHour ?? 4,
    openingHours: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '07:30', to: '11:30' }],
  });
  const { id: lotId } = await post(`/api/vaccination/sites/${siteId}/lots`, { productCode: product, lotNumber: `LOT${n}`, expiresOn: '2022-06-30', quantity: 500 });
  const session = async (d: string, p = product) => {
    const s = await post(`/api/vaccination/campaigns/${campaignId}/sessions`, { siteId, day: d, productCode: p });
    const r = await sql<{ id: string }>`select id from vaccination_slots where session_id = ${s.id} order by starts_at`.execute(t.db);
    return { id: s.id as string, slots: r.rows.map((x) => x.id) };
  };
  const first = await session(day);
  return {
    commune,
    otherCommune,
    cdc,
    campaignId,
    siteId,
    lotId,
    sessionId: first.id,
    slots: first.slots,
    async person(name, o = {}) {
      const k = ++seq;
      const r = await t.db
        .insertInto('persons')
        .values({
          full_name: name,
          name_key: name.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd'),
          phone: o.phone ?? `+8492${String(1_000_000 + k * 41 + (process.pid % 1000)).slice(-7)}`,
          birth_year: o.birthDate ? Number(o.birthDate.slice(0, 4)) : (o.birthYear ?? 1980),
          birth_date: o.birthDate ?? null,
          national_id: o.nationalId ?? null,
          commune_code: o.commune ?? commune,
          source: 'officer',
        } as never)
        .returning('id')
        .executeTakeFirstOrThrow();
      return (r as { id: string }).id;
    },
    session: async (d, p) => (await session(d, p)).slots,
    async register(personId) {
      await sql`insert into vaccination_registrations (campaign_id, person_id, channel, commune_code) values (${campaignId}, ${personId}, 'staff', ${commune}) on conflict do nothing`.execute(t.db);
    },
  };
}
