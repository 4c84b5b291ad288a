// Issue 13 items 4 (API tokens: scopes, expiry, list/revoke, no token minting with a token, revoked on password
// reset) and 5 (sign-in throttling per address across usernames, growing delays per address + user, no lockout of
// the owner by a stranger).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, TEST_PASSWORD, type LoggedIn, type TestContext } from './helpers';
import { ADDRESS_RULE, USER_RULE } from '../src/platform/auth/throttle';

let now = new Date('2026-03-01T08:00:00Z');
let t: TestContext;

beforeAll(async () => {
  t = await testContext({ clock: () => now });
});
afterAll(() => t?.close());

const loginFrom = (ip: string, username: string, password: string) =>
  t.app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: ip, headers: { 'x-requested-with': 'vigil' }, payload: { username, password } });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const newToken = async (who: LoggedIn, payload: Record<string, unknown>) => {
  const r = await t.app.inject({ method: 'POST', url: '/api/auth/tokens', headers: who.headers, payload: { name: 'exchange', ...payload } });
  expect(r.statusCode, r.body).toBe(201);
  return r.json() as { id: string; token: string; scopes: string[]; expiresAt: string };
};

describe('API tokens (item 4)', () => {
  it('are read-only and expire in 90 days unless told otherwise', async () => {
    const u = await t.login('commune_officer', '40');
    const tok = await newToken(u, {});
    expect(tok.scopes).toEqual(['read']);
    expect(new Date(tok.expiresAt).getTime() - now.getTime()).toBe(90 * 86400_000);
    expect((await t.app.inject({ url: '/api/people', headers: bearer(tok.token) })).statusCode).toBe(200);
    const write = await t.app.inject({ method: 'POST', url: '/api/people', headers: bearer(tok.token), payload: { fullName: 'Lê Văn Tám', communeCode: '40' } });
    expect(write.statusCode).toBe(403);
    expect(write.json().error.code).toBe('TOKEN_SCOPE');
    // no "never expires", no ten years
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/tokens', headers: u.headers, payload: { name: 'x', expiresInDays: 3650 } })).statusCode).toBe(400);
    const saved = now;
    now = new Date(now.getTime() + 91 * 86400_000);
    expect((await t.app.inject({ url: '/api/auth/me', headers: bearer(tok.token) })).statusCode).toBe(401);
    now = saved;
  });

  it('carry only named permissions their owner has', async () => {
    const u = await t.login('cdc_officer', '40');
    const tok = await newToken(u, { scopes: ['people.read', 'users.manage'] });
    expect((await t.app.inject({ url: '/api/users', headers: bearer(tok.token) })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/people', headers: bearer(tok.token) })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/audit', headers: bearer(tok.token) })).statusCode).toBe(403); // audit.read not granted
    expect((await t.app.inject({ url: '/api/venues', headers: bearer(tok.token) })).statusCode).toBe(403); // venues.read not granted
    const me = await t.app.inject({ url: '/api/auth/me', headers: bearer(tok.token) });
    expect(me.json().user.permissions.sort()).toEqual(['people.read', 'users.manage']);
    const commune = await t.login('commune_officer', '40');
    const bad = await t.app.inject({ method: 'POST', url: '/api/auth/tokens', headers: commune.headers, payload: { name: 'x', scopes: ['users.manage'] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('body.scopes.0');
  });

  it('cannot mint tokens', async () => {
    const u = await t.login('cdc_officer', '40');
    const tok = await newToken(u, { scopes: ['users.manage', 'people.write'] });
    const r = await t.app.inject({ method: 'POST', url: '/api/auth/tokens', headers: bearer(tok.token), payload: { name: 'child', scopes: ['people.write'] } });
    expect(r.statusCode).toBe(403);
    expect((await t.db.selectFrom('api_tokens').select('id').where('name', '=', 'child').execute()).length).toBe(0);
  });

  it('are listed and revoked by their owner and the owner’s managers only', async () => {
    const owner = await t.login('commune_officer', '40');
    const tok = await newToken(owner, { name: 'lab import' });
    const mine = await t.app.inject({ url: '/api/auth/tokens', headers: owner.headers });
    expect(mine.json().items).toEqual([expect.objectContaining({ id: tok.id, name: 'lab import', scopes: ['read'], active: true })]);
    expect(JSON.stringify(mine.json())).not.toContain(tok.token);

    expect((await t.app.inject({ url: '/api/auth/tokens' })).statusCode).toBe(401);
    const hanoi = await t.login('cdc_officer', '01');
    expect((await t.app.inject({ url: `/api/auth/tokens?userId=${owner.id}`, headers: hanoi.headers })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/auth/tokens/${tok.id}`, headers: hanoi.headers })).statusCode).toBe(404);
    const peer = await t.login('commune_officer', '40');
    expect((await t.app.inject({ method: 'DELETE', url: `/api/auth/tokens/${tok.id}`, headers: peer.headers })).statusCode).toBe(404);
    expect((await t.app.inject({ url: '/api/auth/me', headers: bearer(tok.token) })).statusCode).toBe(200);

    const manager = await t.login('cdc_officer', '40');
    const listed = await t.app.inject({ url: `/api/auth/tokens?userId=${owner.id}`, headers: manager.headers });
    expect(listed.statusCode).toBe(200);
    expect(listed.json().items.map((i: { id: string }) => i.id)).toEqual([tok.id]);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/auth/tokens/${tok.id}`, headers: manager.headers })).statusCode).toBe(204);
    expect((await t.app.inject({ url: '/api/auth/me', headers: bearer(tok.token) })).statusCode).toBe(401);
    const after = await t.app.inject({ url: '/api/auth/tokens', headers: owner.headers });
    expect(after.json().items[0]).toMatchObject({ active: false, revokedAt: now.toISOString() });
    const audit = await t.db.selectFrom('audit_log').select(['action', 'actor_username']).where('action', '=', 'token.revoke').execute();
    expect(audit).toContainEqual({ action: 'token.revoke', actor_username: manager.username });
  });

  it('are revoked when the password is reset', async () => {
    const owner = await t.login('commune_officer', '40');
    const tok = await newToken(owner, {});
    const admin = await t.login('national_admin');
    const reset = await t.app.inject({ method: 'PATCH', url: `/api/users/${owner.id}`, headers: admin.headers, payload: { password: 'a-new-password-42' } });
    expect(reset.statusCode, reset.body).toBe(200);
    expect((await t.app.inject({ url: '/api/auth/me', headers: bearer(tok.token) })).statusCode).toBe(401);
    const own = await t.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'x-requested-with': 'vigil' }, payload: { username: owner.username, password: 'a-new-password-42' } });
    const cookie = String(own.headers['set-cookie']).split(';')[0]!;
    const list = await t.app.inject({ url: '/api/auth/tokens', headers: { cookie } });
    expect(list.json().items[0].active).toBe(false);
  });
});

