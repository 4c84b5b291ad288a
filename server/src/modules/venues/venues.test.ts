import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { testContext, type TestContext } from '../../../test/helpers';
import { communes, createVenue, form, uuid } from './test-fixtures';
import { importCheckinsFile, importVenuesFile } from './index';

let now = new Date('2021-08-02T02:00:00Z');
const clock = () => now;
let t: TestContext;
let c: Awaited<ReturnType<typeof communes>>;
let cdc: { headers: Record<string, string> };
let tmp: string;

beforeAll(async () => {
  t = await testContext({ clock });
  c = await communes(t.db);
  cdc = await t.login('cdc_officer', '40');
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-venues-'));
});
afterAll(async () => {
  await t?.close();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

const checkin = async (token: string, person: Record<string, unknown>) => {
  const res = await t.app.inject({ method: 'POST', url: '/api/checkins', payload: { clientId: uuid(), venueToken: token, people: [person] } });
  if (res.statusCode !== 201) throw new Error(res.body);
  return res.json().results[0];
};

describe('venue registration and approval', () => {
  it('operator registers (pending, sees only own venues); officers of the area approve; others cannot', async () => {
    const op = await t.login('venue_operator', c.a);
    const op2 = await t.login('venue_operator', c.a);
    const v = await createVenue(t.app, op.headers, {
      communeCode: c.a,
      name: 'Nhà hàng Sen',
      type: 'restaurant',
      entrances: [{ name: 'Cửa trước' }, { name: 'Phòng VIP', kind: 'room' }],
    });
    expect(v.venue.status).toBe('pending');
    expect(v.entrances).toHaveLength(2);

    const list = (h: Record<string, string>) => t.app.inject({ method: 'GET', url: '/api/venues', headers: h }).then((r) => r.json());
    expect((await list(op.headers)).items.map((x: { id: string }) => x.id)).toEqual([v.venue.id]);
    expect((await list(op2.headers)).total).toBe(0);
    const peek = await t.app.inject({ method: 'GET', url: `/api/venues/${v.venue.id}`, headers: op2.headers });
    expect(peek.statusCode).toBe(404);
    // an operator cannot approve their own venue
    const self = await t.app.inject({ method: 'POST', url: `/api/venues/${v.venue.id}/status`, headers: op.headers, payload: { status: 'approved' } });
    expect(self.statusCode).toBe(403);
    // a commune officer of another district cannot
    const far = await t.login('commune_officer', c.b);
    const farRes = await t.app.inject({ method: 'POST', url: `/api/venues/${v.venue.id}/status`, headers: far.headers, payload: { status: 'approved' } });
    expect(farRes.statusCode).toBe(404);
    // the commune's officer can; suspension needs a reason
    const near = await t.login('commune_officer', c.a);
    const ok = await t.app.inject({ method: 'POST', url: `/api/venues/${v.venue.id}/status`, headers: near.headers, payload: { status: 'approved' } });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().venue.status).toBe('approved');
    const noReason = await t.app.inject({ method: 'POST', url: `/api/venues/${v.venue.id}/status`, headers: near.headers, payload: { status: 'suspended' } });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().error.details[0].path).toBe('body.reason');

    // operator edits the name → back to review
    const edit = await t.app.inject({ method: 'PATCH', url: `/api/venues/${v.venue.id}`, headers: op.headers, payload: { name: 'Nhà hàng Sen Vàng' } });
    expect(edit.statusCode, edit.body).toBe(200);
    expect(edit.json().venue.status).toBe('pending');

    // an officer cannot register a venue outside their jurisdiction
    const out = await t.app.inject({ method: 'POST', url: '/api/venues', headers: near.headers, payload: { name: 'X', type: 'office', communeCode: c.b } });
    expect(out.statusCode).toBe(400);
    expect(out.json().error.details[0].path).toBe('body.communeCode');
  });

  it('serves posters (PDF per entrance, PDF and ZIP for the venue) and a QR', async () => {
    const v = await createVenue(t.app, cdc.headers, { communeCode: c.a, entrances: [{ name: 'Cổng A' }, { name: 'Cổng B' }] });
    const one = await t.app.inject({ method: 'GET', url: `/api/venues/${v.venue.id}/entrances/${v.entrances[0]!.id}/poster.pdf`, headers: cdc.headers });
    expect(one.statusCode).toBe(200);
    expect(one.headers['content-type']).toBe('application/pdf');
    expect(one.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const all = await t.app.inject({ method: 'GET', url: `/api/venues/${v.venue.id}/posters.pdf`, headers: cdc.headers });
    expect(all.rawPayload.toString('latin1').match(/\/Type\s*\/Page(?![a-zA-Z])/g)).toHaveLength(2);
    const zip = await t.app.inject({ method: 'GET', url: `/api/venues/${v.venue.id}/posters.zip`, headers: cdc.headers });
    expect(zip.rawPayload.readUInt32LE(0)).toBe(0x04034b50);
    const qr = await t.app.inject({ method: 'GET', url: `/api/venues/${v.venue.id}/entrances/${v.entrances[1]!.id}/qr`, headers: cdc.headers });
    expect(qr.json().url).toMatch(/^http:\/\/vigil\.test\/c\/[A-Za-z0-9_.-]+$/);
    expect(qr.json().svg).toContain('<svg');
  });
});

describe('look-ups and statistics within jurisdiction', () => {
  it('shows check-ins by venue, person and area only to those allowed; exports are audited', async () => {
    const va = await createVenue(t.app, cdc.headers, { communeCode: c.a, name: 'Chợ A' });
    const vb = await createVenue(t.app, cdc.headers, { communeCode: c.b, name: 'Chợ B' });
    const p1 = await checkin(va.token, { ...form({ fullName: 'Hồ Văn Khoa', phone: '0911000001' }), communeCode: c.a });
    await checkin(vb.token, { token: p1.people[0].token });
    await checkin(vb.token, { ...form({ fullName: 'Hồ Thị Lan', phone: '0911000002' }), communeCode: c.b });
    const range = `from=${new Date(now.getTime() - 3600_000).toISOString()}&to=${new Date(now.getTime() + 3600_000).toISOString()}`;

    const distA = await t.login('district_officer', c.aDistrict);
    const byVenue = await t.app.inject({ method: 'GET', url: `/api/checkins?venueId=${va.venue.id}&${range}`, headers: distA.headers });
    expect(byVenue.statusCode, byVenue.body).toBe(200);
    expect(byVenue.json().items).toHaveLength(1);
    expect(byVenue.json().items[0]).toMatchObject({ personName: 'Hồ Văn Khoa', venue: { name: 'Chợ A' } });
    // the other district's venue is out of scope
    const other = await t.app.inject({ method: 'GET', url: `/api/checkins?venueId=${vb.venue.id}&${range}`, headers: distA.headers });
    expect(other.statusCode).toBe(403);
    // area-wide list contains only their district's venues
    const area = await t.app.inject({ method: 'GET', url: `/api/checkins?${range}&limit=500`, headers: distA.headers });
    expect(area.json().items.every((i: { venue: { communeCode: string } }) => i.venue.communeCode === c.a || i.venue.communeCode.startsWith(''))).toBe(true);
    expect(area.json().items.map((i: { venue: { name: string } }) => i.venue.name)).not.toContain('Chợ B');
    // by person (CDC, whole province): both stays
    const person = await t.app.inject({ method: 'GET', url: `/api/checkins?personId=${p1.people[0].personId}&${range}`, headers: cdc.headers });
    expect(person.json().items.map((i: { venue: { name: string } }) => i.venue.name).sort()).toEqual(['Chợ A', 'Chợ B']);

    // statistics
    const stats = await t.app.inject({ method: 'GET', url: `/api/checkins/stats?${range}&groupBy=venue`, headers: cdc.headers });
    expect(stats.statusCode, stats.body).toBe(200);
    expect(stats.json().rows[0]).toMatchObject({ label: 'Chợ B', checkins: 2, people: 2 });
    const hours = await t.app.inject({ method: 'GET', url: `/api/checkins/stats?${range}&groupBy=hour`, headers: cdc.headers });
    expect(hours.json().rows[0].key).toMatch(/^2021-08-02T09:00$/); // 02:00Z = 09:00 in Asia/Ho_Chi_Minh
    const byCommune = await t.app.inject({ method: 'GET', url: `/api/checkins/stats?${range}&groupBy=commune`, headers: distA.headers });
    expect(byCommune.json().rows.map((r: { key: string }) => r.key)).toEqual([c.a]);

    // exports: CSV and Excel, each audited
    const csv = await t.app.inject({ method: 'GET', url: `/api/checkins/export?${range}&venueId=${vb.venue.id}&reason=F0%20tracing&headers=code`, headers: cdc.headers });
    expect(csv.statusCode).toBe(200);
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toContain('person_name');
    expect(lines[0]!.endsWith(',stay_state')).toBe(true);
    expect(lines).toHaveLength(3);
    expect(lines.slice(1).every((l) => /,(open|checked_out|auto)$/.test(l))).toBe(true);
    const xlsx = await t.app.inject({ method: 'GET', url: `/api/checkins/export?${range}&format=xlsx&reason=weekly%20report`, headers: distA.headers });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    expect(wb.worksheets[0]!.rowCount).toBe(2);
    const audits = await t.db.selectFrom('audit_log').select(['action', 'reason']).where('action', '=', 'checkins.export').execute();
    expect(audits).toHaveLength(2);
    expect(audits.map((a) => a.reason)).toContain('F0 tracing');

    // a venue operator sees their own venue's check-ins only
    const op = await t.login('venue_operator', c.a);
    await t.db.insertInto('venue_operators').values({ user_id: op.id, venue_id: va.venue.id }).execute();
    const mine = await t.app.inject({ method: 'GET', url: `/api/checkins?${range}`, headers: op.headers });
    expect(mine.json().items.map((i: { venue: { name: string } }) => i.venue.name)).toEqual(['Chợ A']);
    const notMine = await t.app.inject({ method: 'GET', url: `/api/checkins?venueId=${vb.venue.id}&${range}`, headers: op.headers });
    expect(notMine.statusCode).toBe(403);
    // a citizen cannot look anything up
    const citizen = await t.login('citizen', c.a);
    expect((await t.app.inject({ method: 'GET', url: `/api/checkins?${range}`, headers: citizen.headers })).statusCode).toBe(403);
  });

  it('re-points check-ins when people are merged', async () => {
    const v = await createVenue(t.app, cdc.headers, { communeCode: c.a, name: 'Trường học' , type: 'school' });
    const a = await checkin(v.token, { ...form({ fullName: 'Ngô Văn Minh', phone: '0922000001' }), communeCode: c.a });
    const b = await checkin(v.token, { ...form({ fullName: 'Ngô Văn Minh', phone: '0922000002' }), communeCode: c.a });
    const keptId = a.people[0].personId;
    const mergedId = b.people[0].personId;
    // merged through the people module's API; its person.merged event runs our subscriber after commit
    const m = await t.app.inject({ method: 'POST', url: `/api/people/${keptId}/merge`, headers: cdc.headers, payload: { mergeId: mergedId, reason: 'same person, two phones' } });
    expect(m.statusCode, m.body).toBe(200);
    await t.events.settled();
    const moved = await t.db.selectFrom('checkins').select('person_id').where('venue_id', '=', v.venue.id).execute();
    expect(moved.map((r) => r.person_id)).toEqual([keptId, keptId]);
    // a later check-in with the merged record's card lands on the surviving record
    await checkin(v.token, { token: b.people[0].token });
    const rows = await t.db.selectFrom('checkins').select('person_id').where('venue_id', '=', v.venue.id).execute();
    expect(rows.map((r) => r.person_id)).toEqual([keptId, keptId, keptId]);
  });
});

describe('imports', () => {
  it('imports venues from CSV: valid lines in, bad lines reported with line and column', async () => {
    const file = path.join(tmp, 'venues.csv');
    await fs.writeFile(
      file,
      [
        'code,name,type,commune_code,address,default_stay_minutes',
        `IMP-1,Chợ Đô Lương,market,${c.a},Khối 1,45`,
        `IMP-2,Bệnh viện,hospital,${c.b},,`,
        `IMP-3,,market,${c.a},,`,
        `IMP-4,Quán,karaoke,${c.a},,`,
        `IMP-5,Quán,restaurant,40,,`,
        `IMP-6,Quán,restaurant,${c.a},,9999`,
        `IMP-1,Trùng mã,market,${c.a},,`,
      ].join('\n'),
    );
    const progress: number[] = [];
    const r = await importVenuesFile(t.db, file, { onProgress: (d) => progress.push(d) });
    expect(r).toMatchObject({ total: 7, imported: 2, duplicates: 0 });
    expect(r.errors).toEqual([
      { line: 4, path: 'name', message: 'is required' },
      { line: 5, path: 'type', message: expect.stringContaining('must be one of') },
      { line: 6, path: 'commune_code', message: '"40" is a province, not a commune' },
      { line: 7, path: 'default_stay_minutes', message: expect.any(String) },
      { line: 8, path: 'code', message: '"IMP-1" appears twice in the file' },
    ]);
    expect(progress.at(-1)).toBe(2);
    const v = await t.db.selectFrom('venues').selectAll().where('code', '=', 'IMP-1').executeTakeFirstOrThrow();
    expect(v).toMatchObject({ status: 'approved', default_stay_minutes: 45 });
    const e = await t.db.selectFrom('venue_entrances').select('name').where('venue_id', '=', v.id).execute();
    expect(e).toEqual([{ name: 'Lối vào chính' }]);
    // importing again: duplicates, nothing doubled
    const again = await importVenuesFile(t.db, file);
    expect(again.imported).toBe(0);
    expect(again.duplicates).toBe(2);
  });

  it('imports check-ins over HTTP only for venues in the officer’s jurisdiction', async () => {
    const csv = ['person_national_id,person_phone,person_name,venue_code,checkin_at,checkout_at', `,0912000777,Đặng Văn Tư,IMP-1,2021-08-01T08:00:00+07:00,`].join('\n');
    const upload = (headers: Record<string, string>) =>
      t.app.inject({ method: 'POST', url: '/api/checkins/import', headers: { ...headers, 'content-type': 'text/csv' }, payload: csv });
    const hanoi = await t.login('cdc_officer', '01');
    const refused = await upload(hanoi.headers);
    expect(refused.statusCode, refused.body).toBe(200);
    expect(refused.json()).toMatchObject({ total: 1, imported: 0, errors: [{ line: 2, path: 'venue_code', message: 'venue "IMP-1" is outside your jurisdiction' }] });
    expect(await t.db.selectFrom('persons').select('id').where('phone', '=', '+84912000777').execute()).toHaveLength(0);
    const ok = await upload(cdc.headers);
    expect(ok.json()).toMatchObject({ total: 1, imported: 1, errors: [] });
  });

  it('imports the readable lines of a CSV with broken quotes and reports the others by line', async () => {
    const csv = [
      'person_national_id,person_phone,person_name,venue_code,checkin_at,checkout_at',
      `,0912000781,Nguyễn "Tí" Văn,IMP-1,2021-08-01T09:00:00+07:00,`, // a stray quote inside a field: read as typed
      `,0912000782,"Lê Văn Sáu,IMP-1,2021-08-01T09:05:00+07:00,`, // an unclosed quote
      `,0912000783,Trần Văn Bảy,IMP-1,2021-08-01T09:10:00+07:00,`,
    ].join('\n');
    const res = await t.app.inject({ method: 'POST', url: '/api/checkins/import', headers: { ...cdc.headers, 'content-type': 'text/csv' }, payload: csv });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ total: 3, imported: 2, errors: [{ line: 3, path: 'line', message: expect.stringContaining('check its quotes') }] });
    const names = await t.db.selectFrom('persons').select('full_name').where('phone', 'in', ['+84912000781', '+84912000783']).orderBy('phone').execute();
    expect(names.map((n) => n.full_name)).toEqual(['Nguyễn "Tí" Văn', 'Trần Văn Bảy']);
  });

  it('round-trips the Excel template through the HTTP upload', async () => {
    const tpl = await t.app.inject({ method: 'GET', url: '/api/venues/template.xlsx', headers: cdc.headers });
    expect(tpl.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(tpl.rawPayload as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('venues')!;
    expect((ws.getRow(1).values as string[]).slice(1)).toEqual(['code', 'name', 'type', 'commune_code', 'address', 'default_stay_minutes']);
    expect(ws.getCell('C2').dataValidation?.type).toBe('list');
    ws.getRow(2).values = ['XL-1', 'Siêu thị Hà', 'supermarket', c.a, '2 Lê Lợi', 30];
    ws.getRow(3).values = ['XL-2', 'Sai xã', 'office', '99999', '', 30];
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    const up = await t.app.inject({
      method: 'POST',
      url: '/api/venues/import',
      headers: { ...cdc.headers, 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
      payload: buf,
    });
    expect(up.statusCode, up.body).toBe(200);
    expect(up.json()).toMatchObject({ total: 2, imported: 1, errors: [{ line: 3, path: 'commune_code' }] });
  });

  it('imports check-ins from CSV with per-line errors and no double counting on re-import', async () => {
    const file = path.join(tmp, 'checkins.csv');
    const at = (h: number) => new Date(now.getTime() - h * 3600_000).toISOString().replace('Z', '+00:00');
    await fs.writeFile(
      file,
      [
        'person_national_id,person_phone,person_name,venue_code,checkin_at,checkout_at',
        `,0944000001,Bùi Văn Nam,IMP-1,${at(5)},${at(4)}`,
        `040085000123,,Bùi Thị Oanh,IMP-1,${at(3)},`,
        `,0944000001,Bùi Văn Nam,NOPE,${at(3)},`,
        `,12345,Ai Đó,IMP-1,${at(3)},`,
        `,0944000003,Bùi Văn Phúc,IMP-1,2021-08-01 08:00,`,
        `,0944000004,Bùi Văn Quang,IMP-1,${at(20)},${at(5)}`,
        `,0944000005,Bùi Văn Sơn,IMP-1,${new Date(now.getTime() + 7200_000).toISOString()},`,
        `,0944000006,Bùi Văn Tâm,IMP-2,${at(30 * 24)},`,
      ].join('\n'),
    );
    const calls: [number, number][] = [];
    const r = await importCheckinsFile(t.db, t.app.vigil, file, { onProgress: (d, n) => calls.push([d, n]) });
    expect(r.imported).toBe(2);
    expect(r.errors.map((e) => [e.line, e.path])).toEqual([
      [4, 'venue_code'],
      [5, 'person_phone'],
      [6, 'checkin_at'],
      [7, 'checkout_at'],
      [8, 'checkin_at'],
      [9, 'checkin_at'],
    ]);
    expect(calls.at(-1)).toEqual([8, 8]);
    const again = await importCheckinsFile(t.db, t.app.vigil, file);
    expect(again).toMatchObject({ imported: 0, duplicates: 2 });
  });
});

describe('tracing index', () => {
  it('a venue time-range look-up uses the (venue_id, checkin_at) index on realistic data', async () => {
    const v = await createVenue(t.app, cdc.headers, { communeCode: c.a, name: 'Bến xe', type: 'station' });
    const p = await checkin(v.token, { ...form({ fullName: 'Lý Văn Tài', phone: '0955000001' }), communeCode: c.a });
    // a province's worth of venues (2,000) and ~200k check-ins over 21 days
    await sql`
      insert into venues (code, name, type, commune_code, status)
      select 'BULK-' || i, 'Địa điểm ' || i, 'other', ${c.a}, 'approved' from generate_series(1, 2000) as i`.execute(t.db);
    const venues = await t.db.selectFrom('venues').select('id').execute();
    // the day partitions the 21 days need (the check-in path creates them itself; a raw insert does not)
    await sql`select checkins_create_partitions((${now}::timestamptz - interval '22 days')::date, ${now}::date)`.execute(t.db);
    await sql`
      insert into checkins (client_id, person_id, venue_id, checkin_at, auto_checkout_at, source)
      select gen_random_uuid(), ${p.people[0].personId}::uuid, (${venues.map((x) => x.id)}::uuid[])[1 + (i % ${venues.length})],
             ${now}::timestamptz - (i * interval '9 seconds'), ${now}::timestamptz - (i * interval '9 seconds') + interval '1 hour', 'import'
      from generate_series(1, 200000) as i`.execute(t.db);
    await sql`analyze checkins`.execute(t.db);
    const { listCheckins, staysOverlapping } = await import('./checkin-reads');
    const from = new Date(now.getTime() - 24 * 3600_000);
    const to = new Date(now.getTime() - 1 * 3600_000);
    // EXPLAIN the exact query the look-up runs (parameters inlined so the planner sees real values)
    const sqlText = staysOverlapping(t.db, { communeCodes: null, venueIds: [venues[7]!.id], from, to }).select(['c.id']).compile();
    const plan = await sql.raw<{ 'QUERY PLAN': string }>(
      `explain ${sqlText.sql.replace(/\$(\d+)/g, (_, i) => {
        const val = sqlText.parameters[Number(i) - 1];
        return `'${val instanceof Date ? val.toISOString() : String(val)}'`;
      })}`,
    ).execute(t.db);
    const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
    // the (venue_id, checkin_at) index of each day partition (checkins_pYYYYMMDD_venue_id_checkin_at_…idx: since
    // cases/0006 it includes the stay's columns for tracing), and only the partitions of the days asked for (+12 h
    // before, for stays begun earlier) are read
    expect(text, text).toMatch(/checkins_p\d{8}_venue_id_checkin_at_(?:person_id_checkout_a_)?idx/);
    expect(text).not.toMatch(/Seq Scan on checkins/);
    // (the lateral "next check-in of this person" lists every partition in the plan; PostgreSQL prunes it per row at run time)
    const scanned = new Set(text.match(/on checkins_p\d{8} c_\d+/g)?.map((x) => x.split(' ')[1]));
    expect(scanned.size, text).toBeLessThanOrEqual(3);
    expect(scanned.size).toBeGreaterThanOrEqual(1);
    const r = await listCheckins(t.db, { communeCodes: null, venueIds: [venues[7]!.id], from, to, limit: 10, offset: 0 });
    expect(r.total).toBeGreaterThan(0);
  });
});

describe('demo data', () => {
  it('seeds demo venues and check-ins once (idempotent)', async () => {
    const { venuesModule } = await import('./index');
    await venuesModule.seedDemo!(t.app.vigil);
    await venuesModule.seedDemo!(t.app.vigil);
    const demo = await t.db.selectFrom('venues').select(['code', 'status']).where('code', 'like', 'DEMO-%').execute();
    expect(demo).toHaveLength(8);
    expect(demo.filter((v) => v.status === 'approved')).toHaveLength(6);
    const n = await t.db.selectFrom('checkins as c').innerJoin('venues as v', 'v.id', 'c.venue_id').select(sql<string>`count(*)`.as('n')).where('v.code', 'like', 'DEMO-%').executeTakeFirstOrThrow();
    expect(Number(n.n)).toBeGreaterThan(30);
  });
});
