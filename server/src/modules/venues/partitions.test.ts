// Check-ins partitioned by day (migration 0003): idempotency across partitions, partitions made ahead and on demand,
// and the conversion of an existing, unpartitioned table.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { sql } from 'kysely';
import { testContext, type TestContext } from '../../../test/helpers';
import { migrate, openDatabase } from '../../platform/db';
import { migrationSources } from '../../platform/cli';
import { modules } from '../../modules';
import { approvedVenue, communes, createVenue, form, uuid } from './test-fixtures';
import { CHECKIN_PARTITIONS_JOB, PARTITION_DAYS_AHEAD } from './jobs';

// days no partition exists for (the template database was migrated "today")
let now = new Date('2022-03-10T23:59:30Z');
const clock = () => now;
let t: TestContext;
let c: Awaited<ReturnType<typeof communes>>;
let cdc: { headers: Record<string, string> };
let venue: Awaited<ReturnType<typeof createVenue>>;

const post = (payload: object, headers: Record<string, string> = {}) => t.app.inject({ method: 'POST', url: '/api/checkins', payload, headers });
const partitions = async () => (await sql<{ name: string }>`select name from checkin_partitions order by day`.execute(t.db)).rows.map((r) => r.name);
const rowsOf = async (clientId: string) =>
  (await sql<{ id: string; checkin_at: Date; part: string }>`select id::text, checkin_at, tableoid::regclass::text as part from checkins where client_id = ${clientId}::uuid`.execute(t.db)).rows;

beforeAll(async () => {
  t = await testContext({ clock });
  c = await communes(t.db);
  cdc = await t.login('cdc_officer', '40');
  venue = await createVenue(t.app, cdc.headers, { communeCode: c.a });
});
afterAll(() => t?.close());

describe('check-ins partitioned by day', () => {
  it('creates the partition of a day that has none when a check-in arrives (no lost check-in)', async () => {
    now = new Date('2022-03-20T10:00:00Z'); // past the week the app made ahead at start-up
    expect(await partitions()).not.toContain('checkins_p20220320');
    const clientId = uuid();
    const res = await post({ clientId, venueToken: venue.token, people: [{ ...form(), communeCode: c.a }] });
    expect(res.statusCode, res.body).toBe(201);
    expect(await partitions()).toContain('checkins_p20220320');
    expect((await rowsOf(clientId)).map((r) => r.part)).toEqual(['checkins_p20220320']);
  });

  it('a retry that lands on another day (no time sent, midnight passed meanwhile) is a duplicate, not a second row', async () => {
    now = new Date('2022-03-10T23:59:50Z');
    const clientId = uuid();
    const body = { clientId, venueToken: venue.token, people: [{ ...form({ fullName: 'Lê Văn Nửa Đêm', phone: '0912000111' }), communeCode: c.a }] };
    const first = await post(body);
    expect(first.statusCode, first.body).toBe(201);
    now = new Date('2022-03-11T00:00:20Z'); // the phone's retry, after midnight UTC: another partition
    const again = await post(body);
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().results[0].status).toBe('duplicate');
    expect(again.json().results[0].checkinIds).toEqual(first.json().results[0].checkinIds);
    const rows = await rowsOf(clientId);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.part).toBe('checkins_p20220310');
    // and the same in one batch from a gate's queue: the second scan carries another day's time
    const op = await t.login('venue_operator', c.a);
    const mine = await approvedVenue(t.app, op.headers, cdc.headers, { communeCode: c.a, name: 'Nhà máy C', type: 'factory' });
    const personQr = first.json().results[0].people[0].token;
    now = new Date('2022-03-11T00:20:00Z');
    const scanId = uuid();
    const items = [
      { clientId: scanId, entranceId: mine.entrances[0]!.id, personQr, at: '2022-03-10T23:50:00Z' },
      { clientId: scanId, entranceId: mine.entrances[0]!.id, personQr, at: '2022-03-11T00:10:00Z' },
    ];
    const batch = await post({ items }, op.headers);
    expect(batch.statusCode, batch.body).toBe(200);
    const resent = await post({ items: items.slice(1) }, op.headers);
    expect(resent.json().results[0].status, resent.body).toBe('duplicate');
    expect(await rowsOf(scanId)).toHaveLength(1);
  });

  it('imports check-ins of days long past (within retention) into partitions made on demand', async () => {
    now = new Date('2022-03-11T03:00:00Z');
    const csv = [
      'person_national_id,person_phone,person_name,venue_code,checkin_at,checkout_at',
      `,0912000999,Phạm Văn Cũ,${venue.venue.code},2022-02-25T08:00:00+07:00,`,
      `,0912000998,Phạm Thị Cũ,${venue.venue.code},2022-02-27T09:30:00+07:00,2022-02-27T10:00:00+07:00`,
    ].join('\n');
    const res = await t.app.inject({ method: 'POST', url: '/api/checkins/import', headers: { ...cdc.headers, 'content-type': 'text/csv' }, payload: csv });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ total: 2, imported: 2, errors: [] });
    const parts = await partitions();
    expect(parts).toContain('checkins_p20220225'); // 08:00 +07:00 is 01:00 UTC that day
    expect(parts).toContain('checkins_p20220227');
    expect(parts).not.toContain('checkins_p20220226'); // only the days needed
  });

  it('makes a partition while a long read of check-ins is open, without waiting for it or blocking writes', async () => {
    // an officer's long export holds a read lock on checkins for its whole transaction
    const reader = new pg.Client({ connectionString: t.database.url });
    await reader.connect();
    try {
      await reader.query('begin');
      await reader.query('select count(*) from checkins');
      now = new Date('2022-04-02T09:00:00Z'); // a day without a partition yet
      expect(await partitions()).not.toContain('checkins_p20220402');
      const res = await post({ clientId: uuid(), venueToken: venue.token, people: [{ ...form({ fullName: 'Vũ Thị Đọc', phone: '0912000555' }), communeCode: c.a }] });
      expect(res.statusCode, res.body).toBe(201); // answered while the read is still open
      expect(await partitions()).toContain('checkins_p20220402');
    } finally {
      await reader.query('rollback');
      await reader.end();
    }
  });

  it('the partition job keeps the coming days ready', async () => {
    now = new Date('2022-03-11T03:00:00Z');
    await t.app.vigil.jobs.runNow(CHECKIN_PARTITIONS_JOB);
    const parts = await partitions();
    for (let d = 0; d <= PARTITION_DAYS_AHEAD; d++) {
      const day = new Date(now.getTime() + d * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
      expect(parts).toContain(`checkins_p${day}`);
    }
    // idempotent
    expect(await t.app.vigil.jobs.runNow(CHECKIN_PARTITIONS_JOB)).toEqual({ created: 0 });
  });

  it('keeps the (venue_id, checkin_at) index and the others on every partition', async () => {
    const r = await sql<{ n: string }>`
      select count(*) as n from checkin_partitions p
      where not exists (select 1 from pg_indexes i where i.tablename = p.name and i.indexdef like '%(venue_id, checkin_at)%')`.execute(t.db);
    expect(Number(r.rows[0]!.n)).toBe(0);
  });
});

