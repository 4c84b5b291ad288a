// Where sodium-native cannot load (musl), the app warns once at start and checks posters in through node:crypto,
// refusing forged ones as with libsodium (platform/signing/ed25519.ts).
import { afterAll, describe, expect, it } from 'vitest';
import { testContext, type TestContext } from '../../../test/helpers';
import { KeyRing, loadEd25519 } from '../../platform/signing';
import { noPrebuild } from '../../platform/signing/test-reason';
import { communes, createVenue, form, uuid } from './test-fixtures';

describe('an app whose sodium-native cannot load', () => {
  let t: TestContext;
  const log: string[] = [];
  afterAll(() => t?.close());

  it('warns once at start and checks posters in and refuses forged ones as with libsodium', async () => {
    t = await testContext({ keys: KeyRing.inMemory({ ed25519: loadEd25519(noPrebuild) }), logger: true, logStream: { write: (line) => void log.push(line) }, config: { logLevel: 'info' } });
    const warnings = log.filter((l) => l.includes('Ed25519'));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0]!)).toMatchObject({ level: 40 });
    expect(warnings[0]).toContain('node:crypto');
    expect(warnings[0]).toContain('libc=musl');

    const c = await communes(t.db);
    const officer = await t.login('cdc_officer', '40');
    const venue = await createVenue(t.app, officer.headers, { communeCode: c.a });
    const ok = await t.app.inject({ method: 'POST', url: '/api/checkins', payload: { clientId: uuid(), venueToken: venue.token, people: [{ ...form({ phone: '0912000301' }), communeCode: c.a }] } });
    expect(ok.statusCode, ok.body).toBe(201);
    const [payload, kid, signature] = venue.token.split('.') as [string, string, string];
    const sig = Buffer.from(signature, 'base64url');
    sig[0] = sig[0]! ^ 0x01;
    const forged = await t.app.inject({ method: 'POST', url: '/api/checkins', payload: { clientId: uuid(), venueToken: `${payload}.${kid}.${sig.toString('base64url')}`, people: [{ ...form({ phone: '0912000302' }), communeCode: c.a }] } });
    expect(forged.statusCode, forged.body).toBe(400);
    expect(forged.json().error.details[0].path).toBe('body.venueToken');
  });
});
