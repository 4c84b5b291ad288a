// Found by the review: an officer of another province could opt a Nghệ An resident's phone out of SMS; Nghệ An then
// neither saw the entry (its list shows its own area's) nor could remove it (403), and its texts to that person
// stopped silently. A registered person's phone is opted out by their home area (or a national admin) only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type LoggedIn, type TestContext } from '../../../test/helpers';

let t: TestContext;
let cdc: LoggedIn;
let hanoi: LoggedIn;
let commune: string;

beforeAll(async () => {
  t = await testContext();
  commune = (await t.db.selectFrom('admin_units').select('code').where('level', '=', 'commune').where('path', 'like', '/VN/40/%').orderBy('code').executeTakeFirstOrThrow()).code;
  await t.db.insertInto('persons').values({ full_name: 'Nguyễn Văn Nhắn', name_key: 'nguyen van nhan', phone: '+84912777001', commune_code: commune, source: 'officer' } as never).execute();
  cdc = await t.login('cdc_officer', '40');
  hanoi = await t.login('cdc_officer', '01');
});
afterAll(async () => {
  await t?.close();
});

const optOut = (who: LoggedIn, phone: string) => t.app.inject({ method: 'POST', url: '/api/messaging/opt-outs', headers: who.headers, payload: { phone, reason: 'asked' } });
const stored = async (phone: string) => !!(await t.db.selectFrom('sms_opt_outs').select('phone').where('phone', '=', phone).executeTakeFirst());

describe('opt-outs by area', () => {
  it("another province's officer cannot opt out a Nghệ An resident's phone", async () => {
    const res = await optOut(hanoi, '0912777001');
    expect(res.statusCode, res.body).toBe(403);
    expect(await stored('+84912777001')).toBe(false);
  });

  it('the home province can, and a phone unknown to the registry is accepted anywhere', async () => {
    expect((await optOut(cdc, '0912777001')).statusCode).toBe(201);
    expect(await stored('+84912777001')).toBe(true);
    expect((await optOut(hanoi, '0912777999')).statusCode).toBe(201);
    expect(await stored('+84912777999')).toBe(true);
  });
});
