import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { alterChar, testContext, type TestContext } from '../../../test/helpers';
import { isMacToken, KeyRing, sign, signMac } from '../../platform/signing';
import { approvedVenue, communes, createVenue, form, uuid } from './test-fixtures';
import { PURGE_CHECKINS_JOB } from './jobs';
import { EntranceCache, STATUS_TTL_MS } from './entrances';
import { signVenueToken } from './tokens';
import { insertCheckinsPrepared, insertParams, pgArray, type NewCheckin } from './checkin-insert';

let now = new Date('2021-08-02T02:00:00Z');
const clock = () => now;
let t: TestContext;
let c: Awaited<ReturnType<typeof communes>>;
let officer: { headers: Record<string, string> };
let venue: Awaited<ReturnType<typeof createVenue>>;
let venue2: Awaited<ReturnType<typeof createVenue>>;

const post = (payload: unknown, headers: Record<string, string> = {}) => t.app.inject({ method: 'POST', url: '/api/checkins', payload: payload as object, headers });
/** A person's stays as an officer's look-up lists them (oldest first). */
const staysOf = async (personId: string) => {
  const range = `from=${new Date(now.getTime() - 86400_000).toISOString()}&to=${new Date(now.getTime() + 60_000).toISOString()}`;
  const res = await t.app.inject({ method: 'GET', url: `/api/checkins?personId=${personId}&${range}`, headers: officer.headers });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json().items as { venue: { name: string }; state: string; autoCheckedOut: boolean; effectiveCheckoutAt: string }[]).reverse();
};

beforeAll(async () => {
  t = await testContext({ clock });
  c = await communes(t.db);
  officer = await t.login('cdc_officer', '40');
  venue = await createVenue(t.app, officer.headers, { communeCode: c.a, defaultStayMinutes: 90 });
  venue2 = await createVenue(t.app, officer.headers, { communeCode: c.b, name: 'Siêu thị Vinh', type: 'supermarket' });
});
afterAll(() => t?.close());

