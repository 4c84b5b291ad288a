// Attacks found in the review of vaccination + certificates (session 5): each test fails without its fix.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type LoggedIn, type TestContext } from '../../../test/helpers';
import { vaccWorld, type VaccWorld } from './test-fixtures';

let t: TestContext;
let w: VaccWorld;
const now = new Date('2021-08-02T01:00:00Z');
let staff: LoggedIn;

const send = (url: string, who: LoggedIn | null, payload?: unknown) => t.app.inject({ method: 'POST', url, headers: who?.headers ?? {}, payload: (payload ?? {}) as object });
const get = (url: string, who: LoggedIn | null) => t.app.inject({ method: 'GET', url, headers: who?.headers ?? {} });

beforeAll(async () => {
  t = await testContext({ clock: () => now });
  w = await vaccWorld(t, '2021-08-03');
  staff = await t.login('vaccination_staff', '40');
});
afterAll(() => t?.close());

describe('typed-in details of someone else', () => {
  it('a dependant typed with another person’s ID card does not capture that person’s registration at the desk', async () => {
    const attacker = await t.login('citizen', '40', { personId: await w.person('Kẻ Gian Lận') });
    const victim = { fullName: 'Nạn Nhân Một', nationalId: '040085009001', birthDate: '1985-06-07', sex: 'male', communeCode: w.commune };
    const dep = await send('/api/me/dependants', attacker, { person: { ...victim, phone: '0913000901' }, relationship: 'other' });
    expect(dep.statusCode, dep.body).toBe(201);
    const depId = dep.json().items[0].id as string;
    // the owner of the card comes to the desk without a QR; staff type the card
    const r = await send('/api/vaccination/registrations', staff, { campaignId: w.campaignId, person: { ...victim, phone: '0913000902' } });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().personId).not.toBe(depId);
    // the attacker's household shows nothing of it
    const book = await get(`/api/vaccination/book/${depId}`, attacker);
    expect(book.statusCode).toBe(200);
    expect(book.json().registrations).toEqual([]);
  });
});
