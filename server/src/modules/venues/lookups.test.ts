// Check-in look-ups by person as officers type them, totals that follow the filter, and exports: local times,
// headers in the user's language (or stable codes), full numbers only for roles that call people, with a reason.
import ExcelJS from 'exceljs';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type TestContext } from '../../../test/helpers';
import type { Database } from '../../platform/db/types';
import { peopleAdapter } from './people-adapter';
import { deviceRegistry } from '../people/index';
import { communes, createVenue, form, uuid } from './test-fixtures';

const now = new Date('2021-08-02T02:00:00Z'); // 09:00 in Asia/Ho_Chi_Minh
let t: TestContext;
let c: Awaited<ReturnType<typeof communes>>;
let cdc: { headers: Record<string, string> };
let venueA: Awaited<ReturnType<typeof createVenue>>;
let venueB: Awaited<ReturnType<typeof createVenue>>;
let khoa: string; // person id, with a national ID
let lan: string;
const range = `from=${new Date(now.getTime() - 3600_000).toISOString()}&to=${new Date(now.getTime() + 3600_000).toISOString()}`;

const checkin = async (token: string, person: Record<string, unknown>) => {
  const res = await t.app.inject({ method: 'POST', url: '/api/checkins', payload: { clientId: uuid(), venueToken: token, people: [person] } });
  if (res.statusCode !== 201) throw new Error(res.body);
  return res.json().results[0].people[0] as { personId: string; token: string };
};

beforeAll(async () => {
  t = await testContext({ clock: () => now });
  c = await communes(t.db);
  cdc = await t.login('cdc_officer', '40');
  venueA = await createVenue(t.app, cdc.headers, { communeCode: c.a, name: 'Chợ Vinh' });
  venueB = await createVenue(t.app, cdc.headers, { communeCode: c.b, name: 'Siêu thị Nghi Lộc' });
  const created = await t.app.inject({
    method: 'POST',
    url: '/api/people',
    headers: cdc.headers,
    payload: { fullName: 'Hồ Văn Khoa', phone: '0911000001', nationalId: '040085001234', birthYear: 1985, communeCode: c.a },
  });
  expect(created.statusCode, created.body).toBe(201);
  khoa = created.json().person.id;
  // Khoa checks in at both venues (by the form: same phone and name find his record), Lan at venue B
  await checkin(venueA.token, { ...form({ fullName: 'Hồ Văn Khoa', phone: '0911000001' }), communeCode: c.a });
  await checkin(venueB.token, { ...form({ fullName: 'Hồ Văn Khoa', phone: '0911000001' }), communeCode: c.a });
  lan = (await checkin(venueB.token, { ...form({ fullName: 'Hồ Thị Lan', phone: '0911000002' }), communeCode: c.b })).personId;
});
afterAll(async () => {
  await t?.close();
});

const get = (url: string, headers = cdc.headers) => t.app.inject({ method: 'GET', url, headers });

describe('look-up by person as typed', () => {
  it('finds a person by phone (any writing), CCCD or part of the name, and the totals count only them', async () => {
    for (const typed of ['0911 000 001', '+84911000001', '040085001234', 'van khoa', 'Hồ Văn Khoa']) {
      const r = await get(`/api/checkins?${range}&person=${encodeURIComponent(typed)}`);
      expect(r.statusCode, `${typed}: ${r.body}`).toBe(200);
      expect(r.json().items.map((i: { personId: string }) => i.personId), typed).toEqual([khoa, khoa]);
      expect(r.json().total).toBe(2);
      const s = await get(`/api/checkins/stats?${range}&person=${encodeURIComponent(typed)}`);
      expect(s.statusCode, s.body).toBe(200);
      expect(s.json().total, typed).toEqual({ checkins: 2, people: 1 });
    }
    // everyone: 3 check-ins, 2 people
    expect((await get(`/api/checkins/stats?${range}`)).json().total).toEqual({ checkins: 3, people: 2 });
    // by record id too (links from the person page)
    expect((await get(`/api/checkins/stats?${range}&personId=${lan}`)).json().total).toEqual({ checkins: 1, people: 1 });
    // someone nobody has seen: nothing, not everything
    const none = await get(`/api/checkins?${range}&person=0987654321`);
    expect(none.json()).toEqual({ items: [], total: 0 });
  });

  it('a phone number where a record id was expected gets a clear, catalogued error naming the field', async () => {
    const r = await get(`/api/checkins?${range}&personId=0911000001`);
    expect(r.statusCode).toBe(400);
    expect(r.json().error.code).toBe('PERSON_ID_INVALID');
    expect(r.json().error.message).not.toMatch(/pattern|\^\[/);
    expect(r.json().error.details[0].path).toBe('query.personId');
    // a name part thousands share: told to narrow it, not shown an arbitrary 200 of them
    await t.db
      .insertInto('persons')
      .values(Array.from({ length: 201 }, (_, i) => ({ full_name: `Trần Thị Mai ${i}`, name_key: `tran thi mai ${i}`, commune_code: c.a })))
      .execute();
    const broad = await get(`/api/checkins?${range}&person=${encodeURIComponent('Trần Thị')}`);
    expect(broad.statusCode).toBe(400);
    expect(broad.json().error).toMatchObject({ code: 'PERSON_QUERY_TOO_BROAD', details: [{ path: 'query.person' }] });
    const junk = await get(`/api/checkins?${range}&person=${encodeURIComponent('?!.')}`);
    expect(junk.statusCode).toBe(400);
    expect(junk.json().error.details[0].path).toBe('query.person');
  });

  it('audits a look-up by person with how it was searched, never the typed value', async () => {
    await get(`/api/checkins?${range}&person=0911000001`);
    const row = await t.db.selectFrom('audit_log').select(['subject_type', 'subject_id', 'details']).where('action', '=', 'checkins.read').orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ subject_type: 'person', subject_id: khoa });
    expect(JSON.stringify(row.details)).toContain('"personBy":"phone"');
    expect(JSON.stringify(row.details)).not.toContain('0911000001');
  });
});

