// Invitations in priority order up to capacity: 16 free seats, 20 registered people in three groups; the campaign's
// group order decides who is invited; a second round invites nobody while the first invitations are open; each
// invitation is an SMS through the messaging module.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type TestContext } from '../../../test/helpers';
import { vaccWorld, type VaccWorld } from './test-fixtures';

let t: TestContext;
let w: VaccWorld;
const now = new Date('2021-08-02T00:00:00Z');

beforeAll(async () => {
  t = await testContext({ clock: () => now });
  w = await vaccWorld(t, '2021-08-02'); // 8 slots × 2 seats
});
afterAll(() => t?.close());

describe('invitations', () => {
  it('invites in the campaign’s priority order up to the free seats, once', async () => {
    // 8 without a group, 6 accepted over-65s, 3 accepted health workers and 3 self-declared ones waiting for review
    const groups: [string | null, string][] = [...Array(8).fill([null, 'none']), ...Array(6).fill(['g08-chronic', 'accepted']), ...Array(3).fill(['g01-health', 'accepted']), ...Array(3).fill(['g01-health', 'review'])];
    const ids: Record<string, string> = {};
    for (const [i, [g, status]] of groups.entries()) {
      const p = await w.person(`Mời ${i}`);
      ids[p] = g ? `${g}/${status}` : 'none';
      await sql`insert into vaccination_registrations (campaign_id, person_id, priority_code, priority_status, channel, commune_code) values (${w.campaignId}, ${p}, ${g}, ${status}, 'staff', ${w.commune})`.execute(t.db);
    }
    const url = `/api/vaccination/campaigns/${w.campaignId}/invitations`;
    expect((await t.app.inject({ method: 'POST', url, headers: (await t.login('vaccination_staff', w.commune)).headers, payload: { limit: 100 } })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url, headers: (await t.login('cdc_officer', '01')).headers, payload: { limit: 100 } })).statusCode).toBe(403);
    const r = await t.app.inject({ method: 'POST', url, headers: w.cdc.headers, payload: { limit: 100 } });
    expect(r.json()).toEqual({ invited: 16, freeSeats: 16, openInvitations: 0 });
    const invited = (await sql<{ person_id: string }>`select person_id from vaccination_registrations where invited_at is not null`.execute(t.db)).rows.map((x) => ids[x.person_id]);
    expect(invited.filter((g) => g === 'g01-health/accepted')).toHaveLength(3);
    expect(invited.filter((g) => g === 'g08-chronic/accepted')).toHaveLength(6);
    // a claim waiting for review does not jump the queue: it waits with those who claimed no group (registered later)
    expect(invited.filter((g) => g === 'none')).toHaveLength(7);
    expect(invited.filter((g) => g === 'g01-health/review')).toHaveLength(0);
    expect((await t.app.inject({ method: 'POST', url, headers: w.cdc.headers, payload: { limit: 100 } })).json()).toEqual({ invited: 0, freeSeats: 16, openInvitations: 16 });
    await t.events.settled();
    const sms = await sql<{ n: number }>`select count(*)::int as n from notifications where purpose = 'campaign'`.execute(t.db);
    expect(sms.rows[0]!.n).toBe(16);
  });
});
