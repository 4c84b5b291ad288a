// Two server processes on one database (and the CLI): a signer rotated or retired on one reaches the others without a
// restart. B verifies what A's new signer signed, signs with it itself, and refuses what the retired signer signed
// once the configured grace has passed (not before); a rotation from `vigil cert signers rotate` reaches both.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { anotherApp, testContext, type LoggedIn, type TestContext } from '../../../test/helpers';
import { cliTestTimeout, runVigil } from '../../../test/cli-run';
import { KeyRing } from '../../platform/signing';
import { communesOf, dose, person, publishDose } from './test-fixtures';

let t: TestContext;
let b: { app: FastifyInstance; close(): Promise<void> };
let admin: LoggedIn;
let commune: string;
let now = new Date('2026-11-28T03:00:00Z');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-signers-'));
const GRACE_MINUTES = 10;
// the other process looks at the shared version this often; waits below are polls bounded by many of these
const REFRESH_SECONDS = 0.5;
const pickedUp = { timeout: 30_000, interval: 100 };

beforeAll(async () => {
  const config = { dccSignerRefreshSeconds: REFRESH_SECONDS, dccRetireGraceMinutes: GRACE_MINUTES };
  t = await testContext({ clock: () => now, keys: await KeyRing.open(dir, { clock: () => now }), config });
  b = await anotherApp(t, { keys: await KeyRing.open(dir, { clock: () => now }), config });
  ({ commune } = await communesOf(t));
  admin = await t.login('national_admin');
});
afterAll(async () => {
  await b?.close();
  await t?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const verifyOn = async (app: FastifyInstance, hc1: string) => (await app.inject({ method: 'POST', url: '/api/certificates/verify', payload: { hc1 } })).json();
const signersOn = async (app: FastifyInstance) => (await app.inject({ method: 'GET', url: '/api/certificates/signers', headers: admin.headers })).json().signers as { kid: string; active: boolean; retired: boolean }[];
const activeOn = async (app: FastifyInstance) => (await signersOn(app)).find((s) => s.active)?.kid;
async function certificateOf(name: string): Promise<{ hc1: string; kid: string }> {
  const p = await person(t, name, commune);
  await publishDose(t, dose(p));
  return t.db.selectFrom('dcc_certificates').select(['hc1', 'kid']).where('person_id', '=', p).executeTakeFirstOrThrow();
}

describe('document signers shared by two processes on one database', () => {
  let first: { hc1: string; kid: string };
  let second: { hc1: string; kid: string };

  it('B verifies what the signer rotated on A signs, and signs with it itself, without a restart', async () => {
    first = await certificateOf('Phan Văn Một');
    expect(await activeOn(b.app)).toBe(first.kid);
    const rotated = await t.app.inject({ method: 'POST', url: '/api/certificates/signers/rotate', headers: admin.headers });
    expect(rotated.statusCode, rotated.body).toBe(200);
    second = await certificateOf('Phan Thị Hai');
    expect(second.kid).not.toBe(first.kid);
    await expect.poll(async () => (await verifyOn(b.app, second.hc1)).valid, pickedUp).toBe(true);
    expect(await activeOn(b.app)).toBe(second.kid);
    const list = (await b.app.inject({ method: 'GET', url: '/api/certificates/trust-list' })).json().certificates.map((c: { kid: string }) => c.kid);
    expect(list.sort()).toEqual([first.kid, second.kid].sort());
    // rotation keeps what the old signer signed verifying
    expect((await verifyOn(b.app, first.hc1)).valid).toBe(true);
  });

  it('B refuses what a signer retired on A signed once the grace has passed, not before', async () => {
    const retired = await t.app.inject({ method: 'POST', url: '/api/certificates/signers/retire', headers: admin.headers, payload: { kid: first.kid } });
    expect(retired.statusCode, retired.body).toBe(200);
    await expect.poll(async () => (await signersOn(b.app)).find((s) => s.kid === first.kid)?.retired, pickedUp).toBe(true);
    expect((await verifyOn(b.app, first.hc1)).valid).toBe(true); // within the grace
    now = new Date(now.getTime() + (GRACE_MINUTES + 1) * 60_000);
    const refused = await verifyOn(b.app, first.hc1);
    expect([refused.valid, refused.checks.signature]).toEqual([false, false]);
    expect(refused.error).toMatch(/retired/);
    expect((await verifyOn(t.app, first.hc1)).valid).toBe(false);
    expect((await verifyOn(b.app, second.hc1)).valid).toBe(true);
    const list = (await b.app.inject({ method: 'GET', url: '/api/certificates/trust-list' })).json().certificates.map((c: { kid: string }) => c.kid);
    expect(list).toEqual([second.kid]);
  });

  it('a rotation from the CLI reaches both running processes', async () => {
    const r = await runVigil(['cert', 'signers', 'rotate'], { DATABASE_URL: t.config.databaseUrl!, VIGIL_SIGNING_KEY_DIR: dir, LOG_LEVEL: 'silent' });
    expect(r.code, r.out).toBe(0);
    const kid = /New active signer (\S+)/.exec(r.stdout)![1]!;
    await expect.poll(() => activeOn(t.app), pickedUp).toBe(kid);
    await expect.poll(() => activeOn(b.app), pickedUp).toBe(kid);
    const third = await certificateOf('Phan Văn Ba');
    expect(third.kid).toBe(kid);
    expect((await verifyOn(b.app, third.hc1)).valid).toBe(true);
  }, cliTestTimeout(1));

  it('refuses retiring an unknown signer (404) and a malformed kid (400); only a national admin may (403)', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/api/certificates/signers/retire', headers: admin.headers, payload: { kid: 'AAAAAAAAAAA=' } })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url: '/api/certificates/signers/retire', headers: admin.headers, payload: { kid: '../x' } })).statusCode).toBe(400);
    const cdc = await t.login('cdc_officer', '40');
    expect((await t.app.inject({ method: 'POST', url: '/api/certificates/signers/retire', headers: cdc.headers, payload: { kid: second.kid } })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: '/api/certificates/signers/retire', payload: { kid: second.kid } })).statusCode).toBe(401);
  });
});
