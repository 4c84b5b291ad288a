// The contact warning: tracing asks messaging (event `messaging.requested`) to text each new F1/F2 who has a phone;
// the console provider sends it; once per contact per case (a re-trace texts no one again), and a contact of a
// second case is warned for that case too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type LoggedIn, type TestContext } from '../../../test/helpers';
import { drained } from '../messaging';
import { scenario, type Scenario } from './test-fixtures';

let t: TestContext;
let s: Scenario;
const now = new Date('2021-08-11T05:00:00Z');
let cdc: LoggedIn;
const P: Record<string, string> = {};

const send = (url: string, payload?: object) => t.app.inject({ method: 'POST', url, headers: cdc.headers, ...(payload && { payload }) });
const warnings = () =>
  t.db.selectFrom('notifications').select(['recipient', 'person_id', 'subject', 'body', 'status']).where('purpose', '=', 'contact.warning').orderBy('subject').orderBy('recipient').execute();
const phoneOf = async (id: string) => (await t.db.selectFrom('persons').select('phone').where('id', '=', id).executeTakeFirstOrThrow()).phone;

beforeAll(async () => {
  t = await testContext({ clock: () => now });
  s = await scenario(t.db);
  P.F0 = await s.person('Trần Văn Ca');
  P.A = await s.person('Lê Thị A');
  P.N = await s.person('Ngô Văn Không Số'); // F1 without a phone: nothing to send
  P.Q = await s.person('Đỗ Thị Q'); // F2 via A
  P.G = await s.person('Vũ Văn G'); // a second case, A met them too
  await t.db.updateTable('persons').set({ phone: null }).where('id', '=', P.N!).execute();
  const V1 = await s.venue('CHO', 60);
  const V2 = await s.venue('QUAN', 60);
  await s.stay(P.F0!, V1, '2021-08-10T02:00:00Z', '2021-08-10T03:00:00Z');
  await s.stay(P.A!, V1, '2021-08-10T02:30:00Z', '2021-08-10T03:30:00Z');
  await s.stay(P.N!, V1, '2021-08-10T02:40:00Z', '2021-08-10T03:30:00Z');
  await s.stay(P.A!, V2, '2021-08-10T08:00:00Z', '2021-08-10T09:00:00Z');
  await s.stay(P.Q!, V2, '2021-08-10T08:30:00Z', '2021-08-10T09:00:00Z');
  await s.stay(P.G!, V2, '2021-08-10T08:10:00Z', '2021-08-10T08:50:00Z');
  cdc = await t.login('cdc_officer', '40');
});
afterAll(async () => {
  await t?.close();
});

describe('contact warning by SMS', () => {
  it('texts each new F1/F2 with a phone once per case, and not again on re-trace', async () => {
    const res = await send('/api/cases', { personId: P.F0, confirmedAt: '2021-08-11T03:00:00Z', onsetDate: '2021-08-10', source: 'community' });
    expect(res.statusCode, res.body).toBe(201);
    const caseId = res.json().case.id as string;
    await t.events.settled();
    await drained(t.db);
    // sent by the console provider (it reports every text delivered)
    await expect.poll(async () => (await warnings()).map((w) => w.status)).toEqual(['delivered', 'delivered', 'delivered']);
    const first = await warnings();
    expect(first.map((w) => w.person_id).sort()).toEqual([P.A, P.Q, P.G].sort()); // G met A too: an F2 of this case
    expect(first.every((w) => w.subject === `case:${caseId}`)).toBe(true);
    const a = first.find((w) => w.person_id === P.A)!;
    expect(a.recipient).toBe(await phoneOf(P.A!));
    expect(a.body).toBe('Sở Y tế Nghệ An: Bạn đã ở cùng nơi với một ca bệnh (Venue CHO, 10/08). Hãy tự cách ly tại nhà đến hết ngày 24/08/2021, theo dõi sức khỏe và gọi 1900 9095 nếu sốt, ho, khó thở.');
    expect(first.find((w) => w.person_id === P.Q)!.body).toContain('(Venue QUAN, 10/08)');
    expect(first.find((w) => w.person_id === P.Q)!.body).toContain('17/08/2021'); // F2: 7 days of monitoring

    // re-trace (the case page's button): nothing is texted twice
    expect((await send(`/api/cases/${caseId}/trace`, {})).statusCode).toBeLessThan(300);
    await t.events.settled();
    await drained(t.db);
    expect(await warnings()).toEqual(first);

    // G becomes a case: A is F1 of that case too and is warned for it (another subject)
    const g = await send('/api/cases', { personId: P.G, confirmedAt: '2021-08-11T04:00:00Z', onsetDate: '2021-08-10', source: 'community' });
    expect(g.statusCode, g.body).toBe(201);
    await t.events.settled();
    await drained(t.db);
    const second = (await warnings()).filter((w) => w.subject === `case:${g.json().case.id}`);
    expect(second.map((w) => w.person_id).sort()).toEqual([P.A, P.Q].sort());
  });
});
