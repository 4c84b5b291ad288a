// The demo has a citizen's account (signing up needs a one-time code by SMS, which the console provider does not
// show): it signs in with the demo password and sees its own vaccinated record; seeding again changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, seedDemo } from '../src/demo';
import { testContext, type TestContext } from './helpers';

let t: TestContext;
beforeAll(async () => {
  t = await testContext();
}, 120_000);
afterAll(() => t?.close());

describe('demo citizen', () => {
  it('signs in as nguoidan and sees its own doses and certificates', async () => {
    await seedDemo(t.app);
    await t.events.settled(240_000); // certificates are issued from dose events (the whole demo's events: minutes on a loaded box)
    const linked = await t.db.selectFrom('users').select(['person_id', 'display_name']).where('username', '=', 'nguoidan').executeTakeFirstOrThrow();
    expect(linked.person_id).not.toBeNull();
    await seedDemo(t.app); // idempotent: the same person stays linked
    await t.events.settled(240_000);
    expect((await t.db.selectFrom('users').select('person_id').where('username', '=', 'nguoidan').executeTakeFirstOrThrow()).person_id).toBe(linked.person_id);

    const login = await t.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'x-requested-with': 'vigil' }, payload: { username: 'nguoidan', password: DEMO_PASSWORD } });
    expect(login.statusCode, login.body).toBe(200);
    const cookie = login.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const headers = { cookie, 'x-requested-with': 'vigil' };
    const me = (await t.app.inject({ method: 'GET', url: '/api/auth/me', headers })).json();
    expect(me.user).toMatchObject({ role: 'citizen', displayName: linked.display_name, personId: linked.person_id });
    const certs = await t.app.inject({ method: 'GET', url: '/api/me/certificates', headers });
    expect(certs.statusCode, certs.body).toBe(200);
    expect(certs.json().items.length).toBeGreaterThanOrEqual(1);
  }, 600_000);
});