describe('citizen check-in', () => {
  it('shows the venue of a QR token', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/checkin/venue/${venue.token}` });
    expect(res.statusCode).toBe(200);
    expect(res.json().venue.name).toBe('Chợ Vinh');
    expect(res.json().entrance.name).toBe('Lối vào chính');
  });

  it('checks in with the form, returns a person token, then checks in with only the token', async () => {
    const clientId = uuid();
    const res = await post({ clientId, venueToken: venue.token, people: [{ ...form(), communeCode: c.a }] });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body.accepted).toBe(1);
    const r = body.results[0];
    expect(r.status).toBe('created');
    expect(r.venue.name).toBe('Chợ Vinh');
    expect(r.people[0].created).toBe(true);
    expect(new Date(r.autoCheckoutAt).getTime() - new Date(r.at).getTime()).toBe(90 * 60_000);
    const token = r.people[0].token as string;

    // the same request again (a retry): a duplicate, not a second row
    const again = await post({ clientId, venueToken: venue.token, people: [{ ...form(), communeCode: c.a }] });
    expect(again.statusCode).toBe(200);
    expect(again.json().results[0].status).toBe('duplicate');
    expect(again.json().results[0].checkinIds).toEqual(r.checkinIds);
    const rows = await t.db.selectFrom('checkins').selectAll().where('client_id', '=', clientId).execute();
    expect(rows).toHaveLength(1);

    // later: only the token, at the other venue → the first stay is closed at that time
    now = new Date(now.getTime() + 30 * 60_000);
    const second = await post({ clientId: uuid(), venueToken: venue2.token, people: [{ token }] });
    expect(second.statusCode, second.body).toBe(201);
    const first = await t.db.selectFrom('checkin_stays').selectAll().where('id', '=', r.checkinIds[0]).executeTakeFirstOrThrow();
    expect(first.checkout_at?.toISOString()).toBe(now.toISOString());
    expect(first.ends_at.toISOString()).toBe(now.toISOString());
    // … and only the second one is open now
    // (the phone sends the client ids of its own check-ins: only a stay it started is told, see checkin-security.test.ts)
    const secondId = second.json().results[0].clientId as string;
    const status = await t.app.inject({ method: 'POST', url: '/api/checkin/people', payload: { tokens: [token], checkinClientIds: [secondId] } });
    expect(status.json().people[0].openCheckin.venueName).toBe('Siêu thị Vinh');
    // the officer's look-up says the same: the first stay ended (by the check-in elsewhere), the second is open
    const stays = await staysOf(r.people[0].personId);
    expect(stays.map((x) => [x.venue.name, x.state, x.autoCheckedOut])).toEqual([
      ['Chợ Vinh', 'checked_out', false],
      ['Siêu thị Vinh', 'open', false],
    ]);

    // check out of the second place
    now = new Date(now.getTime() + 10 * 60_000);
    const outId = uuid();
    const out = await t.app.inject({ method: 'POST', url: '/api/checkouts', payload: { clientId: outId, people: [{ token }], venueToken: venue2.token, checkinClientId: secondId } });
    expect(out.statusCode, out.body).toBe(200);
    expect(out.json().results[0].status).toBe('checked_out');
    // retrying the check-out is a duplicate, a new check-out finds nothing open
    const outAgain = await t.app.inject({ method: 'POST', url: '/api/checkouts', payload: { clientId: outId, people: [{ token }], checkinClientId: secondId } });
    expect(outAgain.json().results[0].status).toBe('duplicate');
    const none = await t.app.inject({ method: 'POST', url: '/api/checkouts', payload: { clientId: uuid(), people: [{ token }], checkinClientId: secondId } });
    expect(none.statusCode).toBe(409);
    expect(none.json().error.code).toBe('NO_OPEN_CHECKIN');
    expect(none.json().error.details[0].path).toBe('body.people.0');

    // the page can ask who the token is and where they are
    const st = await t.app.inject({ method: 'POST', url: '/api/checkin/people', payload: { tokens: [token, 'garbage.token.value'] } });
    expect(st.json().people[0]).toMatchObject({ valid: true, name: 'Nguyễn Văn An', openCheckin: null });
    expect(st.json().people[1].valid).toBe(false);
  });

  it('checks in several household members at once', async () => {
    const res = await post({
      clientId: uuid(),
      venueToken: venue.token,
      people: [
        { ...form({ fullName: 'Trần Thị Bình', phone: '0987654321', birthYear: 1980 }), communeCode: c.a },
        { ...form({ fullName: 'Trần Minh Châu', phone: '0987654321', birthYear: 2012 }), communeCode: c.a },
      ],
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().results[0].people).toHaveLength(2);
    expect(res.json().results[0].checkinIds).toHaveLength(2);
  });

  it('closes a stay automatically after the default stay (auto check-out)', async () => {
    const checkinId = uuid();
    const res = await post({ clientId: checkinId, venueToken: venue.token, people: [{ ...form({ fullName: 'Lê Văn Dũng', phone: '0901111222' }), communeCode: c.a }] });
    const token = res.json().results[0].people[0].token;
    const status = () => t.app.inject({ method: 'POST', url: '/api/checkin/people', payload: { tokens: [token], checkinClientIds: [checkinId] } }).then((r) => r.json().people[0]);
    expect((await status()).openCheckin.venueName).toBe('Chợ Vinh');
    const personId = res.json().results[0].people[0].personId as string;
    expect((await staysOf(personId)).map((x) => [x.state, x.autoCheckedOut])).toEqual([['open', false]]);
    now = new Date(now.getTime() + 91 * 60_000);
    expect((await status()).openCheckin).toBeNull();
    const [ended] = await staysOf(personId);
    expect([ended!.state, ended!.autoCheckedOut]).toEqual(['auto', true]);
    expect(new Date(ended!.effectiveCheckoutAt).getTime()).toBe(now.getTime() - 60_000);
    const out = await t.app.inject({ method: 'POST', url: '/api/checkouts', payload: { clientId: uuid(), people: [{ token }], checkinClientId: checkinId } });
    expect(out.statusCode).toBe(409);
    const row = await t.db
      .selectFrom('checkins')
      .select(['checkin_at', 'checkout_at', 'auto_checkout_at'])
      .where('id', '=', res.json().results[0].checkinIds[0])
      .executeTakeFirstOrThrow();
    expect(row.checkout_at).toBeNull();
    expect(row.auto_checkout_at.getTime() - row.checkin_at.getTime()).toBe(90 * 60_000);
  });

  it('remembers the phone with a MAC’d device token; the printed (signed) personal QR works too; forgeries are refused', async () => {
    const res = await post({ clientId: uuid(), venueToken: venue.token, people: [{ ...form({ fullName: 'Đỗ Thị Giang', phone: '0903333444' }), communeCode: c.a }] });
    expect(res.statusCode, res.body).toBe(201);
    const device = res.json().results[0].people[0].token as string;
    const personId = res.json().results[0].people[0].personId as string;
    expect(isMacToken(device)).toBe(true);
    now = new Date(now.getTime() + 5 * 60_000);
    const again = await post({ clientId: uuid(), venueToken: venue2.token, people: [{ token: device }] });
    expect(again.statusCode, again.body).toBe(201);
    expect(again.json().results[0].people[0]).toMatchObject({ personId, token: device });
    // the signed personal QR of the same person (printed card, /me) is accepted as well
    const printed = sign(t.app.vigil.keys, 'p', { p: personId });
    const thirdId = uuid();
    const third = await post({ clientId: thirdId, venueToken: venue.token, people: [{ token: printed }] });
    expect(third.statusCode, third.body).toBe(201);
    expect(third.json().results[0].people[0].personId).toBe(personId);
    // anyone at the gate can see a printed card: its status says nothing of the person's name or whereabouts;
    // the phone's own token does (with the client id of the check-in that started the stay)
    const status = await t.app.inject({ method: 'POST', url: '/api/checkin/people', payload: { tokens: [printed, device], checkinClientIds: [thirdId] } });
    expect(status.json().people[0]).toEqual({ token: printed, valid: true, personId: null, name: null, openCheckin: null });
    expect(status.json().people[1]).toMatchObject({ valid: true, personId, name: 'Đỗ Thị Giang', openCheckin: { venueName: 'Chợ Vinh' } });
    // a device token for another person, made without the server's key, or altered: refused
    const forged = signMac(KeyRing.inMemory(), 'p', { p: uuid() });
    const [, kid, tag] = device.split('.') as [string, string, string];
    const swapped = `${forged.split('.')[0]}.${kid}.${tag}`;
    for (const token of [forged, swapped]) {
      const r = await post({ clientId: uuid(), venueToken: venue.token, people: [{ token }] });
      expect(r.statusCode, r.body).toBe(400);
      expect(r.json().error).toMatchObject({ code: 'PERSON_TOKEN_INVALID', details: [{ path: 'body.people.0.token' }] });
    }
  });

  it('does not hand out an existing person’s token to someone who types in their ID number', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/people',
      headers: officer.headers,
      payload: { fullName: 'Vi Văn Thắng', birthYear: 1966, nationalId: '040066007777', communeCode: c.a },
    });
    expect(created.statusCode, created.body).toBe(201);
    const victim = created.json().person.id as string;
    const res = await post({ clientId: uuid(), venueToken: venue.token, people: [{ ...form({ fullName: 'Vi Văn Thắng', phone: '0904445556', birthYear: 1966 }), nationalId: '040066007777', communeCode: c.a }] });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().results[0].people[0]).toMatchObject({ created: true });
    expect(res.json().results[0].people[0].personId).not.toBe(victim);
    const row = await t.db.selectFrom('persons').select(['phone']).where('id', '=', victim).executeTakeFirstOrThrow();
    expect(row.phone).toBeNull();
  });

  it('writes array literals PostgreSQL reads back exactly (the hot insert builds its own)', async () => {
    const values = [uuid(), '2021-08-02T02:00:00.000Z', 'qr', null, 'NULL', 'null', '', 'a,b', '{x}', 'say "hi"', 'back\\slash', ' padded ', 'Chợ Vinh', '12'];
    const r = await sql<{ v: (string | null)[] }>`select ${pgArray(values)}::text[] as v`.execute(t.db);
    expect(r.rows[0]!.v).toEqual(values);
  });

  it('sends the check-in columns as binary arrays that PostgreSQL reads as the text literals would be read', async () => {
    const [a, b] = [uuid(), uuid().toUpperCase()];
    const [t0, t1, t2] = [new Date('1969-12-31T23:59:59.999Z'), new Date('2021-08-02T02:00:00.123Z'), new Date('2100-01-01T00:00:00.001Z')];
    const rows: NewCheckin[] = [
      { clientId: a, personId: b, venueId: a, entranceId: null, checkinAt: t0, autoCheckoutAt: t1, checkoutAt: null, source: 'qr', recordedBy: null },
      { clientId: b, personId: a, venueId: b, entranceId: a, checkinAt: t1, autoCheckoutAt: t2, checkoutAt: t2, source: 'gate', recordedBy: '9007199254740993' },
    ];
    const text = (f: (r: NewCheckin) => string | null) => pgArray(rows.map(f));
    const iso = (d: Date | null) => d?.toISOString() ?? null;
    const types = ['uuid', 'uuid', 'uuid', 'uuid', 'timestamptz', 'timestamptz', 'timestamptz', 'text', 'bigint'];
    const same = types.map((ty, i) => `$${i + 1}::${ty}[] is not distinct from $${i + 10}::${ty}[] as c${i}`).join(', ');
    const r = await t.database.pool.query({
      text: `select ${same}`,
      values: [
        ...insertParams(rows),
        ...[text((r) => r.clientId), text((r) => r.personId), text((r) => r.venueId), text((r) => r.entranceId)],
        ...[text((r) => iso(r.checkinAt)), text((r) => iso(r.autoCheckoutAt)), text((r) => iso(r.checkoutAt))],
        ...[text((r) => r.source), text((r) => r.recordedBy)],
      ],
      rowMode: 'array',
    });
    expect(r.rows[0]).toEqual(types.map(() => true));
    // what PostgreSQL's text input would refuse is refused with its code, so the batcher isolates that row's caller
    for (const bad of [{ clientId: 'not-a-uuid' }, { venueId: `${a.slice(0, 35)}g` }, { recordedBy: '1e3' }])
      expect(() => insertParams([{ ...rows[0]!, ...bad }])).toThrow(expect.objectContaining({ code: '22P02' }));
  });

  it('refuses bad input with 4xx naming the field', async () => {
    const base = { clientId: uuid(), venueToken: venue.token };
    const cases: [unknown, number, string][] = [
      [{ ...base, people: [{ ...form({ phone: '12345' }), communeCode: c.a }] }, 400, 'body.people.0.phone'],
      [{ ...base, people: [{ fullName: 'Ai Đó' }] }, 400, 'body.people.0.phone'],
      [{ ...base, people: [{ ...form(), communeCode: '40' }] }, 400, 'body.people.0.communeCode'],
      [{ ...base, at: new Date(now.getTime() + 3600_000).toISOString(), people: [{ ...form(), communeCode: c.a }] }, 400, 'body.at'],
      [{ ...base, people: [{ token: 'AAAA.bbbbbb.' + 'c'.repeat(86) }] }, 400, 'body.people.0.token'],
      [{ venueToken: venue.token, people: [{ ...form(), communeCode: c.a }] }, 400, 'body.clientId'],
      [{ clientId: 'not-a-uuid', venueToken: venue.token, people: [] }, 400, 'body.clientId'],
      [{ ...base, venueToken: venue.token.slice(0, -2) + (venue.token.endsWith('AA') ? 'BA' : 'AA'), people: [{ ...form(), communeCode: c.a }] }, 400, 'body.venueToken'],
      [{ ...base, people: [{ ...form(), communeCode: c.a }], extra: 1 }, 400, 'body.extra'],
    ];
    for (const [payload, status, path] of cases) {
      const res = await post(payload);
      expect(res.statusCode, `${path}: ${res.body}`).toBe(status);
      expect(res.json().error.details.map((d: { path: string }) => d.path), res.body).toContain(path);
    }
    // a huge body is refused before parsing
    const huge = await post({ ...base, people: [{ ...form({ fullName: 'x'.repeat(300_000) }), communeCode: c.a }] });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses forged, foreign, expired and suspended venue QR codes', async () => {
    const people = [{ ...form(), communeCode: c.a }];
    // a QR signed with another key (a forger's)
    const foreign = sign(KeyRing.inMemory(), 'v', { e: venue.entrances[0]!.id, v: venue.venue.id });
    let res = await post({ clientId: uuid(), venueToken: foreign, people });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VENUE_QR_INVALID');
    // a properly signed token of an unknown entrance
    const unknown = sign(t.app.vigil.keys, 'v', { e: uuid(), v: venue.venue.id });
    res = await post({ clientId: uuid(), venueToken: unknown, people });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('VENUE_UNKNOWN');
    // a personal QR used as venue QR
    const personal = sign(t.app.vigil.keys, 'p', { p: uuid() });
    res = await t.app.inject({ method: 'GET', url: `/api/checkin/venue/${personal}` });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].path).toBe('params.token');

    // a temporary event: the QR expires with the event
    const ev = await createVenue(t.app, officer.headers, {
      communeCode: c.a,
      name: 'Hội chợ',
      type: 'event',
      validUntil: new Date(now.getTime() + 3600_000).toISOString(),
    });
    res = await post({ clientId: uuid(), venueToken: ev.token, people });
    expect(res.statusCode, res.body).toBe(201);
    const saved = now;
    now = new Date(now.getTime() + 2 * 3600_000);
    res = await post({ clientId: uuid(), venueToken: ev.token, people });
    expect(res.statusCode).toBe(410);
    expect(res.json().error.code).toBe('VENUE_QR_EXPIRED');
    now = saved;

    // suspension takes effect at once (and, on other instances, within the cache TTL)
    const s = await t.app.inject({ method: 'POST', url: `/api/venues/${venue2.venue.id}/status`, headers: officer.headers, payload: { status: 'suspended', reason: 'ổ dịch' } });
    expect(s.statusCode, s.body).toBe(200);
    res = await post({ clientId: uuid(), venueToken: venue2.token, people });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('VENUE_SUSPENDED');
    await t.app.inject({ method: 'POST', url: `/api/venues/${venue2.venue.id}/status`, headers: officer.headers, payload: { status: 'approved' } });
    res = await post({ clientId: uuid(), venueToken: venue2.token, people });
    expect(res.statusCode).toBe(201);
  });

  it('sends nothing twice when a batch is retried and keeps accepted items when one is bad', async () => {
    const r0 = await post({ clientId: uuid(), venueToken: venue.token, people: [{ ...form({ fullName: 'Phạm Thị Hoa', phone: '0933444555' }), communeCode: c.a }] });
    const token = r0.json().results[0].people[0].token;
    const items = [
      { clientId: uuid(), venueToken: venue.token, people: [{ token }] },
      { clientId: uuid(), venueToken: 'forged.AAAAAA.' + 'A'.repeat(86), people: [{ token }] },
      { clientId: uuid(), venueToken: venue2.token, people: [{ token }] },
    ];
    // a batch is a gate's offline queue: not for anonymous callers (it would be many check-ins under one request's limit)
    const anon = await post({ items });
    expect(anon.statusCode).toBe(403);
    expect(anon.json().error.details[0].path).toBe('body.items');
    const gate = await t.login('vaccination_staff', '40');
    const res = await post({ items }, gate.headers);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ accepted: 2, rejected: 1, duplicates: 0 });
    expect(res.json().results[1].error.path).toBe('body.items.1.venueToken');
    const again = await post({ items }, gate.headers);
    expect(again.json()).toMatchObject({ accepted: 0, rejected: 1, duplicates: 2 });
  });

  it('treats a signed-in account that is not this venue’s staff like an anonymous phone', async () => {
    const citizen = await t.login('citizen', '40');
    const r0 = await post({ clientId: uuid(), venueToken: venue.token, people: [{ ...form({ fullName: 'Nông Văn Dền', phone: '0916000222' }), communeCode: c.a }] });
    const token = r0.json().results[0].people[0].token;
    // may not backdate like a gate's offline queue
    const old = await post({ clientId: uuid(), venueToken: venue.token, people: [{ token }], at: new Date(now.getTime() - 2 * 86400_000).toISOString() }, citizen.headers);
    expect(old.statusCode).toBe(400);
    expect(old.json().error.details[0]).toMatchObject({ path: 'body.at', message: 'is too far in the past' });
    const ok = await post({ clientId: uuid(), venueToken: venue.token, people: [{ token }] }, citizen.headers);
    expect(ok.statusCode, ok.body).toBe(201);
    const row = await t.db.selectFrom('checkins').select(['source', 'recorded_by']).where('id', '=', ok.json().results[0].checkinIds[0]).executeTakeFirstOrThrow();
    expect(row).toEqual({ source: 'qr', recorded_by: null });
  });
});

describe('staff gate', () => {
  it('records entry and exit from scanned personal QR codes for the operator’s venue only', async () => {
    const op = await t.login('venue_operator', c.a);
    const mine = await createVenue(t.app, op.headers, { communeCode: c.a, name: 'Nhà máy A', type: 'factory' });
    expect(mine.venue.status).toBe('pending');
    const pending = await post({ clientId: uuid(), entranceId: mine.entrances[0]!.id, personQr: 'x'.repeat(20) }, op.headers);
    expect(pending.statusCode).toBe(403); // not approved yet
    expect(pending.json().error.code).toBe('VENUE_NOT_APPROVED');
    await t.app.inject({ method: 'POST', url: `/api/venues/${mine.venue.id}/status`, headers: officer.headers, payload: { status: 'approved' } });

    const r0 = await post({ clientId: uuid(), venueToken: venue.token, people: [{ ...form({ fullName: 'Võ Văn Em', phone: '0977000111' }), communeCode: c.a }] });
    const personQr = r0.json().results[0].people[0].token;
    const entry = await post({ clientId: uuid(), entranceId: mine.entrances[0]!.id, personQr }, op.headers);
    expect(entry.statusCode, entry.body).toBe(201);
    const exit = await post({ clientId: uuid(), action: 'out', entranceId: mine.entrances[0]!.id, personQr }, op.headers);
    expect(exit.statusCode, exit.body).toBe(200);
    expect(exit.json().results[0].status).toBe('checked_out');
    const row = await t.db.selectFrom('checkins').selectAll().where('id', '=', entry.json().results[0].checkinIds[0]).executeTakeFirstOrThrow();
    expect(row.source).toBe('gate');
    expect(row.checkout_at).not.toBeNull();

    // not their venue
    const other = await post({ clientId: uuid(), entranceId: venue.entrances[0]!.id, personQr }, op.headers);
    expect(other.statusCode).toBe(403);
    // in one batch (gate rights are worked out once per venue of the batch): their venue yes, the other one no
    const mixed = await post(
      { items: [mine, venue, mine, venue].map((v) => ({ clientId: uuid(), entranceId: v.entrances[0]!.id, personQr })) },
      op.headers,
    );
    expect(mixed.json().results.map((r: { status: string; error?: { code: string } }) => r.error?.code ?? r.status), mixed.body).toEqual(['created', 'FORBIDDEN', 'created', 'FORBIDDEN']);
    // anonymous callers cannot use personal QR codes
    const anon = await post({ clientId: uuid(), venueToken: venue.token, personQr });
    expect(anon.statusCode).toBe(403);
  });

  it('accepts a gate’s queued scans made before the venue was suspended, and exits always; new entries are refused', async () => {
    const op = await t.login('venue_operator', c.a);
    const v = await approvedVenue(t.app, op.headers, officer.headers, { communeCode: c.a, name: 'Xưởng B', type: 'factory' });
    const r0 = await post({ clientId: uuid(), venueToken: venue.token, people: [{ ...form({ fullName: 'Lục Văn Hải', phone: '0977000333' }), communeCode: c.a }] });
    const personQr = r0.json().results[0].people[0].token;
    now = new Date(now.getTime() + 30 * 60_000);
    const scannedAt = new Date(now.getTime() - 10 * 60_000).toISOString(); // at the gate, offline, 10 minutes ago
    const suspend = await t.app.inject({ method: 'POST', url: `/api/venues/${v.venue.id}/status`, headers: officer.headers, payload: { status: 'suspended', reason: 'đóng cửa theo quyết định' } });
    expect(suspend.statusCode, suspend.body).toBe(200);
    now = new Date(now.getTime() + 60_000);
    const entrance = v.entrances[0]!.id;
    const queued = await post({ items: [{ clientId: uuid(), entranceId: entrance, personQr, at: scannedAt }] }, op.headers);
    expect(queued.json(), queued.body).toMatchObject({ accepted: 1, rejected: 0 });
    const fresh = await post({ clientId: uuid(), entranceId: entrance, personQr }, op.headers);
    expect(fresh.statusCode).toBe(403);
    expect(fresh.json().error.code).toBe('VENUE_SUSPENDED');
    const exit = await post({ clientId: uuid(), action: 'out', entranceId: entrance, personQr }, op.headers);
    expect(exit.statusCode, exit.body).toBe(200);
    expect(exit.json().results[0].status).toBe('checked_out');
  });
});

describe('the group-commit statement (venues_insert_checkins)', () => {
  it('answers every row of one write in input order: repeats, merged people, unknown people and stored keys', async () => {
    const person = async (fullName: string, phone: string) => {
      const res = await post({ clientId: uuid(), venueToken: venue.token, people: [{ ...form({ fullName, phone }), communeCode: c.a }] });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().results[0].people[0].personId as string;
    };
    const p = await person('Lò Văn Pha', '0917000101');
    const q = await person('Lò Thị Quế', '0917000102');
    const m = await person('Lò Văn Pha', '0917000103');
    const merged = await t.app.inject({ method: 'POST', url: `/api/people/${p}/merge`, headers: officer.headers, payload: { mergeId: m, reason: 'cùng một người' } });
    expect(merged.statusCode, merged.body).toBe(200);
    const [v1, v2] = [venue.venue.id, venue2.venue.id];
    const [c1, c2, c3, c4, c5, c6] = [uuid(), uuid(), uuid(), uuid(), uuid(), uuid()];
    const at = new Date(now.getTime() + 5 * 60_000);
    const row = (clientId: string, personId: string, venueId: string): NewCheckin => ({
      clientId, personId, venueId, entranceId: null, checkinAt: at, autoCheckoutAt: new Date(at.getTime() + 3600_000), checkoutAt: null, source: 'qr', recordedBy: null,
    });
    const stored = await insertCheckinsPrepared(t.database.pool, [row(c4, p, v1)]);
    const rows = [
      row(c1, p, v1), // claims (c1, p)
      row(c1, p, v1), // the same request twice in one write: answered with that row
      row(c1, p, v2), // the same client id for the same person at another venue: no id (refused by the caller)
      row(c2, m, v1), // a merged record: claims (c2, p), the live person's
      row(c2, p, v1), // the same key through the live person: a repeat of the row before
      row(c3, uuid(), v1), // no such person: nothing written
      row(c4, p, v2), // a key stored before: no id
      row(c5, q, v2), // another person
      row(c6, q, v2), // the first row of a key claims it, whichever venue it names…
      row(c6, q, v1), // …and a later one at another venue gets no id
    ];
    const out = await insertCheckinsPrepared(t.database.pool, rows);
    const ids = out.map((r) => r.id);
    expect(out.map((r) => [r.person_id, r.known])).toEqual([p, p, p, p, p, null, p, q, q, q].map((x) => [x ?? rows[5]!.personId, x !== null]));
    for (const i of [0, 3, 7, 8]) expect(ids[i]).toMatch(/^[0-9]+$/);
    expect([ids[1], ids[2], ids[4], ids[5], ids[6], ids[9]]).toEqual([ids[0], null, ids[3], null, null, null]);
    expect(new Set([stored[0]!.id, ids[0], ids[3], ids[7], ids[8]]).size).toBe(5);
    const written = await sql<{ id: string; client_id: string; person_id: string; venue_id: string }>`
      select id::text, client_id, person_id, venue_id from checkins where client_id = any(${[c1, c2, c3, c4, c5, c6]}::uuid[]) order by id`.execute(t.db);
    const byId = (a: { id: string | null }, b: { id: string | null }) => Number(a.id) - Number(b.id);
    expect(written.rows.sort(byId)).toEqual([
      { id: stored[0]!.id, client_id: c4, person_id: p, venue_id: v1 },
      { id: ids[0]!, client_id: c1, person_id: p, venue_id: v1 },
      { id: ids[3]!, client_id: c2, person_id: p, venue_id: v1 },
      { id: ids[7]!, client_id: c5, person_id: q, venue_id: v2 },
      { id: ids[8]!, client_id: c6, person_id: q, venue_id: v2 },
    ].sort(byId));
    const keys = await sql<{ n: string }>`select count(*) as n from checkin_keys k join checkins x on x.id = k.id and x.checkin_at = k.checkin_at
      where k.client_id = any(${[c1, c2, c3, c4, c5, c6]}::uuid[]) and k.person_id = x.person_id`.execute(t.db);
    expect(Number(keys.rows[0]!.n)).toBe(5);
  });
});

describe('retention', () => {
  it('purges check-ins older than the retention period with the scheduled job, by dropping whole day partitions', async () => {
    const before = await t.db.selectFrom('checkins').select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow();
    expect(Number(before.n)).toBeGreaterThan(0);
    const r0 = await post({ clientId: uuid(), venueToken: venue.token, people: [{ ...form({ fullName: 'Đỗ Thị Giang', phone: '0966000111' }), communeCode: c.a }] });
    expect(r0.statusCode).toBe(201);
    const saved = now;
    now = new Date(now.getTime() + 20 * 86400_000);
    const fresh = await post({ clientId: uuid(), venueToken: venue.token, people: [{ ...form({ fullName: 'Đỗ Thị Giang', phone: '0966000111' }), communeCode: c.a }] });
    expect(fresh.statusCode).toBe(201);
    const partitions = async () => (await sql<{ name: string }>`select name from checkin_partitions order by day`.execute(t.db)).rows.map((r) => r.name);
    const keys = async () => Number((await sql<{ n: string }>`select count(*) as n from checkin_keys`.execute(t.db)).rows[0]!.n);
    expect(await partitions()).toContain('checkins_p20210802');
    // 21 days and an hour later the day of those check-ins is not wholly past the retention yet: kept
    now = new Date(saved.getTime() + 21 * 86400_000 + 3600_000);
    expect(await t.app.vigil.jobs.runNow(PURGE_CHECKINS_JOB)).toMatchObject({ deleted: 0, partitions: [] });
    // 21 days after that day ended: its partition is dropped, with every check-in in it and their keys
    now = new Date(Date.parse('2021-08-03T00:00:00Z') + 21 * 86400_000);
    const r = (await t.app.vigil.jobs.runNow(PURGE_CHECKINS_JOB)) as { deleted: number; partitions: string[] };
    expect(r.deleted).toBe(Number(before.n) + 1);
    expect(r.partitions).toContain('checkins_p20210802');
    expect(await partitions()).not.toContain('checkins_p20210802');
    const left = await t.db.selectFrom('checkins').select('id').execute();
    expect(left.map((x) => x.id)).toEqual(fresh.json().results[0].checkinIds);
    expect(await keys()).toBe(1);
    now = saved;
  });

  it('keeps a registry record while it has check-ins (no foreign key), and lets the registry purge it after', async () => {
    const res = await post({ clientId: uuid(), venueToken: venue.token, people: [{ ...form({ fullName: 'Phan Văn Hùng', phone: '0977222333' }), communeCode: c.a }] });
    expect(res.statusCode, res.body).toBe(201);
    const personId = res.json().results[0].people[0].personId as string;
    // the record was created long ago and the phone keeps checking in with its token (which does not touch it)
    await t.db.updateTable('persons').set({ last_seen_at: new Date(now.getTime() - 400 * 86400_000) }).where('id', '=', personId).execute();
    const exists = () => t.db.selectFrom('persons').select('id').where('id', '=', personId).executeTakeFirst();
    await t.app.vigil.jobs.runNow('people.purge-inactive');
    expect(await exists()).toBeDefined();
    // once its check-ins are past retention and purged, nothing uses it any more
    const saved = now;
    now = new Date(now.getTime() + 22 * 86400_000);
    await t.app.vigil.jobs.runNow(PURGE_CHECKINS_JOB);
    await t.app.vigil.jobs.runNow('people.purge-inactive');
    expect(await exists()).toBeUndefined();
    now = saved;
  });
});

describe('commune picker', () => {
  it('finds communes without diacritics, the venue’s province first', async () => {
    const one = await t.db.selectFrom('admin_units').select(['code', 'name']).where('code', '=', c.a).executeTakeFirstOrThrow();
    const plain = one.name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D');
    const res = await t.app.inject({ method: 'GET', url: `/api/checkin/communes?q=${encodeURIComponent(plain)}&near=40` });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().items.map((x: { code: string }) => x.code)).toContain(c.a);
    expect(res.json().items[0]).toMatchObject({ district: expect.any(String), province: 'Nghệ An' });
  });
});

describe('venue status cache across server processes', () => {
  it('applies a suspension made by another server within STATUS_TTL_MS, though entrances are cached for minutes', async () => {
    const v = await createVenue(t.app, officer.headers, { communeCode: c.a, name: 'Nhà văn hoá khối 5', type: 'other' });
    const checkIn = () => post({ clientId: uuid(), venueToken: v.token, people: [{ ...form({ phone: '0983000111', fullName: 'Phạm Thị Hoa' }), communeCode: c.a }] });
    expect((await checkIn()).statusCode).toBe(201); // entrance now cached in this process
    // keep the entrance busy past half its cache life (the app's clock ages the cache), so it goes through the
    // refresh-ahead path
    now = new Date(now.getTime() + STATUS_TTL_MS * 0.6);
    expect((await checkIn()).statusCode).toBe(201);
    // another server suspends it: a direct write, so this process gets no invalidation call
    await t.db.updateTable('venues').set({ status: 'suspended' }).where('id', '=', v.venue.id).execute();
    // applied once STATUS_TTL_MS has passed (no sleeping: the test moves the app's clock)
    now = new Date(now.getTime() + STATUS_TTL_MS + 1);
    const res = await checkIn();
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('VENUE_SUSPENDED');
  });
});

describe('venue change feed', () => {
  it('applies an entrance closed and a validity window cut short by another server within STATUS_TTL_MS', async () => {
    const v = await createVenue(t.app, officer.headers, { communeCode: c.a, name: 'Nhà thi đấu', type: 'other' });
    const w = await createVenue(t.app, officer.headers, { communeCode: c.a, name: 'Sân vận động', type: 'other' });
    const checkIn = (token: string) => post({ clientId: uuid(), venueToken: token, people: [{ ...form({ phone: '0983000222', fullName: 'Lê Văn Tâm' }), communeCode: c.a }] });
    expect((await checkIn(v.token)).statusCode).toBe(201);
    expect((await checkIn(w.token)).statusCode).toBe(201);
    // direct writes, as another server process makes them: this process gets no invalidation call
    await t.db.updateTable('venue_entrances').set({ active: false }).where('id', '=', v.entrances[0]!.id).execute();
    await t.db.updateTable('venues').set({ valid_until: new Date(now.getTime() - 60_000) }).where('id', '=', w.venue.id).execute();
    now = new Date(now.getTime() + STATUS_TTL_MS + 1);
    const closed = await checkIn(v.token);
    expect(closed.statusCode).toBe(410);
    expect(closed.json().error.code).toBe('ENTRANCE_CLOSED');
    const over = await checkIn(w.token);
    expect(over.statusCode).toBe(410);
    expect(over.json().error.code).toBe('VENUE_QR_EXPIRED');
    // and reopened the same way
    await t.db.updateTable('venue_entrances').set({ active: true }).where('id', '=', v.entrances[0]!.id).execute();
    now = new Date(now.getTime() + STATUS_TTL_MS + 1);
    expect((await checkIn(v.token)).statusCode).toBe(201);
  });

  it('reads a busy entrance from the database once, not every few seconds, while watching the feed', async () => {
    let entranceReads = 0;
    const counting = t.db.withPlugin({
      transformQuery: (a) => {
        if (a.node.kind === 'SelectQueryNode') entranceReads++;
        return a.node;
      },
      transformResult: async (a) => a.result,
    });
    const cache = new EntranceCache({ db: counting, keys: t.app.vigil.keys, clock });
    const start = now;
    try {
      for (let i = 0; i < 120; i++) {
        expect((await cache.openEntrance(venue.token, now, 'venueToken')).venueName).toBe('Chợ Vinh');
        now = new Date(now.getTime() + 500); // a check-in every half second for a minute
      }
      expect(entranceReads).toBe(1);
      // a change made elsewhere is still seen within STATUS_TTL_MS
      await t.db.updateTable('venues').set({ status: 'suspended' }).where('id', '=', venue.venue.id).execute();
      now = new Date(now.getTime() + STATUS_TTL_MS + 1);
      await expect(cache.openEntrance(venue.token, now, 'venueToken')).rejects.toMatchObject({ statusCode: 403, code: 'VENUE_SUSPENDED' });
    } finally {
      await t.db.updateTable('venues').set({ status: 'approved' }).where('id', '=', venue.venue.id).execute();
      cache.close();
      now = new Date(start.getTime() + 61_000);
    }
  });

  it('refuses a forged poster whose valid sibling is cached, and checks a new poster once for concurrent first scans', async () => {
    const people = [{ ...form({ phone: '0983000333', fullName: 'Hồ Thị Mai' }), communeCode: c.a }];
    const valid = signVenueToken(t.app.vigil.keys, venue.entrances[0]!.id, venue.venue.id, new Date(now.getTime() + 86400_000));
    const sig = valid.lastIndexOf('.') + 5;
    const forged = [alterChar(valid, sig), alterChar(valid, 3), signVenueToken(KeyRing.inMemory(), venue.entrances[0]!.id, venue.venue.id, new Date(now.getTime() + 86400_000))];
    // first scans of the new poster and its forgeries, all at once
    const all = await Promise.all([...Array.from({ length: 6 }, () => valid), ...forged].map((venueToken) => post({ clientId: uuid(), venueToken, people })));
    expect(all.slice(0, 6).map((r) => r.statusCode)).toEqual(Array(6).fill(201));
    for (const r of all.slice(6)) {
      expect(r.statusCode, r.body).toBe(400);
      expect(r.json().error).toMatchObject({ code: 'VENUE_QR_INVALID', details: [{ path: 'body.venueToken' }] });
    }
    // the valid one is cached now; its forgeries still are not accepted
    for (const venueToken of forged) {
      const r = await post({ clientId: uuid(), venueToken, people });
      expect(r.statusCode).toBe(400);
      expect(r.json().error.code).toBe('VENUE_QR_INVALID');
    }
    expect((await post({ clientId: uuid(), venueToken: valid, people })).statusCode).toBe(201);
  });
});

describe('public rate limit', () => {
  it('limits citizen check-ins per client address to VIGIL_PUBLIC_CHECKINS_PER_MINUTE; other addresses and accepted rows are unaffected', async () => {
    const limited = await testContext({ clock, config: { publicCheckinsPerMinute: 10 } });
    try {
      const cc = await communes(limited.db);
      const op = await limited.login('cdc_officer', '40');
      const v = await createVenue(limited.app, op.headers, { communeCode: cc.a });
      const checkIn = (remoteAddress: string, i: number) =>
        limited.app.inject({
          method: 'POST',
          url: '/api/checkins',
          remoteAddress,
          payload: { clientId: uuid(), venueToken: v.token, people: [{ ...form({ phone: `09120000${10 + i}` }), communeCode: cc.a }] },
        });
      const codes: number[] = [];
      const answers = [];
      for (let i = 0; i < 12; i++) answers.push(await checkIn('203.0.113.7', i));
      for (const a of answers) codes.push(a.statusCode);
      expect(codes).toEqual([...Array(10).fill(201), 429, 429]);
      // an answer within the limit carries no x-ratelimit-* headers (nothing reads them; every check-in paid for them)
      expect(Object.keys(answers[0]!.headers).filter((h) => h.startsWith('x-ratelimit'))).toEqual([]);
      const refused = await checkIn('203.0.113.7', 50);
      expect(refused.json().error.code).toBe('RATE_LIMITED');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(refused.headers['x-ratelimit-limit']).toBe('10');
      expect((await checkIn('198.51.100.4', 60)).statusCode).toBe(201);
      const rows = await limited.db.selectFrom('checkins').select(sql<string>`count(*)`.as('n')).where('venue_id', '=', v.venue.id).executeTakeFirstOrThrow();
      expect(Number(rows.n)).toBe(11);
    } finally {
      await limited.close();
    }
  });
});

describe('venue QR cache and key retirement', () => {
  it('refuses a poster signed with a key retired after the poster was first scanned (no restart needed)', async () => {
    const ring = KeyRing.inMemory();
    const cache = new EntranceCache({ db: t.db, keys: ring, clock });
    const token = signVenueToken(ring, venue.entrances[0]!.id, venue.venue.id, null);
    expect((await cache.openEntrance(token, now, 'venueToken')).venueName).toBe('Chợ Vinh'); // verified and cached
    const old = ring.activeKid;
    await ring.rotate();
    expect((await cache.openEntrance(token, now, 'venueToken')).venueName).toBe('Chợ Vinh'); // rotation keeps posters
    await ring.retire(old);
    await expect(cache.openEntrance(token, now, 'venueToken')).rejects.toMatchObject({ statusCode: 410, code: 'VENUE_QR_REVOKED' });
    cache.close();
  });
});
