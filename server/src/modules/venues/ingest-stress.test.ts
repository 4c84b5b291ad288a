// The check-in write path under stress (issue 13 item 7): a bounded queue with back-pressure, a bad row that fails
// only its own caller, and bounded concurrency inside a gate's batch. Real app, real PostgreSQL.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sql } from 'kysely';
import { testContext, type TestContext } from '../../../test/helpers';
import { communes, createVenue, form, uuid } from './test-fixtures';
import { CheckinEngine } from './checkins';
import { peopleAdapter } from './people-adapter';
import type { PeoplePort } from './people-port';
import { deviceRegistry } from '../people/index';
import { CHECKIN_BATCH } from './index';

let t: TestContext;
let c: Awaited<ReturnType<typeof communes>>;
let venue: Awaited<ReturnType<typeof createVenue>>;
let token: string;
const QUEUE_MAX = 3;
/** A client id the database refuses (a test trigger standing in for any row PostgreSQL rejects, as a constraint would). */
const POISON = '00000000-0000-4000-8000-0000000000ba';

// (inject is lazy until awaited: wrap it in a promise so the request starts at once)
const post = async (payload: object) => t.app.inject({ method: 'POST', url: '/api/checkins', payload, headers: { 'x-forwarded-for': `10.9.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}` } });
const stats = () => (t.app as unknown as { vigilCheckinStats(): { accepted: number; queued: number; writing: number; refused: number } }).vigilCheckinStats();
const rowsOf = async (clientIds: string[]) =>
  Number((await sql<{ n: string }>`select count(*) as n from checkins where client_id = any(${clientIds}::uuid[])`.execute(t.db)).rows[0]!.n);

/** Another connection holding a SHARE lock on checkins: every insert waits until release(). */
async function lockCheckins() {
  const client = new pg.Client({ connectionString: t.database.url });
  await client.connect();
  await client.query('begin');
  await client.query('lock table checkins in share mode');
  return async () => {
    await client.query('commit');
    await client.end();
  };
}

/** Sends a check-in and waits until the batcher has taken it in (or refused it); fails if it is answered first. */
async function sendAndWaitAccepted(clientId: string, people: object[] = [{ token }]) {
  const before = stats();
  const seen = (s: ReturnType<typeof stats>) => s.accepted + s.refused;
  let answered: string | null = null;
  const res = post({ clientId, venueToken: venue.token, people });
  void res.then((r) => (answered = `${r.statusCode} ${r.body}`));
  const started = Date.now();
  let dumped = false;
  await vi.waitFor(
    async () => {
      if (!dumped && Date.now() - started > 8000) {
        dumped = true;
        const r = await sql<{ state: string; wait_event: string | null; query: string }>`select state, wait_event_type || ':' || wait_event as wait_event, left(query, 150) as query from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`.execute(t.db);
        console.log('still not accepted after 8 s; batcher and database sessions:', JSON.stringify(stats()), JSON.stringify(r.rows, null, 1));
      }
      if (answered !== null && seen(stats()) === seen(before)) throw new Error(`answered before reaching the batcher: ${answered}`);
      expect(seen(stats())).toBeGreaterThan(seen(before));
    },
    { timeout: 20_000, interval: 5 },
  );
  return { res }; // (not the promise itself: an async function would wait for it)
}

/** Sends check-ins until every flush slot is writing (and waiting on the lock); returns their responses. */
async function occupyFlushSlots() {
  const out: { id: string; res: ReturnType<typeof post> }[] = [];
  while (stats().writing < CHECKIN_BATCH.maxConcurrent) {
    const id = uuid();
    out.push({ id, res: (await sendAndWaitAccepted(id)).res });
    // a check-in taken in joins a flush at once (nothing being written) or after maxWaitMs (a further slot); wait for
    // that before deciding whether to send another
    await vi.waitFor(() => expect(stats().queued).toBe(0), { timeout: 20_000, interval: 2 });
  }
  return out;
}