describe('exports', () => {
  const csvOf = (body: string) => body.replace(/^\uFEFF/, '').trim().split('\r\n').map((l) => l.split(','));

  it('writes times in the deployment time zone and headers in the chosen language, or as stable codes', async () => {
    const vi = await get(`/api/checkins/export?${range}&venueId=${venueA.venue.id}&reason=F0%20tracing`);
    expect(vi.statusCode, vi.body).toBe(200);
    const [head, row] = csvOf(vi.body);
    expect(head).toContain('Họ và tên');
    expect(head).toContain('Giờ vào');
    expect(row![head!.indexOf('Giờ vào')]).toBe('2021-08-02T09:00:00+07:00');
    const en = csvOf((await get(`/api/checkins/export?${range}&venueId=${venueA.venue.id}&reason=F0%20tracing&lang=en`)).body);
    expect(en[0]).toContain('Checked in');
    const code = csvOf((await get(`/api/checkins/export?${range}&venueId=${venueA.venue.id}&reason=F0%20tracing&headers=code&lang=en`)).body);
    expect(code[0]).toEqual([
      'checkin_id', 'person_id', 'person_name', 'person_phone', 'person_national_id', 'venue_code', 'venue_name', 'commune_code',
      'entrance', 'checkin_at', 'checkout_at', 'effective_checkout_at', 'source', 'stay_state',
    ]);
    expect(code[1]![code[0]!.indexOf('stay_state')]).toBe('open');
    // the workbook says the same
    const x = await get(`/api/checkins/export?${range}&venueId=${venueA.venue.id}&reason=F0%20tracing&format=xlsx`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    expect(ws.getRow(1).getCell(10).value).toBe('Giờ vào');
    expect(ws.getRow(2).getCell(10).value).toBe('2021-08-02T09:00:00+07:00');
  });

  it('gives full phone numbers to roles that call people and ID numbers to those who may open records; masked otherwise', async () => {
    const tracer = await t.login('contact_tracer', '40');
    const commune = await t.login('commune_officer', c.a);
    const op = await t.login('venue_operator', c.a);
    await t.db.insertInto('venue_operators').values({ user_id: op.id, venue_id: venueA.venue.id }).execute();
    const q = `/api/checkins/export?${range}&venueId=${venueA.venue.id}&headers=code`;
    const cols = (body: string) => {
      const [h, r] = csvOf(body);
      return { phone: r![h!.indexOf('person_phone')], nationalId: r![h!.indexOf('person_national_id')] };
    };
    expect(cols((await get(`${q}&reason=calling%20F1`, tracer.headers)).body)).toEqual({ phone: '+84911000001', nationalId: '040085001234' });
    expect(cols((await get(`${q}&reason=calling%20F1`, commune.headers)).body)).toEqual({ phone: '+84911000001', nationalId: '040085001234' });
    // the provincial CDC reads records (ID) but does not call: masked phone
    expect(cols((await get(`${q}&reason=report`)).body)).toEqual({ phone: '••••••••001', nationalId: '040085001234' });
    // the venue's operator: masked, no ID; no reason needed for that
    const opRes = await get(q, op.headers);
    expect(opRes.statusCode, opRes.body).toBe(200);
    expect(cols(opRes.body)).toEqual({ phone: '••••••••001', nationalId: '' });

    // full numbers need a reason; the audit row says what left unmasked and why
    const noReason = await get(q, tracer.headers);
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().error).toMatchObject({ code: 'REASON_REQUIRED', details: [{ path: 'query.reason' }] });
    const audit = await t.db
      .selectFrom('audit_log')
      .select(['reason', 'details', 'actor_id'])
      .where('action', '=', 'checkins.export')
      .where('actor_id', '=', tracer.id)
      .executeTakeFirstOrThrow();
    expect(audit.reason).toBe('calling F1');
    expect(audit.details).toMatchObject({ unmasked: ['phone', 'national_id'], rows: 1 });
  });

  it('exports thousands of rows across pages with the persons looked up in batches', async () => {
    // 4,100 stays of 4,100 people at venue A (three export pages), 100 of them merged into another record
    const people = await t.db
      .insertInto('persons')
      .values(Array.from({ length: 4100 }, (_, i) => ({ full_name: `Người ${i}`, name_key: `nguoi ${i}`, phone: `+8491${String(2000000 + i).padStart(7, '0')}`, commune_code: c.a })))
      .returning('id')
      .execute();
    const kept = people[0]!.id;
    await t.db.updateTable('persons').set({ merged_into: kept, merged_at: now }).where('id', 'in', people.slice(1, 101).map((p) => p.id)).execute();
    const at = new Date(now.getTime() - 1800_000);
    for (let i = 0; i < people.length; i += 1000)
      await t.db
        .insertInto('checkins')
        .values(people.slice(i, i + 1000).map((p) => ({ client_id: uuid(), person_id: p.id, venue_id: venueA.venue.id, entrance_id: venueA.entrances[0]!.id, checkin_at: at, auto_checkout_at: new Date(at.getTime() + 3600_000), source: 'import' })))
        .execute();

    const res = await get(`/api/checkins/export?${range}&venueId=${venueA.venue.id}&headers=code&reason=bulk`);
    expect(res.statusCode).toBe(200);
    const rows = csvOf(res.body);
    expect(rows).toHaveLength(1 + 4101);
    const name = rows[0]!.indexOf('person_name');
    const byName = new Map<string, number>();
    for (const r of rows.slice(1)) byName.set(r[name]!, (byName.get(r[name]!) ?? 0) + 1);
    expect(byName.get('Người 0')).toBe(101); // the merged records show the surviving one
    expect(byName.get('Người 4099')).toBe(1);
    expect(rows.slice(1).every((r) => r[name] !== '')).toBe(true);

    // the people port: a constant number of queries per batch, not two per row
    let queries = 0;
    const counting = new Kysely<Database>({ dialect: new PostgresDialect({ pool: t.database.pool }), log: () => void queries++ });
    const port = peopleAdapter(t.app.vigil.keys, t.app.vigil.access.resolver, deviceRegistry(t.app.vigil));
    const briefs = await port.briefs(counting, people.slice(0, 2000).map((p) => p.id));
    expect(briefs.size).toBe(2000);
    expect(briefs.get(people[50]!.id)!.name).toBe('Người 0');
    expect(queries).toBeLessThanOrEqual(3);
  });
});

