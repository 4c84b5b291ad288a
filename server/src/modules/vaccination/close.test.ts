// Editing and closing vaccination sites and campaigns (close.ts, routes-admin.ts): edits apply to sessions planned
// afterwards; a closed site or campaign takes no new session, booking, registration or walk-in, whatever the slot
// cache believes; the people booked there are told by SMS with their booking cancelled or kept as the officer chose;
// every refusal of an outsider.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type LoggedIn, type TestContext } from '../../../test/helpers';
import { vaccWorld, type VaccWorld } from './test-fixtures';

let t: TestContext;
const now = new Date('2021-08-02T01:00:00Z'); // 08:00 in Vietnam
const DAY = '2021-08-03';

const send = (method: 'POST' | 'PATCH', url: string, who: LoggedIn | null, payload: unknown = {}) => t.app.inject({ method, url, headers: who?.headers ?? {}, payload: payload as object });
const get = (url: string, who: LoggedIn | null) => t.app.inject({ method: 'GET', url, headers: who?.headers ?? {} });

beforeAll(async () => {
  t = await testContext({ clock: () => now });
});
afterAll(() => t?.close());

async function bookingStatus(id: string) {
  return (await sql<{ status: string }>`select status from vaccination_bookings where id = ${id}`.execute(t.db)).rows[0]!.status;
}

async function notices(purpose: string) {
  await t.events.settled();
  return (await sql<{ body: string; recipient: string }>`select body, recipient from notifications where purpose = ${purpose} order by body`.execute(t.db)).rows;
}

/** Two people of the world booked in its first slots (one for doses 1 and 2 there). */
async function twoBooked(w: VaccWorld, staff: LoggedIn) {
  const a = await w.person('Phan Văn Hẹn', { phone: '+84912000701' });
  const b = await w.person('Đỗ Thị Lịch', { phone: '+84912000702' });
  await w.register(a);
  await w.register(b);
  const later = await w.session('2021-08-30');
  const ra = await send('POST', '/api/vaccination/bookings', staff, { personId: a, slotId: w.slots[0], nextSlotId: later[0], doseNumber: 1 });
  const rb = await send('POST', '/api/vaccination/bookings', staff, { personId: b, slotId: w.slots[1], doseNumber: 1 });
  expect([ra.statusCode, rb.statusCode], ra.body + rb.body).toEqual([201, 201]);
  return { a, b, aIds: ra.json().ids as string[], bId: rb.json().ids[0] as string };
}

describe('editing a site', () => {
  it('changes name, capacity and hours for sessions planned afterwards; the slots already cut keep theirs', async () => {
    const w = await vaccWorld(t, DAY);
    const r = await send('PATCH', `/api/vaccination/sites/${w.siteId}`, w.cdc, { name: 'Trạm y tế (mở rộng)', capacityPerHour: 40, openingHours: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '13:00', to: '15:00' }] });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().changed).toEqual(['name', 'capacityPerHour', 'openingHours']);
    const old = (await sql<{ capacity: number }>`select capacity from vaccination_slots where id = ${w.slots[0]}`.execute(t.db)).rows[0]!;
    expect(old.capacity).toBe(2);
    const fresh = await w.session('2021-08-04');
    expect(fresh).toHaveLength(4); // 13:00–15:00 in half hours
    expect((await sql<{ capacity: number }>`select capacity from vaccination_slots where id = ${fresh[0]}`.execute(t.db)).rows[0]!.capacity).toBe(20);
    const listed = (await get('/api/vaccination/sites', w.cdc)).json().items.find((s: { id: string }) => s.id === w.siteId);
    expect(listed).toMatchObject({ name: 'Trạm y tế (mở rộng)', capacityPerHour: 40 });
    const audit = await sql<{ details: { changed: string[] } }>`select details from audit_log where action = 'vaccination.site.update' and subject_id = ${w.siteId}`.execute(t.db);
    expect(audit.rows[0]!.details.changed).toEqual(['name', 'capacityPerHour', 'openingHours']);
  });

  it('names the field at fault: hours that end before they start, a NUL byte, nothing to change', async () => {
    const w = await vaccWorld(t, DAY);
    const hours = await send('PATCH', `/api/vaccination/sites/${w.siteId}`, w.cdc, { openingHours: [{ days: [1], from: '11:00', to: '07:00' }] });
    expect(hours.statusCode).toBe(400);
    expect(hours.json().error.details[0].path).toBe('body.openingHours.0.to');
    const nul = await send('PATCH', `/api/vaccination/sites/${w.siteId}`, w.cdc, { name: 'Trạm\u0000' });
    expect(nul.statusCode).toBe(400);
    expect(JSON.stringify(nul.json().error)).toContain('name');
    const empty = await send('PATCH', `/api/vaccination/sites/${w.siteId}`, w.cdc, {});
    expect(empty.statusCode).toBe(400);
  });

  it('refuses outsiders: no session, a citizen, vaccination staff, another province, an unknown site', async () => {
    const w = await vaccWorld(t, DAY);
    const body = { name: 'Chiếm quyền' };
    expect((await send('PATCH', `/api/vaccination/sites/${w.siteId}`, null, body)).statusCode).toBe(401);
    const citizen = await t.login('citizen', '40', { personId: await w.person('Công Dân') });
    expect((await send('PATCH', `/api/vaccination/sites/${w.siteId}`, citizen, body)).statusCode).toBe(403);
    expect((await send('PATCH', `/api/vaccination/sites/${w.siteId}`, await t.login('vaccination_staff', w.commune), body)).statusCode).toBe(403);
    expect((await send('PATCH', `/api/vaccination/sites/${w.siteId}`, await t.login('cdc_officer', '01'), body)).statusCode).toBe(403);
    expect((await send('POST', `/api/vaccination/sites/${w.siteId}/close`, await t.login('cdc_officer', '01'), { bookings: 'keep', reason: 'x' })).statusCode).toBe(403);
    expect((await send('PATCH', '/api/vaccination/sites/00000000-0000-4000-8000-000000000000', w.cdc, body)).statusCode).toBe(400);
    const name = (await sql<{ name: string }>`select name from vaccination_sites where id = ${w.siteId}`.execute(t.db)).rows[0]!.name;
    expect(name).not.toBe('Chiếm quyền');
  });
});