beforeAll(async () => {
  t = await testContext({ config: { checkinQueueMax: QUEUE_MAX, publicCheckinsPerMinute: 100_000 } });
  c = await communes(t.db);
  const officer = await t.login('cdc_officer', '40');
  venue = await createVenue(t.app, officer.headers, { communeCode: c.a });
  const first = await post({ clientId: uuid(), venueToken: venue.token, people: [{ ...form(), communeCode: c.a }] });
  expect(first.statusCode, first.body).toBe(201);
  token = first.json().results[0].people[0].token;
  // created before any write is in flight (creating a trigger on checkins while inserts wait could deadlock)
  await sql
    .raw(
      `create function test_refuse_checkin() returns trigger language plpgsql as $$ begin
         if new.client_id = '${POISON}' then raise check_violation using message = 'refused for the test'; end if; return new; end $$;
       create trigger test_refuse before insert on checkins for each row execute function test_refuse_checkin();`,
    )
    .execute(t.db);
});
afterAll(() => t?.close());

describe('check-in batcher under stress', () => {
  it('a full queue answers 503 with Retry-After at once; everything accepted is written once the database frees up', async () => {
    const release = await lockCheckins();
    let accepted: { id: string; res: ReturnType<typeof post> }[] = [];
    try {
      // the flush slots each take check-ins and wait on the lock; then the queue fills up to its limit
      accepted = await occupyFlushSlots();
      for (let i = 0; i < QUEUE_MAX; i++) {
        const id = uuid();
        accepted.push({ id, res: (await sendAndWaitAccepted(id)).res });
      }
      expect(stats().writing).toBe(CHECKIN_BATCH.maxConcurrent);
      expect(stats().queued).toBe(QUEUE_MAX);
      const refused = await post({ clientId: uuid(), venueToken: venue.token, people: [{ token }] }); // answered while the lock is held
      expect(refused.statusCode, refused.body).toBe(503);
      expect(refused.json().error.code).toBe('OVERLOADED');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    } finally {
      await release();
    }
    for (const a of accepted) expect((await a.res).statusCode).toBe(201);
    expect(await rowsOf(accepted.map((a) => a.id))).toBe(accepted.length);
    // back to normal
    expect((await post({ clientId: uuid(), venueToken: venue.token, people: [{ token }] })).statusCode).toBe(201);
  });

  it('a row the database refuses fails only its own request; the others in the same write are acknowledged and stored', async () => {
    const release = await lockCheckins();
    let fillers: { res: ReturnType<typeof post> }[] = [];
    const ids = [uuid(), uuid()];
    const group: ReturnType<typeof post>[] = [];
    try {
      fillers = await occupyFlushSlots();
      // these wait in the queue and are then written together in one statement: the poisoned one in the middle
      for (const id of [ids[0]!, POISON, ids[1]!]) group.push((await sendAndWaitAccepted(id)).res);
      expect(stats().queued).toBe(3);
    } finally {
      await release();
    }
    const out = await Promise.all(group);
    expect(out.map((r) => r.statusCode)).toEqual([201, 500, 201]);
    expect(out[1]!.json().error.message).not.toContain('refused for the test'); // no internals in a 5xx
    expect(await rowsOf(ids)).toBe(2);
    expect(await rowsOf([POISON])).toBe(0);
    for (const f of fillers) expect((await f.res).statusCode).toBe(201);
  });

  it("a gate's batch prepares a few items at a time, not all at once", async () => {
    const real = peopleAdapter(t.app.vigil.keys, t.app.vigil.access.resolver, deviceRegistry(t.app.vigil));
    let running = 0;
    let peak = 0;
    // (a form's person is written by the batch; its validation is the item's asynchronous preparation, held a
    // moment here so the items prepared at once overlap)
    const counting: PeoplePort = {
      ...real,
      validateForm: async (input, opts) => {
        running++;
        peak = Math.max(peak, running);
        try {
          await new Promise((resolve) => setTimeout(resolve, 5));
          return await real.validateForm(input, opts);
        } finally {
          running--;
        }
      },
    };
    const engine = new CheckinEngine({ db: t.db, keys: t.app.vigil.keys, access: t.app.vigil.access, people: counting, clock: () => new Date(), retentionDays: 21 });
    try {
      const items = Array.from({ length: 60 }, (_, i) => ({
        clientId: uuid(),
        venueToken: venue.token,
        people: [{ ...form({ fullName: `Trần Thị Gate ${String.fromCharCode(65 + (i % 26))}${String.fromCharCode(65 + Math.floor(i / 26))}`, phone: `0912${String(100000 + i)}` }), communeCode: c.a }],
      }));
      const results = await engine.batch(items, null);
      expect(results.map((r) => r.status)).toEqual(Array(60).fill('created'));
      expect(peak).toBeGreaterThan(1);
      expect(peak).toBeLessThanOrEqual(4);
    } finally {
      engine.close();
      await engine.batcher.drain();
    }
  });

  it('writes first visits in the check-in batch: the same newcomer from several phones is one record with a working token per phone', async () => {
    const phone = '0915222333';
    const newcomer = (i: number) => ({ clientId: uuid(), venueToken: venue.token, people: [{ ...form({ fullName: 'Đặng Thị Hạnh', phone, birthYear: 1990 }), communeCode: c.a }] });
    const others = (i: number) => ({ clientId: uuid(), venueToken: venue.token, people: [{ ...form({ fullName: `Võ Văn ${'BCDEFG'[i]}`, phone: `091522240${i}` }), communeCode: c.a }] });
    // (in waves of three: this file's queue holds QUEUE_MAX rows)
    const answers = [
      ...(await Promise.all([0, 1, 2].map((i) => post(i % 2 ? newcomer(i) : others(i))))),
      ...(await Promise.all([3, 4, 5].map((i) => post(i % 2 ? newcomer(i) : others(i))))),
    ];
    for (const a of answers) expect(a.statusCode, a.body).toBe(201);
    const same = answers.filter((_, i) => i % 2).map((a) => a.json().results[0].people[0] as { personId: string; token: string; created: boolean });
    expect(new Set(same.map((p) => p.personId)).size).toBe(1);
    expect(same.filter((p) => p.created)).toHaveLength(1);
    expect(new Set(same.map((p) => p.token)).size).toBe(3);
    const records = await t.db.selectFrom('persons').select('id').where('phone', '=', '+84915222333').execute();
    expect(records.map((r) => r.id)).toEqual([same[0]!.personId]);
    expect((await t.db.selectFrom('person_devices').select('id').where('person_id', '=', same[0]!.personId).execute()).length).toBe(3);
    // each phone's token checks in on its own next time
    for (const p of same) {
      const next = await post({ clientId: uuid(), venueToken: venue.token, people: [{ token: p.token }] });
      expect(next.statusCode, next.body).toBe(201);
      expect(next.json().results[0].people[0].personId).toBe(p.personId);
    }
  });

  it('a first visit whose check-in the database refuses leaves no person and no device behind', async () => {
    const res = await post({ clientId: POISON, venueToken: venue.token, people: [{ ...form({ fullName: 'Bùi Văn Khoa', phone: '0915333444' }), communeCode: c.a }] });
    expect(res.statusCode).toBe(500);
    expect(await t.db.selectFrom('persons').select('id').where('phone', '=', '+84915333444').execute()).toEqual([]);
    // the same phone's next try (a new client id) is a first visit like any other
    const again = await post({ clientId: uuid(), venueToken: venue.token, people: [{ ...form({ fullName: 'Bùi Văn Khoa', phone: '0915333444' }), communeCode: c.a }] });
    expect(again.statusCode, again.body).toBe(201);
    expect(again.json().results[0].people[0].created).toBe(true);
  });

  /** Sends these check-ins so that they are written together in ONE group-commit statement; returns their answers. */
  async function inOneWrite(requests: { clientId: string; people: object[] }[]) {
    expect(requests.length).toBeLessThanOrEqual(QUEUE_MAX);
    const release = await lockCheckins();
    let fillers: { res: ReturnType<typeof post> }[] = [];
    const group: ReturnType<typeof post>[] = [];
    let flushes = 0;
    try {
      fillers = await occupyFlushSlots();
      for (const r of requests) group.push((await sendAndWaitAccepted(r.clientId, r.people)).res);
      expect(stats().queued).toBe(requests.length);
      flushes = (stats() as unknown as { flushes: number }).flushes;
    } finally {
      await release();
    }
    const out = await Promise.all(group);
    for (const f of fillers) expect((await f.res).statusCode).toBe(201);
    expect((stats() as unknown as { flushes: number }).flushes).toBe(flushes + 1); // the queued ones: one write
    return out;
  }

  it('first visits inside one write keep the one-by-one answers: a match by phone, name and birth year, and the same newcomer twice', async () => {
    const known = await post({ clientId: uuid(), venueToken: venue.token, people: [{ ...form({ fullName: 'Lý Văn Tú', phone: '0915444001', birthYear: 1970 }), communeCode: c.a }] });
    expect(known.statusCode, known.body).toBe(201);
    const knownId = known.json().results[0].people[0].personId as string;
    const newcomer = { ...form({ fullName: 'Mai Thị Thu', phone: '0915444002', birthYear: 1995 }), communeCode: c.a };
    const out = await inOneWrite([
      { clientId: uuid(), people: [{ ...form({ fullName: 'lý  văn tú', phone: '+84915444001', birthYear: 1970 }), communeCode: c.a }] },
      { clientId: uuid(), people: [newcomer] },
      { clientId: uuid(), people: [newcomer] }, // the same newcomer from a second phone, in the same statement
    ]);
    for (const r of out) expect(r.statusCode, r.body).toBe(201);
    const people = out.map((r) => r.json().results[0].people[0] as { personId: string; created: boolean; token: string });
    expect(people[0]).toMatchObject({ personId: knownId, created: false });
    expect(people[1]!.created).toBe(true);
    expect(people[2]).toMatchObject({ personId: people[1]!.personId, created: false });
    expect(new Set(people.map((p) => p.token)).size).toBe(3);
    expect((await t.db.selectFrom('persons').select('id').where('phone', '=', '+84915444002').execute()).map((r) => r.id)).toEqual([people[1]!.personId]);
    expect(await t.db.selectFrom('person_devices').select('id').where('person_id', '=', people[1]!.personId).execute()).toHaveLength(2);
    expect(await t.db.selectFrom('persons').select('id').where('phone', '=', '+84915444001').execute()).toHaveLength(1);
    // each phone's token checks in on its own next time
    for (const p of people) {
      const next = await post({ clientId: uuid(), venueToken: venue.token, people: [{ token: p.token }] });
      expect(next.json().results[0].people[0].personId).toBe(p.personId);
    }
  });

  it('the same client id twice inside one write is stored once, both answered with that row; another person under it is its own row', async () => {
    const other = await post({ clientId: uuid(), venueToken: venue.token, people: [{ ...form({ fullName: 'Vũ Thị Nga', phone: '0915444003' }), communeCode: c.a }] });
    const otherToken = other.json().results[0].people[0].token as string;
    const clientId = uuid();
    const out = await inOneWrite([
      { clientId, people: [{ token }] },
      { clientId, people: [{ token }] }, // a phone's retry that reached the server twice, both in one statement
      { clientId, people: [{ token: otherToken }] },
    ]);
    // (the statement claims the key once and answers both rows of the pair with its id, as one request would be)
    expect(out.map((r) => r.statusCode)).toEqual([201, 201, 201]);
    const ids = out.map((r) => r.json().results[0].checkinIds[0] as string);
    expect(ids[1]).toBe(ids[0]);
    expect(ids[2]).not.toBe(ids[0]);
    expect(await rowsOf([clientId])).toBe(2);
    // a later retry of the pair is a duplicate of that same row
    const retry = await post({ clientId, venueToken: venue.token, people: [{ token }] });
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(retry.json().results[0].checkinIds).toEqual([ids[0]]);
  });
});
