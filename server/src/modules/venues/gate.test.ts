// The gate (issue 14 item 5): the reference printed on a personal card, typed when the QR cannot be read, checks the
// person in; this venue's gate staff see the scanned person's name and birth year (audited), nobody else does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type LoggedIn, type TestContext } from '../../../test/helpers';
import { personalQrToken } from '../people';
import { REF_MISSES_ALLOWED } from './checkins';
import { approvedVenue, communes, createVenue, uuid } from './test-fixtures';

let t: TestContext;
let c: Awaited<ReturnType<typeof communes>>;
let op: LoggedIn;
let entranceId: string;
let venueToken: string;
let otherEntrance: string;
let personId: string;

const post = (payload: unknown, headers: Record<string, string> = {}) => t.app.inject({ method: 'POST', url: '/api/checkins', payload: payload as object, headers });
const reference = (id: string) => id.slice(0, 8).toUpperCase();

async function addPerson(id: string, name: string, birthYear: number) {
  await t.db.insertInto('persons').values({ id, full_name: name, name_key: name.toLowerCase(), birth_year: birthYear, commune_code: c.a, source: 'officer' }).execute();
}

beforeAll(async () => {
  t = await testContext();
  c = await communes(t.db);
  const officer = await t.login('cdc_officer', '40');
  op = await t.login('venue_operator', c.a);
  const mine = await approvedVenue(t.app, op.headers, officer.headers, { communeCode: c.a, name: 'Nhà máy May Minh Anh', type: 'factory' });
  entranceId = mine.entrances[0]!.id;
  venueToken = mine.token;
  const other = await createVenue(t.app, officer.headers, { communeCode: c.a, name: 'Chợ Quang Trung', type: 'market' });
  otherEntrance = other.entrances[0]!.id;
  personId = '40974c1a-5b2e-4c3d-8e9f-0123456789ab';
  await addPerson(personId, 'Phan Thị Thu', 1958);
});
afterAll(async () => {
  await t?.close();
});

