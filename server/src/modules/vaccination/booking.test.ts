// Booking over HTTP: dose 1 + 2 together, full slots, rebooking that keeps the old seat when the new one is gone,
// cancellation, walk-ins, and many parallel bookings: zero overbooking, zero lost bookings. Attackers refused.
import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type LoggedIn, type TestContext } from '../../../test/helpers';
import { vaccWorld, type VaccWorld } from './test-fixtures';

let t: TestContext;
let w: VaccWorld;
let now = new Date('2021-08-02T00:00:00Z'); // 07:00 local, before the site opens
let staff: LoggedIn;
const DAY = '2021-08-02';

const send = (url: string, who: LoggedIn | null, payload?: unknown) => t.app.inject({ method: 'POST', url, headers: who?.headers ?? {}, payload: (payload ?? {}) as object });
const seats = async (slot: string) => (await sql<{ booked: number; capacity: number }>`select booked, capacity from vaccination_slots where id = ${slot}`.execute(t.db)).rows[0]!;
const live = async (slot: string) => Number((await sql<{ n: string }>`select count(*) as n from vaccination_bookings where slot_id = ${slot} and status = 'booked'`.execute(t.db)).rows[0]!.n);

beforeAll(async () => {
  t = await testContext({ clock: () => now });
  w = await vaccWorld(t, DAY); // 8 slots of 2 seats
  staff = await t.login('vaccination_staff', w.commune);
});
afterAll(() => t?.close());