describe('migration 0003 on an existing database', () => {
  const adminUrl = inject('pgAdminUrl');
  const name = `m_${crypto.randomBytes(5).toString('hex')}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-mig-part-'));
  afterAll(async () => {
    const admin = openDatabase(adminUrl, null, 1);
    await sql.raw(`drop database if exists ${name} with (force)`).execute(admin.db);
    await admin.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('moves every check-in (ids kept) into day partitions, with their idempotency keys', async () => {
    // every migration before venues/0003, as an installation of the first slice had them
    // (and without cases/0006, written after venues/0003: it replaces the index 0003 rebuilds on the partitions)
    const before0003: Record<string, string> = { venues: '0003', cases: '0006' };
    const sources = migrationSources(modules).map((s) => {
      const upTo = before0003[s.module];
      if (!upTo) return s;
      const copy = path.join(dir, s.module);
      fs.mkdirSync(copy, { recursive: true });
      for (const f of fs.readdirSync(s.dir)) if (f < upTo) fs.copyFileSync(path.join(s.dir, f), path.join(copy, f));
      return { module: s.module, dir: copy };
    });
    const admin = openDatabase(adminUrl, null, 1);
    await sql.raw(`create database ${name}`).execute(admin.db);
    await admin.close();
    const h = openDatabase(adminUrl.replace(/\/postgres$/, `/${name}`), null, 2);
    try {
      await migrate(h.db, sources);
      await sql`insert into admin_units (code, name, level, depth, parent_code, path) values ('X1', 'Xã Một', 'commune', 1, 'VN', '/VN/X1/')`.execute(h.db);
      const person = (await sql<{ id: string }>`insert into persons (full_name, name_key, commune_code, source) values ('A B', 'a b', 'X1', 'checkin') returning id`.execute(h.db)).rows[0]!.id;
      const venueId = (await sql<{ id: string }>`insert into venues (code, name, type, commune_code, status) values ('V1', 'V', 'market', 'X1', 'approved') returning id`.execute(h.db)).rows[0]!.id;
      await sql`
        insert into checkins (client_id, person_id, venue_id, checkin_at, auto_checkout_at, source)
        select gen_random_uuid(), ${person}::uuid, ${venueId}::uuid, now() - i * interval '5 hours', now() - i * interval '5 hours' + interval '1 hour', 'qr'
        from generate_series(1, 30) i`.execute(h.db);
      const before = (await sql<{ id: string; client_id: string }>`select id::text, client_id::text from checkins order by id`.execute(h.db)).rows;

      const r = await migrate(h.db, migrationSources(modules));
      expect(r.applied).toContain('venues/0003_partition_checkins.sql');
      const after = (await sql<{ id: string; client_id: string }>`select id::text, client_id::text from checkins order by id`.execute(h.db)).rows;
      expect(after).toEqual(before);
      const kind = await sql<{ relkind: string }>`select relkind from pg_class where relname = 'checkins'`.execute(h.db);
      expect(kind.rows[0]!.relkind).toBe('p');
      const parts = await sql<{ n: string }>`select count(*) as n from checkin_partitions`.execute(h.db);
      expect(Number(parts.rows[0]!.n)).toBeGreaterThanOrEqual(6 + 8); // 30 × 5 h ≈ 6.3 days back, today and a week ahead
      const keys = await sql<{ n: string }>`select count(*) as n from checkin_keys k join checkins c on c.id = k.id and c.checkin_at = k.checkin_at`.execute(h.db);
      expect(Number(keys.rows[0]!.n)).toBe(30);
      // new ids continue after the old ones
      const next = await sql<{ id: string }>`select nextval('checkin_id_seq')::text as id`.execute(h.db);
      expect(BigInt(next.rows[0]!.id)).toBeGreaterThan(BigInt(before[before.length - 1]!.id));
    } finally {
      await h.close();
    }
  });
});
