// Reopening a closed vaccination site or campaign (close.ts reopenSite / reopenCampaign, routes-admin.ts): with a
// reason (audited); the slots the close closed stay closed unless the staff member chooses to reopen the future ones,
// which then get back the seats they had; cancelled appointments stay cancelled; every refusal of an outsider.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type LoggedIn, type TestContext } from '../../../test/helpers';
import { vaccWorld, type VaccWorld } from './test-fixtures';

let t: TestContext;
const now = new Date('2021-08-02T01:00:00Z'); // 08:00 in Vietnam
const DAY = '2021-08-03';

const send = (url: string, who: LoggedIn | null, payload: unknown = {}) => t.app.inject({ method: 'POST', url, headers: who?.headers ?? {}, payload: payload as object });
const get = (url: string, who: LoggedIn | null) => t.app.inject({ method: 'GET', url, headers: who?.headers ?? {} });

beforeAll(async () => {
  t = await testContext({ clock: () => now });
});
afterAll(() => t?.close());

const slot = async (id: string) => (await sql<{ capacity: number; booked: number; closed: boolean }>`select capacity, booked, closed from vaccination_slots where id = ${id}`.execute(t.db)).rows[0]!;
const audits = async (action: string, id: string) => (await sql<{ details: Record<string, unknown> }>`select details from audit_log where action = ${action} and subject_id = ${id}`.execute(t.db)).rows.map((r) => r.details);

async function bookOne(w: VaccWorld, staff: LoggedIn, name: string, slotId: string) {
  const p = await w.person(name);
  await w.register(p);
  return send('/api/vaccination/bookings', staff, { personId: p, slotId, doseNumber: 1 });
}