describe('booking', () => {
  it('books doses 1 and 2 together, and refuses a second dose before the interval', async () => {
    const p = await w.person('Nguyễn Văn Một');
    await w.register(p);
    const later = await w.session('2021-08-23'); // Comirnaty: 21 days
    const early = await w.session('2021-08-16');
    const bad = await send('/api/vaccination/bookings', staff, { personId: p, slotId: w.slots[0], nextSlotId: early[0], doseNumber: 1 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('body.nextSlotId');
    expect((await seats(w.slots[0]!)).booked).toBe(0); // nothing taken
    const r = await send('/api/vaccination/bookings', staff, { personId: p, slotId: w.slots[0], nextSlotId: later[0], doseNumber: 1 });
    expect(r.statusCode).toBe(201);
    expect(r.json().ids).toHaveLength(2);
    expect((await seats(later[0]!)).booked).toBe(1);
    const again = await send('/api/vaccination/bookings', staff, { personId: p, slotId: w.slots[1], doseNumber: 1 });
    expect(again.statusCode).toBe(409);
  });

  it('refuses a full slot and an unregistered person', async () => {
    const slot = w.slots[2]!;
    for (const name of ['A Một', 'A Hai']) {
      const p = await w.person(name);
      await w.register(p);
      expect((await send('/api/vaccination/bookings', staff, { personId: p, slotId: slot, doseNumber: 1 })).statusCode).toBe(201);
    }
    const third = await w.person('A Ba');
    await w.register(third);
    const full = await send('/api/vaccination/bookings', staff, { personId: third, slotId: slot, doseNumber: 1 });
    expect(full.statusCode).toBe(409);
    expect(full.json().error.code).toBe('SLOT_FULL');
    const stranger = await w.person('Chưa Đăng Ký');
    const r = await send('/api/vaccination/bookings', staff, { personId: stranger, slotId: w.slots[3], doseNumber: 1 });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.details[0].path).toBe('body.personId');
  });

  it('rebooking into a full slot keeps the old appointment; into a free one moves it in one step', async () => {
    const p = await w.person('Đổi Lịch');
    await w.register(p);
    const b = (await send('/api/vaccination/bookings', staff, { personId: p, slotId: w.slots[4], doseNumber: 1 })).json().ids[0];
    const toFull = await send(`/api/vaccination/bookings/${b}/rebook`, staff, { slotId: w.slots[2] });
    expect(toFull.statusCode).toBe(409);
    expect(await live(w.slots[4]!)).toBe(1);
    expect((await seats(w.slots[4]!)).booked).toBe(1);
    const moved = await send(`/api/vaccination/bookings/${b}/rebook`, staff, { slotId: w.slots[5] });
    expect(moved.statusCode).toBe(201);
    expect((await seats(w.slots[4]!)).booked).toBe(0);
    expect((await seats(w.slots[5]!)).booked).toBe(1);
    const newId = moved.json().ids[0];
    expect((await send(`/api/vaccination/bookings/${b}/cancel`, staff)).statusCode).toBe(409); // the old one is moved
    expect((await send(`/api/vaccination/bookings/${newId}/cancel`, staff)).statusCode).toBe(200);
    expect((await seats(w.slots[5]!)).booked).toBe(0);
  });

  it('a citizen books for themself and a dependant, not for anyone else', async () => {
    const me = await w.person('Công Dân');
    const child = await w.person('Con', { birthYear: 2005 });
    const other = await w.person('Người Khác');
    await sql`insert into person_links (manager_id, dependant_id, relationship, created_at) values (${me}, ${child}, 'child', now())`.execute(t.db);
    const citizen = await t.login('citizen', '40', { personId: me });
    for (const p of [me, child]) {
      const reg = await send('/api/vaccination/registrations', citizen, { campaignId: w.campaignId, personId: p });
      expect(reg.statusCode).toBe(200);
      expect((await send('/api/vaccination/bookings', citizen, { personId: p, slotId: w.slots[6], doseNumber: 1 })).statusCode).toBe(201);
    }
    await w.register(other);
    expect((await send('/api/vaccination/registrations', citizen, { campaignId: w.campaignId, personId: other })).statusCode).toBe(403);
    expect((await send('/api/vaccination/bookings', citizen, { personId: other, slotId: w.slots[7], doseNumber: 1 })).statusCode).toBe(403);
    const otherBooking = (await send('/api/vaccination/bookings', staff, { personId: other, slotId: w.slots[7], doseNumber: 1 })).json().ids[0];
    expect((await send(`/api/vaccination/bookings/${otherBooking}/cancel`, citizen)).statusCode).toBe(404);
    expect(await live(w.slots[7]!)).toBe(1);
  });

  it('walk-ins take the next free seat of the session today', async () => {
    now = new Date('2021-08-02T02:10:00Z'); // 09:10 local
    const p = await w.person('Vãng Lai');
    const r = await send(`/api/vaccination/sessions/${w.sessionId}/walk-ins`, staff, { personId: p, doseNumber: 1 });
    expect(r.statusCode).toBe(201);
    const b = (await sql<{ starts_at: Date; walk_in: boolean }>`select sl.starts_at, b.walk_in from vaccination_bookings b join vaccination_slots sl on sl.id = b.slot_id where b.id = ${r.json().ids[0]}`.execute(t.db)).rows[0]!;
    expect(b.walk_in).toBe(true);
    expect(b.starts_at.getTime()).toBeGreaterThanOrEqual(new Date('2021-08-02T01:30:00Z').getTime());
    now = new Date('2021-08-02T00:00:00Z');
  });

  it('refuses attackers: no session, a venue operator, another province, NUL bytes, huge bodies', async () => {
    const p = await w.person('Mục Tiêu');
    await w.register(p);
    const body = { personId: p, slotId: w.slots[1], doseNumber: 1 };
    expect((await send('/api/vaccination/bookings', null, body)).statusCode).toBe(401);
    expect((await send('/api/vaccination/bookings', await t.login('venue_operator', '40'), body)).statusCode).toBe(403);
    expect((await send('/api/vaccination/bookings', await t.login('vaccination_staff', '01'), body)).statusCode).toBe(403);
    expect((await send('/api/vaccination/bookings', await t.login('vaccination_staff', w.otherCommune), body)).statusCode).toBe(403);
    expect((await send(`/api/vaccination/sessions/${w.sessionId}/walk-ins`, await t.login('vaccination_staff', '01'), { personId: p, doseNumber: 1 })).statusCode).toBe(403);
    expect((await send('/api/vaccination/bookings', staff, { ...body, slotId: 'abc\u0000' })).statusCode).toBe(400);
    // staff of the site's commune, a person living elsewhere (read with the batch of bookings): refused; an unknown id: 400
    const away = await w.person('Ở Xa', { commune: w.otherCommune });
    await w.register(away);
    expect((await send('/api/vaccination/bookings', staff, { ...body, personId: away })).statusCode).toBe(403);
    const unknown = await send('/api/vaccination/bookings', staff, { ...body, personId: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.details[0].path).toBe('body.personId');
    const huge = await t.app.inject({ method: 'POST', url: '/api/vaccination/bookings', headers: { ...staff.headers, 'content-type': 'application/json' }, payload: JSON.stringify({ ...body, pad: 'x'.repeat(3_000_000) }) });
    expect(huge.statusCode).toBe(413);
    expect(await live(w.slots[1]!)).toBe(0);
  });
});

describe('concurrency', () => {
  it('many parallel bookings of few seats: every seat taken once, every success stored, no overbooking', async () => {
    const slots = await w.session('2021-08-03'); // 8 slots × 2 seats = 16 seats
    const people = await Promise.all(Array.from({ length: 60 }, (_, i) => w.person(`Song Song ${i}`)));
    await sql`insert into vaccination_registrations (campaign_id, person_id, channel, commune_code) select ${w.campaignId}, unnest(${people}::uuid[]), 'staff', ${w.commune}`.execute(t.db);
    // each person tries up to three slots at random, all at once
    const results = await Promise.all(
      people.map(async (p, i) => {
        const out: number[] = [];
        for (const k of [i % 8, (i * 3 + 1) % 8, (i * 5 + 2) % 8]) {
          const r = await send('/api/vaccination/bookings', staff, { personId: p, slotId: slots[k], doseNumber: 1 });
          out.push(r.statusCode);
          if (r.statusCode === 201) break;
        }
        return out;
      }),
    );
    const ok = results.filter((r) => r.includes(201)).length;
    for (const r of results.flat()) expect([201, 409]).toContain(r);
    const rows = (await sql<{ booked: number; capacity: number; live: string }>`
      select sl.booked, sl.capacity, (select count(*) from vaccination_bookings b where b.slot_id = sl.id and b.status = 'booked') as live
      from vaccination_slots sl where sl.id = any(${slots}::uuid[])`.execute(t.db)).rows;
    const totalLive = rows.reduce((s, r) => s + Number(r.live), 0);
    expect(totalLive).toBe(ok); // no lost booking: every 201 is a stored booking
    for (const r of rows) {
      expect(r.booked).toBeLessThanOrEqual(r.capacity);
      expect(Number(r.live)).toBe(r.booked);
    }
    expect(ok).toBe(16); // 60 people for 16 seats, three tries each: all seats go
  });

  it('bookings sent at once are written together: a double send books once, the unregistered and the late are refused, each booking audited', async () => {
    const slots = await w.session('2021-08-04'); // 8 slots × 2 seats
    const people = await Promise.all(Array.from({ length: 5 }, (_, i) => w.person(`Cùng Lúc ${i}`)));
    for (const p of people.slice(0, 4)) await w.register(p);
    // all at once into slot 0 (2 seats): person 0 twice, persons 1..3, and person 4 who is not registered
    const sends = [people[0], people[0], people[1], people[2], people[3], people[4]].map((p) => send('/api/vaccination/bookings', staff, { personId: p, slotId: slots[0], doseNumber: 1 }));
    const answers = await Promise.all(sends);
    const codes = answers.map((a) => a.statusCode);
    expect(codes[5]).toBe(400);
    expect(answers[5]!.json().error.details[0].path).toBe('body.personId');
    expect(codes.filter((c) => c === 201)).toHaveLength(2); // two seats
    expect(codes.slice(0, 5).filter((c) => c === 409)).toHaveLength(3); // the double send and the late ones
    expect(codes.slice(0, 2).filter((c) => c === 201).length).toBeLessThanOrEqual(1); // person 0 holds at most one
    const ids = answers.filter((a) => a.statusCode === 201).map((a) => a.json().ids[0] as string);
    expect(await live(slots[0]!)).toBe(2);
    expect((await seats(slots[0]!)).booked).toBe(2);
    const audited = await sql<{ n: string }>`select count(*) as n from audit_log where action = 'vaccination.book' and details->'bookings'->>0 = any(${ids}::text[])`.execute(t.db);
    expect(Number(audited.rows[0]!.n)).toBe(2);
  });

  it("a batched booking's audit row is written with it: who, whom, which booking, when", async () => {
    const slots = await w.session('2021-08-05');
    const people = await Promise.all(Array.from({ length: 3 }, (_, i) => w.person(`Nhật Ký ${i}`)));
    for (const p of people) await w.register(p);
    const citizen = await t.login('citizen', '40', { personId: people[2] });
    const answers = await Promise.all([
      send('/api/vaccination/bookings', staff, { personId: people[0], slotId: slots[1], doseNumber: 1 }),
      send('/api/vaccination/bookings', staff, { personId: people[1], slotId: slots[1], doseNumber: 1 }),
      send('/api/vaccination/bookings', citizen, { personId: people[2], slotId: slots[2], doseNumber: 1 }),
    ]);
    expect(answers.map((a) => a.statusCode)).toEqual([201, 201, 201]);
    const ids = answers.map((a) => a.json().ids[0] as string);
    const rows = (
      await sql<{ actor_id: string | null; actor_username: string | null; subject_type: string; subject_id: string; details: { self: boolean; bookings: string[] }; at: Date }>`
        select actor_id, actor_username, subject_type, subject_id, details, at from audit_log
        where action = 'vaccination.book' and details->'bookings'->>0 = any(${ids}::text[]) order by subject_id`.execute(t.db)
    ).rows;
    expect(rows).toHaveLength(3);
    const byBooking = new Map(rows.map((r) => [r.details.bookings[0], r]));
    for (const [i, id] of ids.entries()) {
      const r = byBooking.get(id)!;
      expect(r.subject_type).toBe('person');
      expect(r.subject_id).toBe(people[i]);
      expect(r.details).toEqual({ self: i === 2, bookings: [id] });
      expect(r.at.getTime()).toBe(now.getTime()); // the request's time (the app clock), as every audit entry
      expect(r.actor_username).toBe(i === 2 ? (await sql<{ username: string }>`select username from users where person_id = ${people[2]}`.execute(t.db)).rows[0]!.username : staff.username);
    }
    // the booking and its audit row are one write: no live booking of these people without its row
    const unaudited = await sql<{ n: number }>`
      select count(*)::int as n from vaccination_bookings b where b.person_id = any(${people}::uuid[]) and b.status = 'booked'
        and not exists (select 1 from audit_log a where a.action = 'vaccination.book' and a.details->'bookings'->>0 = b.id::text)`.execute(t.db);
    expect(unaudited.rows[0]!.n).toBe(0);
  });

  it('a slot removed after the route knew it is refused as unknown, nothing written', async () => {
    const [slot] = await w.session('2021-08-06');
    const p = await w.person('Chỗ Đã Xóa');
    await w.register(p);
    const other = await w.person('Chỗ Còn');
    await w.register(other);
    expect((await send('/api/vaccination/bookings', staff, { personId: other, slotId: slot, doseNumber: 1 })).statusCode).toBe(201); // the route now knows the slot
    await sql`delete from vaccination_bookings where slot_id = ${slot}`.execute(t.db);
    await sql`delete from vaccination_slots where id = ${slot}`.execute(t.db);
    const r = await send('/api/vaccination/bookings', staff, { personId: p, slotId: slot, doseNumber: 1 });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.details[0].path).toBe('body.slotId');
    expect(Number((await sql<{ n: string }>`select count(*) as n from vaccination_bookings where person_id = ${p}`.execute(t.db)).rows[0]!.n)).toBe(0);
  });

  it('slots not yet known are read together: one query for many new slots asked at once', async () => {
    const slots = await w.session('2021-08-07'); // 8 new slots
    const people = await Promise.all(Array.from({ length: 16 }, (_, i) => w.person(`Giờ Mới ${i}`)));
    for (const p of people) await w.register(p);
    const proto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown };
    const orig = proto.query;
    let reads = 0;
    proto.query = function (this: unknown, ...a: unknown[]) {
      if (typeof a[0] === 'string' && /from vaccination_slots sl join vaccination_sessions/.test(a[0])) reads++;
      return orig.apply(this, a);
    };
    try {
      const answers = await Promise.all(people.map((p, i) => send('/api/vaccination/bookings', staff, { personId: p, slotId: slots[i % 8], doseNumber: 1 })));
      expect(answers.map((a) => a.statusCode)).toEqual(people.map(() => 201)); // 2 seats each
      expect(reads).toBeLessThanOrEqual(2); // (one, unless the requests straddle the first read)
    } finally {
      proto.query = orig;
    }
    const unknown = await send('/api/vaccination/bookings', staff, { personId: people[0], slotId: '00000000-0000-4000-8000-000000000001', doseNumber: 2 });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.details[0].path).toBe('body.slotId');
  });

  it('the database refuses an overbooking even when the application is bypassed', async () => {
    const slot = w.slots[0]!;
    await expect(sql`update vaccination_slots set booked = capacity + 1 where id = ${slot}`.execute(t.db)).rejects.toThrow(/check/i);
  });
});