describe("a person's last 14 days", () => {
  it('lists every check-in of a person the officer may read, with venues and times, and audits it', async () => {
    // an older stay, outside the 14 days
    const old = new Date(now.getTime() - 20 * 86400_000);
    // check-ins are partitioned by UTC day: a stay 20 days back needs its day's partition, as the insert path makes it
    const day = old.toISOString().slice(0, 10);
    await sql`select checkins_create_partitions(${day}::date, ${day}::date)`.execute(t.db);
    await t.db
      .insertInto('checkins')
      .values({ client_id: uuid(), person_id: khoa, venue_id: venueA.venue.id, entrance_id: null, checkin_at: old, auto_checkout_at: new Date(old.getTime() + 3600_000), source: 'import' })
      .execute();
    const home = await t.login('commune_officer', c.a); // Khoa's home commune
    const r = await get(`/api/people/${khoa}/checkins`, home.headers);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().scope).toBe('person');
    // both venues, also the one in another district, newest first; not the stay of 20 days ago
    expect(r.json().items.map((i: { venue: { name: string } }) => i.venue.name).sort()).toEqual(['Chợ Vinh', 'Siêu thị Nghi Lộc']);
    expect(r.json().items[0]).toMatchObject({ checkinAt: now.toISOString(), entrance: expect.any(String) });
    const audit = await t.db.selectFrom('audit_log').select(['subject_id', 'details']).where('action', '=', 'person.checkins.read').where('actor_id', '=', home.id).executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ subject_id: khoa, details: { days: 14, scope: 'person', rows: 2 } });
    // 30 days when asked
    expect((await get(`/api/people/${khoa}/checkins?days=30`, home.headers)).json().items).toHaveLength(3);
  });

  it('shows an officer of another area only the stays at their own venues, and refuses those without check-in rights', async () => {
    const other = await t.login('commune_officer', c.b);
    const r = await get(`/api/people/${khoa}/checkins`, other.headers);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ scope: 'venues' });
    expect(r.json().items.map((i: { venue: { name: string } }) => i.venue.name)).toEqual(['Siêu thị Nghi Lộc']);
    // another province's officer learns nothing about where this person went
    const far = await t.login('cdc_officer', '01');
    const farRes = await get(`/api/people/${khoa}/checkins`, far.headers);
    expect(farRes.statusCode, farRes.body).toBe(200);
    expect(farRes.json()).toMatchObject({ scope: 'venues', items: [], total: 0 });
    const op = await t.login('venue_operator', c.a);
    expect((await get(`/api/people/${khoa}/checkins`, op.headers)).statusCode).toBe(403);
    expect((await get(`/api/people/${uuid()}/checkins`)).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: `/api/people/${khoa}/checkins` })).statusCode).toBe(401);
  });
});
