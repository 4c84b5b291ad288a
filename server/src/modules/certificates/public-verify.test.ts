// The public verifier (a doorman or border officer, no account): what the route answers is what the certificate says
// and whether it is valid; the server keeps nothing of it: no audit row, and the presented text and the holder's name
// never reach the log, even at trace level and on refusals. The rate limit counts per client address.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { testContext, type TestContext } from '../../../test/helpers';
import { communesOf, dose, person, publishDose } from './test-fixtures';
import { VERIFY_PER_MINUTE } from './verify-routes';

let t: TestContext;
let hc1: string;
const log: string[] = [];
const NAME = 'Vương Thị Ngọc Ánh';

beforeAll(async () => {
  t = await testContext({ logger: true, logStream: { write: (line) => void log.push(line) }, config: { logLevel: 'trace' } });
  const { commune } = await communesOf(t);
  const p = await person(t, NAME, commune, '1969-09-02');
  await publishDose(t, dose(p));
  hc1 = (await t.db.selectFrom('dcc_certificates').select('hc1').where('person_id', '=', p).executeTakeFirstOrThrow()).hc1;
});
afterAll(() => t?.close());

const verify = (payload: unknown, remoteAddress = '127.0.0.1') => t.app.inject({ method: 'POST', url: '/api/certificates/verify', payload: payload as object, remoteAddress });
const auditRows = async () => Number((await sql<{ n: string }>`select count(*) as n from audit_log`.execute(t.db)).rows[0]!.n);

describe('public verification', () => {
  it('answers without a session with what the certificate says, and writes no audit row', async () => {
    const before = await auditRows();
    const res = await verify({ hc1 });
    expect(res.statusCode).toBe(200);
    const r = res.json();
    expect(r.valid).toBe(true);
    expect(r.payload.nam.fn).toBe('Vương');
    expect(r.payload.dob).toBe('1969-09-02');
    expect(r.payload.v[0]).toMatchObject({ dn: 1, dt: '2021-09-14' });
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(await auditRows()).toBe(before);
  });

  it('never logs the presented text or the name: valid, altered, foreign and oversized ones', async () => {
    log.length = 0;
    const altered = hc1.slice(0, 60) + (hc1[60] === 'A' ? 'B' : 'A') + hc1.slice(61);
    expect((await verify({ hc1: altered })).statusCode).toBe(200);
    expect((await verify({ hc1: `${hc1}` })).statusCode).toBe(200);
    expect((await verify({ hc1: `${hc1}${'X'.repeat(9000)}` })).statusCode).toBe(400);
    expect((await verify({ hc1, extra: NAME })).statusCode).toBe(400);
    // the log did get lines (trace level logs every request), and none carries the certificate or the name
    expect(log.length).toBeGreaterThan(0);
    const all = log.join('\n');
    expect(all).toContain('/api/certificates/verify');
    expect(all).not.toContain(hc1.slice(4, 40));
    expect(all).not.toContain(altered.slice(50, 90));
    expect(all).not.toContain(NAME);
    expect(all).not.toContain('HC1:');
  });

  it('limits each client address on its own: a flood from one does not lock out the next door', async () => {
    let limited = 0;
    for (let i = 0; i <= VERIFY_PER_MINUTE && !limited; i++) if ((await verify({ hc1: 'HC1:00' }, '127.0.0.91')).statusCode === 429) limited = i + 1;
    expect(limited).toBe(VERIFY_PER_MINUTE + 1);
    const other = await verify({ hc1 }, '127.0.0.92');
    expect([other.statusCode, other.json().valid]).toEqual([200, true]);
  });
});