describe('closing a site', () => {
  it('cancelling the appointments: each person is told by SMS, the seats are gone, nothing new is taken there', async () => {
    const w = await vaccWorld(t, DAY);
    const staff = await t.login('vaccination_staff', w.commune);
    const { aIds, bId } = await twoBooked(w, staff);
    const missing = await send('POST', `/api/vaccination/sites/${w.siteId}/close`, w.cdc, { reason: 'Sửa chữa' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.details[0].path).toBe('body.bookings');
    const r = await send('POST', `/api/vaccination/sites/${w.siteId}/close`, w.cdc, { bookings: 'cancel', reason: 'Trạm sửa chữa' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ bookings: 3, cancelled: 3, notified: 2 });
    expect(await Promise.all([...aIds, bId].map(bookingStatus))).toEqual(['cancelled', 'cancelled', 'cancelled']);
    const sms = await notices('vaccination.cancelled');
    expect(sms).toHaveLength(2);
    expect(sms.map((s) => s.recipient).sort()).toEqual(['+84912000701', '+84912000702']);
    // the person booked for doses 1 and 2 gets one text naming the first appointment (07:30 on 03/08)
    expect(sms.find((s) => s.recipient === '+84912000701')!.body).toMatch(/Phan Văn Hẹn lúc 07:30 ngày 03\/08\/2021 .*Trạm sửa chữa.*\/health-book/);
    // no seat left: a new booking, a rebooking into it, a session, a walk-in, a second close
    const c = await w.person('Người Đến Sau');
    await w.register(c);
    const booked = await send('POST', '/api/vaccination/bookings', staff, { personId: c, slotId: w.slots[2], doseNumber: 1 });
    expect(booked.statusCode, booked.body).toBe(409);
    expect(booked.json().error.code).toBe('SLOT_CLOSED');
    const session = await send('POST', `/api/vaccination/campaigns/${w.campaignId}/sessions`, w.cdc, { siteId: w.siteId, day: '2021-08-10', productCode: 'EU/1/20/1528' });
    expect(session.statusCode).toBe(409);
    expect(session.json().error.details[0].path).toBe('body.siteId');
    const walkIn = await send('POST', `/api/vaccination/sessions/${w.sessionId}/walk-ins`, staff, { personId: c, doseNumber: 1 });
    expect(walkIn.statusCode).toBe(409);
    expect((await send('POST', `/api/vaccination/sites/${w.siteId}/close`, w.cdc, { bookings: 'cancel', reason: 'again' })).statusCode).toBe(409);
    expect((await send('PATCH', `/api/vaccination/sites/${w.siteId}`, w.cdc, { name: 'x' })).statusCode).toBe(409);
    // citizens choosing a time see none of its slots; the site list no longer offers it
    expect((await get(`/api/vaccination/slots?campaignId=${w.campaignId}&day=${DAY}&siteId=${w.siteId}`, staff)).json().items).toEqual([]);
    expect((await get('/api/vaccination/sites', w.cdc)).json().items.some((s: { id: string }) => s.id === w.siteId)).toBe(false);
    const seats = (await sql<{ n: number }>`select coalesce(sum(capacity), 0)::int as n from vaccination_slots sl join vaccination_sessions se on se.id = sl.session_id where se.site_id = ${w.siteId}`.execute(t.db)).rows[0]!;
    expect(seats.n).toBe(0);
    const audit = (await sql<{ details: Record<string, unknown> }>`select details from audit_log where action = 'vaccination.site.close' and subject_id = ${w.siteId}`.execute(t.db)).rows;
    expect(audit).toEqual([{ details: expect.objectContaining({ choice: 'cancel', bookings: 3, reason: 'Trạm sửa chữa', cancelled: 3, notified: 2 }) }]);
  });

  it('keeping the appointments: they stand, the people are told so, and a kept booking cancelled later frees no seat', async () => {
    const w = await vaccWorld(t, DAY);
    const staff = await t.login('vaccination_staff', w.commune);
    const { aIds, bId } = await twoBooked(w, staff);
    const before = (await sql<{ n: number }>`select count(*)::int as n from notifications where purpose = 'vaccination.kept'`.execute(t.db)).rows[0]!.n;
    const r = await send('POST', `/api/vaccination/sites/${w.siteId}/close`, w.cdc, { bookings: 'keep', reason: 'Chuyển điểm tiêm' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ bookings: 3, cancelled: 0, notified: 2 });
    expect(await Promise.all([...aIds, bId].map(bookingStatus))).toEqual(['booked', 'booked', 'booked']);
    const kept = await notices('vaccination.kept');
    expect(kept.length - before).toBe(2);
    expect(kept.some((s) => /Đỗ Thị Lịch lúc 08:00 ngày 03\/08\/2021 .* vẫn giữ nguyên/.test(s.body))).toBe(true);
    // the kept booking is cancelled by its owner: the seat goes with it
    expect((await send('POST', `/api/vaccination/bookings/${bId}/cancel`, staff)).statusCode).toBe(200);
    const c = await w.person('Người Chờ Chỗ');
    await w.register(c);
    const booked = await send('POST', '/api/vaccination/bookings', staff, { personId: c, slotId: w.slots[1], doseNumber: 1 });
    expect(booked.statusCode, booked.body).toBe(409);
    expect(booked.json().error.code).toBe('SLOT_CLOSED');
    const slot = (await sql<{ capacity: number; booked: number }>`select capacity, booked from vaccination_slots where id = ${w.slots[1]}`.execute(t.db)).rows[0]!;
    expect(slot).toEqual({ capacity: 0, booked: 0 });
  });
});

describe('closing while people book', () => {
  it('bookings racing a close are either taken then cancelled or refused; every counter matches its live bookings', async () => {
    const w = await vaccWorld(t, DAY);
    const staff = await t.login('vaccination_staff', w.commune);
    const people = await Promise.all(Array.from({ length: 16 }, (_, i) => w.person(`Người Đua ${i}`)));
    for (const p of people) await w.register(p);
    const [bookings, close] = await Promise.all([
      Promise.all(people.map((p, i) => send('POST', '/api/vaccination/bookings', staff, { personId: p, slotId: w.slots[i % w.slots.length], doseNumber: 1 }))),
      send('POST', `/api/vaccination/sites/${w.siteId}/close`, w.cdc, { bookings: 'cancel', reason: 'Đóng gấp' }),
    ]);
    expect(close.statusCode, close.body).toBe(200);
    const taken = bookings.filter((b) => b.statusCode === 201).length;
    expect(bookings.filter((b) => b.statusCode !== 201).map((b) => [b.statusCode, b.json().error.code])).toEqual(Array(16 - taken).fill([409, 'SLOT_CLOSED']));
    expect(close.json()).toMatchObject({ bookings: taken, cancelled: taken });
    const slots = (
      await sql<{ capacity: number; booked: number; live: number; closed: boolean }>`
        select sl.capacity, sl.booked, sl.closed, (select count(*)::int from vaccination_bookings b where b.slot_id = sl.id and b.status = 'booked') as live
        from vaccination_slots sl where sl.session_id = ${w.sessionId}`.execute(t.db)
    ).rows;
    expect(slots.every((s) => s.closed && s.booked === 0 && s.capacity === 0 && s.live === 0)).toBe(true);
  });
});

describe('editing and closing a campaign', () => {
  it('dates and area must keep the sessions already planned; another province is refused; a name change shows', async () => {
    const w = await vaccWorld(t, DAY);
    const early = await send('PATCH', `/api/vaccination/campaigns/${w.campaignId}`, w.cdc, { endsOn: '2021-08-01' });
    expect(early.statusCode).toBe(400);
    expect(early.json().error.details[0]).toMatchObject({ path: 'body.endsOn', message: expect.stringContaining('2021-08-03') });
    const backwards = await send('PATCH', `/api/vaccination/campaigns/${w.campaignId}`, w.cdc, { startsOn: '2023-01-01' });
    expect(backwards.json().error.details[0].path).toBe('body.startsOn');
    const otherDistrict = (await sql<{ parent_code: string }>`select parent_code from admin_units where code = ${w.otherCommune}`.execute(t.db)).rows[0]!.parent_code;
    const narrow = await send('PATCH', `/api/vaccination/campaigns/${w.campaignId}`, w.cdc, { unitCode: otherDistrict });
    expect(narrow.statusCode).toBe(400);
    expect(narrow.json().error.details[0].path).toBe('body.unitCode');
    expect((await send('PATCH', `/api/vaccination/campaigns/${w.campaignId}`, w.cdc, { unitCode: '01' })).statusCode).toBe(403);
    expect((await send('PATCH', `/api/vaccination/campaigns/${w.campaignId}`, await t.login('cdc_officer', '01'), { name: 'x' })).statusCode).toBe(403);
    expect((await send('PATCH', `/api/vaccination/campaigns/${w.campaignId}`, await t.login('vaccination_staff', w.commune), { name: 'x' })).statusCode).toBe(403);
    expect((await send('PATCH', `/api/vaccination/campaigns/${w.campaignId}`, null, { name: 'x' })).statusCode).toBe(401);
    const ok = await send('PATCH', `/api/vaccination/campaigns/${w.campaignId}`, w.cdc, { name: 'Chiến dịch mùa thu', endsOn: '2021-12-31' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().changed).toEqual(['name', 'endsOn']);
    const listed = (await get('/api/vaccination/campaigns', w.cdc)).json().items.find((c: { id: string }) => c.id === w.campaignId);
    expect(listed).toMatchObject({ name: 'Chiến dịch mùa thu', endsOn: '2021-12-31' });
    // a session after the new end is refused
    const late = await send('POST', `/api/vaccination/campaigns/${w.campaignId}/sessions`, w.cdc, { siteId: w.siteId, day: '2022-02-01', productCode: 'EU/1/20/1528' });
    expect(late.json().error.details[0].path).toBe('body.day');
  });

  it('closed: its appointments cancelled and told, no registration, session, booking or invitation, gone from the list', async () => {
    const w = await vaccWorld(t, DAY);
    const staff = await t.login('vaccination_staff', w.commune);
    const { aIds } = await twoBooked(w, staff);
    const r = await send('POST', `/api/vaccination/campaigns/${w.campaignId}/close`, w.cdc, { bookings: 'cancel', reason: 'Hết vắc xin' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ bookings: 3, cancelled: 3, notified: 2 });
    expect(await bookingStatus(aIds[1]!)).toBe('cancelled');
    expect((await notices('vaccination.cancelled')).some((s) => s.body.includes('Hết vắc xin'))).toBe(true);
    const p = await w.person('Người Đăng Ký Muộn');
    const reg = await send('POST', '/api/vaccination/registrations', staff, { campaignId: w.campaignId, personId: p });
    expect(reg.statusCode).toBe(409);
    expect(reg.json().error.details[0].path).toBe('body.campaignId');
    expect((await send('POST', `/api/vaccination/campaigns/${w.campaignId}/sessions`, w.cdc, { siteId: w.siteId, day: '2021-08-12', productCode: 'EU/1/20/1528' })).statusCode).toBe(409);
    expect((await send('POST', `/api/vaccination/campaigns/${w.campaignId}/invitations`, w.cdc, { limit: 10 })).statusCode).toBe(409);
    await w.register(p);
    const booked = await send('POST', '/api/vaccination/bookings', staff, { personId: p, slotId: w.slots[3], doseNumber: 1 });
    expect(booked.json().error.code).toBe('SLOT_CLOSED');
    expect((await get('/api/vaccination/campaigns', w.cdc)).json().items.some((c: { id: string }) => c.id === w.campaignId)).toBe(false);
    expect((await send('POST', `/api/vaccination/campaigns/${w.campaignId}/close`, w.cdc, { bookings: 'keep', reason: 'x' })).statusCode).toBe(409);
    // the site itself stays open for other campaigns
    expect((await sql<{ active: boolean }>`select active from vaccination_sites where id = ${w.siteId}`.execute(t.db)).rows[0]!.active).toBe(true);
  });
});