describe('sign-in throttling (item 5)', () => {
  it('limits wrong passwords per address across usernames (password spraying)', async () => {
    const answers: number[] = [];
    for (let i = 0; i < 40; i++) answers.push((await loginFrom('10.1.0.1', `spray.target.${i}`, 'Summer2021!')).statusCode);
    expect(answers.slice(0, ADDRESS_RULE.free)).toEqual(Array(ADDRESS_RULE.free).fill(401));
    expect(answers.slice(ADDRESS_RULE.free + 1)).toContain(429);
    expect(answers.filter((s) => s === 401).length).toBeLessThanOrEqual(ADDRESS_RULE.free + 1);
    // other addresses sign in as usual
    await t.createUser({ username: 'spray.bystander', role: 'commune_officer', jurisdictionCode: '40' });
    expect((await loginFrom('10.1.0.2', 'spray.bystander', TEST_PASSWORD)).statusCode).toBe(200);
  });

  it('slows a stranger guessing a known user with growing delays, while the owner signs in from elsewhere', async () => {
    await t.createUser({ username: 'known.user', role: 'cdc_officer', jurisdictionCode: '40' });
    const stranger = '10.2.0.1';
    for (let i = 0; i < USER_RULE.free; i++) expect((await loginFrom(stranger, 'known.user', `guess-${i}-x1`)).statusCode).toBe(401);
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      expect((await loginFrom(stranger, 'known.user', `guess-more-${i}-x1`)).statusCode).toBe(401);
      const blocked = await loginFrom(stranger, 'known.user', TEST_PASSWORD); // refused before the password is checked
      expect(blocked.statusCode).toBe(429);
      waits.push(Number(blocked.headers['retry-after']));
      now = new Date(now.getTime() + waits[i]! * 1000);
    }
    expect(waits).toEqual([1, 2, 4]);
    // the owner, from their own address, is not locked out
    expect((await loginFrom('10.2.0.99', 'known.user', TEST_PASSWORD)).statusCode).toBe(200);
    // and their success does not reset the stranger's delay
    expect((await loginFrom(stranger, 'known.user', 'guess-again-x1')).statusCode).toBe(401);
    expect((await loginFrom(stranger, 'known.user', 'guess-again-x2')).statusCode).toBe(429);
  });
});

describe('audit of every answer carrying personal fields (item 9)', () => {
  const rows = (action: string, actor: string) =>
    t.db.selectFrom('audit_log').select(['action', 'details']).where('action', '=', action).where('actor_username', '=', actor).execute();

  it('writes a row for the plain people list (no search), page by page', async () => {
    const u = await t.login('commune_officer', '40');
    expect((await t.app.inject({ url: '/api/people?limit=5', headers: u.headers })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/people?limit=5&offset=5', headers: u.headers })).statusCode).toBe(200);
    const got = await rows('person.list', u.username);
    expect(got.map((r) => (r.details as { offset: number }).offset)).toEqual([0, 5]);
  });

  it('writes a row for routes audited by the platform (the duplicates list), not for refusals', async () => {
    const u = await t.login('cdc_officer', '40');
    const ok = await t.app.inject({ url: '/api/people/duplicates', headers: u.headers });
    expect(ok.statusCode).toBe(200);
    const citizen = await t.login('citizen', '40');
    expect((await t.app.inject({ url: '/api/people/duplicates', headers: citizen.headers })).statusCode).toBe(403);
    expect(await rows('person.duplicates.read', u.username)).toEqual([
      { action: 'person.duplicates.read', details: { route: 'GET /api/people/duplicates', status: 200, rows: 0 } },
    ]);
    expect(await rows('person.duplicates.read', citizen.username)).toEqual([]);
  });

  it('refuses at startup a route that answers personal fields without saying how it is audited', async () => {
    const Fastify = (await import('fastify')).default;
    const { Type } = await import('@sinclair/typebox');
    const { authPlugin } = await import('../src/platform/auth/plugin');
    const app = Fastify();
    await authPlugin(app, { db: t.db, clock: () => now, publicUrl: 'http://x.test' });
    const schema = { response: { 200: Type.Object({ items: Type.Array(Type.Object({ id: Type.String(), fullName: Type.String() })) }) } };
    expect(() => app.get('/api/leaky-list', { config: { permission: 'people.read' }, schema }, async () => ({ items: [] }))).toThrow(/personal fields \(fullName\).*no audit/);
    expect(() => app.get('/api/audited-list', { config: { permission: 'people.read', audit: { action: 'x.read' } }, schema }, async () => ({ items: [] }))).not.toThrow();
    await app.close();
  });
});