describe('reopening a site', () => {
  it('takes sessions again; the closed slots stay closed unless the staff reopen the future ones, which get their seats back', async () => {
    const w = await vaccWorld(t, DAY);
    const staff = await t.login('vaccination_staff', w.commune);
    expect((await bookOne(w, staff, 'Người Giữ Chỗ', w.slots[0]!)).statusCode).toBe(201);
    expect((await send(`/api/vaccination/sites/${w.siteId}/close`, w.cdc, { bookings: 'keep', reason: 'Mất điện' })).statusCode).toBe(200);
    expect(await slot(w.slots[0]!)).toEqual({ capacity: 1, booked: 1, closed: true });
    const noReason = await send(`/api/vaccination/sites/${w.siteId}/reopen`, w.cdc, { reason: '  ' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().error.details[0].path).toBe('body.reason');
    const r = await send(`/api/vaccination/sites/${w.siteId}/reopen`, w.cdc, { reason: 'Có điện lại' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toEqual({ slotsReopened: 0, seats: 0 });
    expect((await get('/api/vaccination/sites', w.cdc)).json().items.some((s: { id: string }) => s.id === w.siteId)).toBe(true);
    // a new session there is taken; the slots the close closed are not
    expect((await send(`/api/vaccination/campaigns/${w.campaignId}/sessions`, w.cdc, { siteId: w.siteId, day: '2021-08-10', productCode: 'EU/1/20/1528' })).statusCode).toBe(201);
    const refused = await bookOne(w, staff, 'Người Đến Sau', w.slots[1]!);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('SLOT_CLOSED');
    expect((await send(`/api/vaccination/sites/${w.siteId}/reopen`, w.cdc, { reason: 'lần nữa' })).statusCode).toBe(409);
    // closed again, reopened with its future slots: each has the seats it had before (the kept booking still in one)
    expect((await send(`/api/vaccination/sites/${w.siteId}/close`, w.cdc, { bookings: 'keep', reason: 'Mất điện lần hai' })).statusCode).toBe(200);
    const again = await send(`/api/vaccination/sites/${w.siteId}/reopen`, w.cdc, { reason: 'Sửa xong', reopenSlots: true });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().slotsReopened).toBeGreaterThanOrEqual(w.slots.length);
    expect(await slot(w.slots[0]!)).toEqual({ capacity: 2, booked: 1, closed: false });
    expect(await slot(w.slots[1]!)).toEqual({ capacity: 2, booked: 0, closed: false });
    expect((await bookOne(w, staff, 'Người Đặt Lại', w.slots[1]!)).statusCode).toBe(201);
    expect(await audits('vaccination.site.reopen', w.siteId)).toEqual([
      expect.objectContaining({ reason: 'Có điện lại', reopenSlots: false, slotsReopened: 0 }),
      expect.objectContaining({ reason: 'Sửa xong', reopenSlots: true, slotsReopened: again.json().slotsReopened }),
    ]);
  });

  it('refuses outsiders: no session, a citizen, vaccination staff, another province, an unknown site, a NUL byte', async () => {
    const w = await vaccWorld(t, DAY);
    expect((await send(`/api/vaccination/sites/${w.siteId}/close`, w.cdc, { bookings: 'cancel', reason: 'Đóng' })).statusCode).toBe(200);
    const url = `/api/vaccination/sites/${w.siteId}/reopen`;
    const body = { reason: 'Mở lại', reopenSlots: true };
    expect((await send(url, null, body)).statusCode).toBe(401);
    const citizen = await t.login('citizen', '40', { personId: await w.person('Công Dân Mở') });
    expect((await send(url, citizen, body)).statusCode).toBe(403);
    expect((await send(url, await t.login('vaccination_staff', w.commune), body)).statusCode).toBe(403);
    expect((await send(url, await t.login('cdc_officer', '01'), body)).statusCode).toBe(403);
    expect((await send('/api/vaccination/sites/00000000-0000-4000-8000-000000000000/reopen', w.cdc, body)).statusCode).toBe(400);
    expect((await send(url, w.cdc, { reason: 'a\u0000b' })).statusCode).toBe(400);
    expect((await send(url, w.cdc, { reason: 'x', extra: 1 })).statusCode).toBe(400);
    // the list of closed sites and campaigns to reopen: the officer's area only, not for citizens
    const listed = await get('/api/vaccination/closed', w.cdc);
    expect(listed.json().sites.map((x: { id: string }) => x.id)).toContain(w.siteId);
    expect((await get('/api/vaccination/closed', await t.login('cdc_officer', '01'))).json().sites.map((x: { id: string }) => x.id)).not.toContain(w.siteId);
    expect((await get('/api/vaccination/closed', citizen)).statusCode).toBe(403);
    const active = (await sql<{ active: boolean }>`select active from vaccination_sites where id = ${w.siteId}`.execute(t.db)).rows[0]!.active;
    expect(active).toBe(false);
    expect(await slot(w.slots[0]!)).toMatchObject({ closed: true, capacity: 0 });
  });
});

describe('reopening a campaign', () => {
  it('is active again; cancelled appointments stay cancelled; future slots reopen only when asked, and not at a closed site', async () => {
    const w = await vaccWorld(t, DAY);
    const staff = await t.login('vaccination_staff', w.commune);
    const booked = await bookOne(w, staff, 'Người Bị Huỷ', w.slots[0]!);
    expect(booked.statusCode).toBe(201);
    expect((await send(`/api/vaccination/campaigns/${w.campaignId}/close`, w.cdc, { bookings: 'cancel', reason: 'Hết vắc xin' })).statusCode).toBe(200);
    expect((await get('/api/vaccination/campaigns', w.cdc)).json().items.some((c: { id: string }) => c.id === w.campaignId)).toBe(false);
    const r = await send(`/api/vaccination/campaigns/${w.campaignId}/reopen`, w.cdc, { reason: 'Có vắc xin về', reopenSlots: true });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().slotsReopened).toBeGreaterThanOrEqual(w.slots.length);
    expect((await get('/api/vaccination/campaigns', w.cdc)).json().items.find((c: { id: string }) => c.id === w.campaignId)).toMatchObject({ status: 'active' });
    const st = (await sql<{ status: string }>`select status from vaccination_bookings where id = ${booked.json().ids[0]}`.execute(t.db)).rows[0]!.status;
    expect(st).toBe('cancelled');
    expect(await slot(w.slots[0]!)).toEqual({ capacity: 2, booked: 0, closed: false });
    // a campaign reopened while one of its sites stays closed: that site's slots stay closed
    expect((await send(`/api/vaccination/sites/${w.siteId}/close`, w.cdc, { bookings: 'keep', reason: 'Trạm đóng' })).statusCode).toBe(200);
    expect((await send(`/api/vaccination/campaigns/${w.campaignId}/close`, w.cdc, { bookings: 'keep', reason: 'Tạm dừng' })).statusCode).toBe(200);
    const again = await send(`/api/vaccination/campaigns/${w.campaignId}/reopen`, w.cdc, { reason: 'Tiếp tục', reopenSlots: true });
    expect(again.json()).toEqual({ slotsReopened: 0, seats: 0 });
    expect((await slot(w.slots[1]!)).closed).toBe(true);
    expect(await audits('vaccination.campaign.reopen', w.campaignId)).toHaveLength(2);
  });

  it('refuses outsiders: no session, a citizen, another province, an open campaign, no reason', async () => {
    const w = await vaccWorld(t, DAY);
    const url = `/api/vaccination/campaigns/${w.campaignId}/reopen`;
    expect((await send(url, w.cdc, { reason: 'chưa đóng' })).statusCode).toBe(409);
    expect((await send(`/api/vaccination/campaigns/${w.campaignId}/close`, w.cdc, { bookings: 'cancel', reason: 'Đóng' })).statusCode).toBe(200);
    expect((await send(url, null, { reason: 'x' })).statusCode).toBe(401);
    const citizen = await t.login('citizen', '40', { personId: await w.person('Công Dân Chiến Dịch') });
    expect((await send(url, citizen, { reason: 'x' })).statusCode).toBe(403);
    expect((await send(url, await t.login('cdc_officer', '01'), { reason: 'x' })).statusCode).toBe(403);
    expect((await send(url, w.cdc, {})).statusCode).toBe(400);
    expect((await send('/api/vaccination/campaigns/00000000-0000-4000-8000-000000000000/reopen', w.cdc, { reason: 'x' })).statusCode).toBe(404);
    const status = (await sql<{ status: string }>`select status from vaccination_campaigns where id = ${w.campaignId}`.execute(t.db)).rows[0]!.status;
    expect(status).toBe('closed');
  });
});
