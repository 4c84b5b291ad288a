// Platform behaviour over HTTP against the real PostgreSQL: auth, sessions, jurisdiction scope, audit, errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { testContext, TEST_PASSWORD, type TestContext } from './helpers';
import { USER_RULE } from '../src/platform/auth/throttle';

let now = new Date('2026-03-01T08:00:00Z');
let t: TestContext;

beforeAll(async () => {
  t = await testContext({ clock: () => now });
});
afterAll(() => t?.close());

const loginReq = (username: string, password: string) =>
  t.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'x-requested-with': 'vigil' }, payload: { username, password } });

describe('authentication', () => {
  it('logs in with a session cookie that is httpOnly and SameSite', async () => {
    await t.createUser({ username: 'lan.cdc', role: 'cdc_officer', jurisdictionCode: '40' });
    const res = await loginReq('lan.cdc', TEST_PASSWORD);
    expect(res.statusCode).toBe(200);
    expect(res.json().user).toMatchObject({ username: 'lan.cdc', role: 'cdc_officer', jurisdiction: { code: '40', name: 'Nghệ An', level: 'province' } });
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/vigil_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const me = await t.app.inject({ url: '/api/auth/me', headers: { cookie: cookie.split(';')[0] } });
    expect(me.statusCode).toBe(200);
    expect(me.json().user.permissions).toContain('users.manage');
  });

  it('answers a wrong password and an unknown user with the same 401', async () => {
    const a = await loginReq('lan.cdc', 'wrong-password-1');
    const b = await loginReq('nobody.here', 'wrong-password-1');
    expect(a.statusCode).toBe(401);
    expect(b.statusCode).toBe(401);
    expect(a.json()).toEqual(b.json());
    expect(a.json().error.message).not.toMatch(/password is wrong|no such user|unknown user/i);
  });

  it('slows down wrong passwords per address + username, without locking the owner out (see auth-security.test.ts)', async () => {
    await t.createUser({ username: 'lock.me', role: 'commune_officer', jurisdictionCode: '40' });
    for (let i = 0; i < USER_RULE.free + 1; i++) expect((await loginReq('lock.me', `bad-pass-${i}9`)).statusCode).toBe(401);
    const slowed = await loginReq('lock.me', TEST_PASSWORD);
    expect(slowed.statusCode).toBe(429);
    expect(slowed.json().error.code).toBe('RATE_LIMITED');
    expect(Number(slowed.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    now = new Date(now.getTime() + 2000);
    expect((await loginReq('lock.me', TEST_PASSWORD)).statusCode).toBe(200);
  });

  it('rejects an expired session with 401', async () => {
    const u = await t.login('contact_tracer');
    expect((await t.app.inject({ url: '/api/auth/me', headers: u.headers })).statusCode).toBe(200);
    const saved = now;
    now = new Date(now.getTime() + (t.config.sessionTtlHours + 1) * 3600_000);
    const res = await t.app.inject({ url: '/api/auth/me', headers: u.headers });
    now = saved;
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('UNAUTHORIZED');
  });

  it('logs out: the cookie stops working', async () => {
    const u = await t.login('lab_staff');
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: u.headers })).statusCode).toBe(204);
    expect((await t.app.inject({ url: '/api/auth/me', headers: u.headers })).statusCode).toBe(401);
  });

  it('refuses a cookie-authenticated change without the CSRF header', async () => {
    const u = await t.login('cdc_officer');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: { cookie: u.headers.cookie },
      payload: { username: 'x.y.z', displayName: 'X', password: 'abcdefgh12', role: 'commune_officer', jurisdictionCode: '40' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('CSRF');
  });

  it('accepts API tokens for machine clients, and not after revocation by disabling the user', async () => {
    const u = await t.login('cdc_officer');
    const created = await t.app.inject({ method: 'POST', url: '/api/auth/tokens', headers: u.headers, payload: { name: 'exchange', scopes: ['read', 'users.manage'], expiresInDays: 30 } });
    expect(created.statusCode).toBe(201);
    const token = created.json().token as string;
    const me = await t.app.inject({ url: '/api/auth/me', headers: { authorization: `Bearer ${token}` } });
    expect(me.json().user.username).toBe(u.username);
    // no CSRF header needed with a bearer token
    const list = await t.app.inject({ url: '/api/users', headers: { authorization: `Bearer ${token}` } });
    expect(list.statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/auth/me', headers: { authorization: 'Bearer vgl_forged' } })).statusCode).toBe(401);
    const admin = await t.login('national_admin');
    await t.app.inject({ method: 'PATCH', url: `/api/users/${u.id}`, headers: admin.headers, payload: { disabled: true } });
    expect((await t.app.inject({ url: '/api/auth/me', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(401);
  });
});

describe('authorization and jurisdiction', () => {
  it('distinguishes 401 (not signed in) from 403 (not allowed)', async () => {
    expect((await t.app.inject({ url: '/api/users' })).statusCode).toBe(401);
    const tracer = await t.login('contact_tracer');
    const res = await t.app.inject({ url: '/api/users', headers: tracer.headers });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('FORBIDDEN');
  });

  it('filters the user list to the manager’s jurisdiction', async () => {
    await t.createUser({ username: 'hn.commune', role: 'commune_officer', jurisdictionCode: '01' });
    await t.createUser({ username: 'vinh.commune', role: 'commune_officer', jurisdictionCode: '412' });
    const nghean = await t.login('cdc_officer', '40');
    const list = (await t.app.inject({ url: '/api/users?limit=500', headers: nghean.headers })).json();
    const names = list.items.map((u: { username: string }) => u.username);
    expect(names).toContain('vinh.commune');
    expect(names).not.toContain('hn.commune');
    expect(list.total).toBe(list.items.length);
    const admin = await t.login('national_admin');
    const all = (await t.app.inject({ url: '/api/users?limit=500', headers: admin.headers })).json();
    expect(all.items.map((u: { username: string }) => u.username)).toContain('hn.commune');
  });

  it('forbids creating users outside one’s jurisdiction or above one’s role', async () => {
    const district = await t.login('district_officer', '412');
    const outside = await t.app.inject({
      method: 'POST', url: '/api/users', headers: district.headers,
      payload: { username: 'other.district', displayName: 'O', password: 'abcdefgh12', role: 'commune_officer', jurisdictionCode: '413' },
    });
    expect(outside.statusCode).toBe(403);
    const above = await t.app.inject({
      method: 'POST', url: '/api/users', headers: district.headers,
      payload: { username: 'sneaky.cdc', displayName: 'S', password: 'abcdefgh12', role: 'cdc_officer', jurisdictionCode: '412' },
    });
    expect(above.statusCode).toBe(403);
    const ok = await t.app.inject({
      method: 'POST', url: '/api/users', headers: district.headers,
      payload: { username: 'new.commune', displayName: 'Trạm y tế', password: 'abcdefgh12', role: 'commune_officer', jurisdictionCode: '412' },
    });
    expect(ok.statusCode).toBe(201);
    // officers may change their own name and password, not their own role
    const self = await t.app.inject({ method: 'PATCH', url: `/api/users/${district.id}`, headers: district.headers, payload: { displayName: 'Tên mới' } });
    expect(self.statusCode).toBe(200);
    const selfRole = await t.app.inject({ method: 'PATCH', url: `/api/users/${district.id}`, headers: district.headers, payload: { role: 'cdc_officer' } });
    expect(selfRole.statusCode).toBe(403);
    expect(ok.json().user).toMatchObject({ username: 'new.commune', jurisdiction: { code: '412' }, disabled: false });
  });

  it('keeps geo browsing inside the jurisdiction', async () => {
    const hanoi = await t.login('cdc_officer', '01');
    const top = (await t.app.inject({ url: '/api/geo/units', headers: hanoi.headers })).json();
    expect(top.items.map((u: { code: string }) => u.code)).toEqual(['01']);
    const other = await t.app.inject({ url: '/api/geo/units?parent=40', headers: hanoi.headers });
    expect(other.statusCode).toBe(403);
    const search = (await t.app.inject({ url: `/api/geo/units?q=${encodeURIComponent('vinh')}`, headers: hanoi.headers })).json();
    expect(search.total).toBe(0);
  });
});

describe('audit', () => {
  it('records user changes and lets auditors search them, scoped to their jurisdiction', async () => {
    const cdc = await t.login('cdc_officer', '40');
    const created = await t.app.inject({
      method: 'POST', url: '/api/users', headers: cdc.headers,
      payload: { username: 'audited.user', displayName: 'A', password: 'abcdefgh12', role: 'contact_tracer', jurisdictionCode: '40' },
    });
    const id = created.json().user.id;
    await t.app.inject({ method: 'PATCH', url: `/api/users/${id}`, headers: cdc.headers, payload: { disabled: true, password: 'newpassword12' } });
    const rows = await t.db.selectFrom('audit_log').selectAll().where('subject_id', '=', id).orderBy('id').execute();
    expect(rows.map((r) => r.action)).toEqual(['user.create', 'user.update']);
    expect(rows[1].actor_username).toBe(cdc.username);
    expect(JSON.stringify(rows[1].details)).not.toContain('newpassword12');
    const search = (await t.app.inject({ url: `/api/audit?subjectId=${id}`, headers: cdc.headers })).json();
    expect(search.total).toBe(2);
    const hanoi = await t.login('cdc_officer', '01');
    const hidden = (await t.app.inject({ url: `/api/audit?subjectId=${id}`, headers: hanoi.headers })).json();
    expect(hidden.total).toBe(0);
  });

  it('is append-only at the database level', async () => {
    await expect(sql`update audit_log set action = 'x'`.execute(t.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log`.execute(t.db)).rejects.toThrow(/retention purge/);
  });

  it('purges only rows past retention, via the scheduled job', async () => {
    const old = new Date(now.getTime() - (t.config.auditRetentionDays + 5) * 86400_000);
    await t.db.insertInto('audit_log').values({ at: old, actor_id: null, actor_username: null, actor_scope_path: null, action: 'old.entry', subject_type: 'x', subject_id: null, reason: null, ip: null, details: null }).execute();
    const before = await t.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const r = (await t.app.vigil.jobs.runNow('platform.purge-audit')) as { deleted: number };
    expect(r.deleted).toBe(1);
    const after = await t.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n) - 1);
  });

  it('purges in chunks: one short DELETE per chunk, not one statement over years of rows', async () => {
    const old = new Date(now.getTime() - (t.config.auditRetentionDays + 9) * 86400_000);
    await sql`
      insert into audit_log (at, action, subject_type) select ${old}::timestamptz + i * interval '1 second', 'old.bulk', 'x' from generate_series(1, 25) i`.execute(t.db);
    // counts the DELETE statements the purge runs on audit_log
    await sql
      .raw(
        `create table test_audit_deletes (n int);
         create function test_count_audit_delete() returns trigger language plpgsql as $$ begin insert into test_audit_deletes values (1); return null; end $$;
         create trigger test_count_audit_delete after delete on audit_log for each statement execute function test_count_audit_delete();`,
      )
      .execute(t.db);
    try {
      const { purgeAudit } = await import('../src/platform/audit');
      const deleted = await purgeAudit(t.db, new Date(old.getTime() + 3600_000), 10);
      expect(deleted).toBe(25);
      const statements = await sql<{ n: string }>`select count(*) as n from test_audit_deletes`.execute(t.db);
      expect(Number(statements.rows[0]!.n)).toBe(3); // 10 + 10 + 5
      const left = await sql<{ n: string }>`select count(*) as n from audit_log where action = 'old.bulk'`.execute(t.db);
      expect(Number(left.rows[0]!.n)).toBe(0);
    } finally {
      await sql.raw('drop trigger test_count_audit_delete on audit_log; drop function test_count_audit_delete(); drop table test_audit_deletes').execute(t.db);
    }
  });
});

describe('HTTP platform', () => {
  it('gives validation errors one shape with field paths', async () => {
    const cdc = await t.login('cdc_officer');
    const res = await t.app.inject({ method: 'POST', url: '/api/users', headers: cdc.headers, payload: { username: 'ab', displayName: 'X', role: 'wizard' } });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error.code).toBe('VALIDATION');
    expect(body.error.details[0].path).toMatch(/^body\./);
    const weak = await t.app.inject({
      method: 'POST', url: '/api/users', headers: cdc.headers,
      payload: { username: 'weak.pw', displayName: 'W', password: 'short', role: 'commune_officer', jurisdictionCode: '40' },
    });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().error.details).toEqual([{ path: 'body.password', message: 'must be at least 10 characters' }]);
    const bad = await t.app.inject({ method: 'POST', url: '/api/users', headers: { ...cdc.headers, 'content-type': 'application/json' }, payload: '{"broken' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('INVALID_JSON');
  });

  it('answers 404 in the same shape for unknown routes and ids', async () => {
    const admin = await t.login('national_admin');
    const route = await t.app.inject({ url: '/api/nothing-here', headers: admin.headers });
    expect(route.statusCode).toBe(404);
    expect(route.json().error.code).toBe('NOT_FOUND');
    const unit = await t.app.inject({ url: '/api/geo/units/ZZ999', headers: admin.headers });
    expect(unit.statusCode).toBe(404);
    const user = await t.app.inject({ method: 'PATCH', url: '/api/users/999999', headers: admin.headers, payload: { displayName: 'x' } });
    expect(user.statusCode).toBe(404);
  });

  it('serves health, metrics and OpenAPI', async () => {
    expect((await t.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok', database: 'up' });
    const count = async (labels: string) => Number(new RegExp(`vigil_http_request_duration_seconds_count\\{${labels}\\} (\\d+)`).exec((await t.app.inject({ url: '/metrics' })).body)?.[1] ?? 0);
    const me = 'method="GET",route="/api/auth/me",status="401"';
    const unmatched = 'method="GET",route="unmatched",status="404"';
    const [me0, unmatched0] = [await count(me), await count(unmatched)];
    await t.app.inject({ url: '/api/auth/me' });
    await t.app.inject({ url: '/api/auth/me' });
    await t.app.inject({ url: '/no/such/page' });
    expect([await count(me), await count(unmatched)]).toEqual([me0 + 2, unmatched0 + 1]);
    const metrics = await t.app.inject({ url: '/metrics' });
    expect(metrics.body).toContain('# TYPE vigil_http_request_duration_seconds histogram');
    // cumulative buckets: +Inf holds every observation of the series
    expect(metrics.body).toContain(`vigil_http_request_duration_seconds_bucket{le="+Inf",${me}} ${me0 + 2}`);
    expect(metrics.body).toMatch(new RegExp(`vigil_http_request_duration_seconds_sum\\{${me}\\} \\d`));
    const spec = (await t.app.inject({ url: '/api/docs/json' })).json();
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toContain('/api/geo/units');
  });

  it('refuses at startup a route that declares no permission', async () => {
    const Fastify = (await import('fastify')).default;
    const { authPlugin } = await import('../src/platform/auth/plugin');
    const app = Fastify();
    await authPlugin(app, { db: t.db, clock: () => now, publicUrl: 'http://x.test' });
    expect(() => app.get('/api/open-door', async () => 'x')).toThrow(/declares neither permission nor public/);
    await app.close();
  });
});