describe('gate scans', () => {
  it('a scanned personal QR shows this venue’s staff the name and birth year, and the read is audited', async () => {
    const res = await post({ clientId: uuid(), entranceId, personQr: personalQrToken(t.app.vigil.keys, personId) }, op.headers);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().results[0].people[0]).toMatchObject({ personId, name: 'Phan Thị Thu', birthYear: 1958 });
    const audit = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'checkins.gate.identify').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ subject_type: 'person', subject_id: personId, actor_username: op.username });
    expect(JSON.stringify(audit[0]!.details)).not.toContain('Phan');
  });

  it('the card reference typed in checks the person in and out, alone or in a queued batch', async () => {
    const entry = await post({ clientId: uuid(), action: 'out', entranceId, personRef: reference(personId) }, op.headers);
    expect(entry.statusCode, entry.body).toBe(200);
    expect(entry.json().results[0]).toMatchObject({ status: 'checked_out', people: [{ personId, name: 'Phan Thị Thu', birthYear: 1958, token: '' }] });
    const batch = await post({ items: [{ clientId: uuid(), entranceId, personRef: reference(personId).toLowerCase() }, { clientId: uuid(), entranceId, personRef: 'FFFFFFF0' }] }, op.headers);
    expect(batch.statusCode, batch.body).toBe(200);
    const [ok, unknown] = batch.json().results;
    expect(ok).toMatchObject({ status: 'created', people: [{ name: 'Phan Thị Thu', birthYear: 1958 }] });
    expect(unknown).toMatchObject({ status: 'rejected', error: { code: 'PERSON_REF_UNKNOWN', path: 'body.items.1.personRef' }, people: [] });
    const rows = await t.db.selectFrom('checkins').select(['source', 'person_id']).where('person_id', '=', personId).execute();
    expect(rows.every((r) => r.source === 'gate')).toBe(true);
  });

  it('a reference two cards share is refused: the QR must be scanned', async () => {
    await addPerson('5a5a5a5a-0000-4000-8000-000000000001', 'Lê Văn Một', 1990);
    await addPerson('5a5a5a5a-ffff-4fff-8fff-000000000002', 'Lê Văn Hai', 1991);
    const res = await post({ clientId: uuid(), entranceId, personRef: '5A5A5A5A' }, op.headers);
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'PERSON_REF_AMBIGUOUS', details: [{ path: 'body.personRef' }] });
    expect(JSON.stringify(res.json())).not.toContain('Lê Văn');
  });

  it('stops a gate user who types references that match nobody (guessing who exists), then asks for QR scans', async () => {
    const staff = await t.login('vaccination_staff', c.a); // gate staff of the area: a counter of their own
    const guesses = Array.from({ length: REF_MISSES_ALLOWED + 2 }, (_, i) => ({ clientId: uuid(), entranceId, personRef: `EEEE${String(1000 + i)}` }));
    const res = await post({ items: guesses }, staff.headers);
    expect(res.statusCode, res.body).toBe(200);
    const codes = res.json().results.map((r: { error?: { code: string } }) => r.error?.code);
    expect(codes.filter((x: string) => x === 'PERSON_REF_UNKNOWN')).toHaveLength(REF_MISSES_ALLOWED);
    expect(codes.filter((x: string) => x === 'PERSON_REF_LIMIT')).toHaveLength(2);
    // now even a real card's reference is refused for a while (429), scanning its QR still works
    const real = await post({ clientId: uuid(), entranceId, personRef: reference(personId) }, staff.headers);
    expect(real.statusCode).toBe(429);
    expect(real.json().error.code).toBe('PERSON_REF_LIMIT');
    const scanned = await post({ clientId: uuid(), entranceId, personQr: personalQrToken(t.app.vigil.keys, personId) }, staff.headers);
    expect(scanned.statusCode, scanned.body).toBeLessThan(300);
    // a gate that types real references is never stopped: matches give their count back
    const fresh = await t.login('vaccination_staff', c.a);
    for (let i = 0; i < REF_MISSES_ALLOWED + 5; i++) expect((await post({ clientId: uuid(), entranceId, personRef: reference(personId), action: i % 2 ? 'out' : 'in' }, fresh.headers)).statusCode).toBeLessThan(300);
  });

  it('refuses references and names to anyone but this venue’s gate staff', async () => {
    const before = await t.db.selectFrom('audit_log').select('id').where('action', '=', 'checkins.gate.identify').execute();
    // no session: with the venue QR or an entrance id
    expect((await post({ clientId: uuid(), venueToken, personRef: reference(personId) })).statusCode).toBe(403);
    expect((await post({ clientId: uuid(), entranceId, personRef: reference(personId) })).statusCode).toBe(400);
    // a citizen's account, the operator at another venue
    const citizen = await t.login('citizen', c.a);
    expect((await post({ clientId: uuid(), venueToken, personRef: reference(personId) }, citizen.headers)).statusCode).toBe(403);
    expect((await post({ clientId: uuid(), entranceId: otherEntrance, personRef: reference(personId) }, op.headers)).statusCode).toBe(403);
    const theirs = await t.login('venue_operator', c.b);
    expect((await post({ clientId: uuid(), entranceId, personQr: personalQrToken(t.app.vigil.keys, personId) }, theirs.headers)).statusCode).toBe(403);
    // malformed references
    for (const personRef of ['40974C1', '40974C1A9', '40974C1\u0000', 'GGGGGGGG', "' or 1=1"])
      expect((await post({ clientId: uuid(), entranceId, personRef }, op.headers)).statusCode, personRef).toBe(400);
    // a phone checking itself in with its typed details gets back what it sent, never a birth year
    const self = await post({ clientId: uuid(), venueToken, people: [{ fullName: 'Hồ Văn Tự', phone: '0912000333', birthYear: 1999, communeCode: c.a }] });
    expect(self.statusCode, self.body).toBe(201);
    expect(self.json().results[0].people[0].birthYear).toBeUndefined();
    // and with the device token it got: no name either (a printed card's token is no way to learn one)
    const again = await post({ clientId: uuid(), venueToken, people: [{ token: self.json().results[0].people[0].token }] });
    expect(again.json().results[0].people[0]).toMatchObject({ name: null });
    expect(again.json().results[0].people[0].birthYear).toBeUndefined();
    const after = await t.db.selectFrom('audit_log').select('id').where('action', '=', 'checkins.gate.identify').execute();
    expect(after.length).toBe(before.length);
  });
});
