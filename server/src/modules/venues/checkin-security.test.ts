// Issue 13, the check-in parts: client ids re-sent elsewhere (item 10) and what a phone's device token may learn
// (item 3: expiry after inactivity, revocation, the current stay told only to the device that made the check-in).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type TestContext } from '../../../test/helpers';
import { communes, createVenue, form, uuid } from './test-fixtures';

let now = new Date('2021-08-02T02:00:00Z');
const clock = () => now;
let t: TestContext;
let c: Awaited<ReturnType<typeof communes>>;
let officer: { headers: Record<string, string> };
let venue: Awaited<ReturnType<typeof createVenue>>;
let venue2: Awaited<ReturnType<typeof createVenue>>;

const post = (payload: unknown, headers: Record<string, string> = {}) => t.app.inject({ method: 'POST', url: '/api/checkins', payload: payload as object, headers });

beforeAll(async () => {
  t = await testContext({ clock });
  c = await communes(t.db);
  officer = await t.login('cdc_officer', '40');
  venue = await createVenue(t.app, officer.headers, { communeCode: c.a, name: 'Chợ Vinh' });
  venue2 = await createVenue(t.app, officer.headers, { communeCode: c.b, name: 'Siêu thị Vinh', type: 'supermarket' });
});
afterAll(() => t?.close());

describe('a client id re-sent at another venue (item 10)', () => {
  it('answers 409 naming the venue and time stored for that client id, and writes nothing', async () => {
    const clientId = uuid();
    const first = await post({ clientId, venueToken: venue.token, people: [{ ...form({ phone: '0912000010' }), communeCode: c.a }] });
    expect(first.statusCode, first.body).toBe(201);
    const token = first.json().results[0].people[0].token as string;
    now = new Date(now.getTime() + 5 * 60_000);
    const elsewhere = await post({ clientId, venueToken: venue2.token, people: [{ token }] });
    expect(elsewhere.statusCode, elsewhere.body).toBe(409);
    expect(elsewhere.json().error.code).toBe('CLIENT_ID_REUSED');
    expect(elsewhere.json().error.details[0].path).toBe('body.clientId');
    expect(elsewhere.json().error.message).toContain('Chợ Vinh');
    expect(elsewhere.json().error.message).not.toContain('Siêu thị');
    const rows = await t.db.selectFrom('checkins').select(['venue_id']).where('client_id', '=', clientId).execute();
    expect(rows).toEqual([{ venue_id: venue.venue.id }]);
    // the same venue again is a retry: duplicate, with the time stored (not the time of the retry)
    const retry = await post({ clientId, venueToken: venue.token, people: [{ token }] });
    expect(retry.statusCode).toBe(200);
    expect(retry.json().results[0]).toMatchObject({ status: 'duplicate', at: first.json().results[0].at, venue: { name: 'Chợ Vinh' } });
  });

  it('rejects only that item of a gate batch, naming the stored venue', async () => {
    const operator = await t.login('vaccination_staff', '40'); // gate staff of the area
    const clientId = uuid();
    const a = await post({ clientId, venueToken: venue.token, people: [{ ...form({ phone: '0912000011' }), communeCode: c.a }] });
    const token = a.json().results[0].people[0].token as string;
    const batch = await post({ items: [{ clientId, entranceId: venue2.entrances[0]!.id, people: [{ token }] }, { clientId: uuid(), entranceId: venue2.entrances[0]!.id, people: [{ token }] }] }, operator.headers);
    expect(batch.statusCode, batch.body).toBe(200);
    const [bad, ok] = batch.json().results;
    expect(bad).toMatchObject({ status: 'rejected', venue: { name: 'Chợ Vinh' }, error: { code: 'CLIENT_ID_REUSED', path: 'body.items.0.clientId' } });
    expect(ok.status).toBe('created');
  });
});
