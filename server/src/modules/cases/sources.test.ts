// One exposure per contact stay, its sources listed on demand: an F2 who spent a morning where three F1s passed has
// one exposure "with 3 F1s", and the contact detail reads who they were (jurisdiction-scoped, audited).
import fs from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type LoggedIn, type TestContext } from '../../../test/helpers';
import { scenario, type Scenario } from './test-fixtures';

let t: TestContext;
let s: Scenario;
const now = new Date('2021-08-11T05:00:00Z');
const P: Record<string, string> = {};
let cdc: LoggedIn;
let communeA: LoggedIn;
let communeB: LoggedIn;
let hanoi: LoggedIn;
let citizen: LoggedIn;
let operator: LoggedIn;
let caseId: string;

type Exposure = { id: string; sourcesCount: number; sourcePersonId: string; overlapMinutes: number; from: string; to: string; venue: { code: string } | null };
type Contact = { id: string; person: { id: string }; level: number; exposures: Exposure[] };
const get = (url: string, who?: LoggedIn | null) => t.app.inject({ method: 'GET', url, headers: who?.headers ?? {} });
const contactOf = async (personId: string) => ((await get(`/api/cases/${caseId}/contacts`, cdc)).json().items as Contact[]).find((c) => c.person.id === personId)!;
const sourcesUrl = (c: Contact, e: Exposure) => `/api/contacts/${c.id}/exposures/${e.id}/sources`;

beforeAll(async () => {
  t = await testContext({ clock: () => now });
  s = await scenario(t.db);
  P.F0 = await s.person('Trần Văn Ca');
  for (const n of ['A', 'B', 'C', 'Q']) P[n] = await s.person(`Người ${n}`);
  const market = await s.venue('CHO', 60);
  const shop = await s.venue('TIEM', 60);
  // the case at the market 02:00–03:00; A, B and C there with it: F1s
  await s.stay(P.F0!, market, '2021-08-10T02:00:00Z', '2021-08-10T03:00:00Z');
  await s.stay(P.A!, market, '2021-08-10T02:00:00Z', '2021-08-10T02:40:00Z');
  await s.stay(P.B!, market, '2021-08-10T02:30:00Z', '2021-08-10T03:30:00Z');
  await s.stay(P.C!, market, '2021-08-10T02:50:00Z', '2021-08-10T04:00:00Z');
  // later at the shop: A 08:00–09:00, B 08:15–08:45, C 10:00–10:30 (no check-out: the default hour, cut by nothing);
  // Q there 08:00–11:00: one stay with three F1s, A the longest (60 min)
  await s.stay(P.A!, shop, '2021-08-10T08:00:00Z', '2021-08-10T09:00:00Z');
  await s.stay(P.B!, shop, '2021-08-10T08:15:00Z', '2021-08-10T08:45:00Z');
  await s.stay(P.C!, shop, '2021-08-10T10:00:00Z', '2021-08-10T10:30:00Z');
  await s.stay(P.Q!, shop, '2021-08-10T08:00:00Z', '2021-08-10T11:00:00Z');
  cdc = await t.login('cdc_officer', '40');
  communeA = await t.login('commune_officer', s.commune);
  communeB = await t.login('commune_officer', s.otherCommune);
  hanoi = await t.login('cdc_officer', '01');
  citizen = await t.login('citizen', '40');
  operator = await t.login('venue_operator', '40');
  const res = await t.app.inject({ method: 'POST', url: '/api/cases', headers: cdc.headers, payload: { personId: P.F0, confirmedAt: '2021-08-11T03:00:00Z', onsetDate: '2021-08-10', source: 'community' } });
  expect(res.statusCode, res.body).toBe(201);
  caseId = res.json().case.id;
  await t.events.settled();
});
afterAll(async () => {
  await t?.close();
});

describe('one exposure per stay', () => {
  it('an F2 who met three F1s during one stay has one exposure: three sources, the longest named, from the first to the last', async () => {
    const q = await contactOf(P.Q!);
    expect(q.level).toBe(2);
    expect(q.exposures).toEqual([
      expect.objectContaining({ sourcesCount: 3, sourcePersonId: P.A, overlapMinutes: 60, from: '2021-08-10T08:00:00.000Z', to: '2021-08-10T10:30:00.000Z', venue: expect.objectContaining({ code: expect.stringMatching(/^TIEM-/) }) }),
    ]);
    const rows = await t.db.selectFrom('contact_exposures').select('id').where('contact_id', '=', q.id).execute();
    expect(rows).toHaveLength(1);
  });

  it('lists the sources of the stay on demand, longest first, each with their time with the contact', async () => {
    const q = await contactOf(P.Q!);
    const res = await get(sourcesUrl(q, q.exposures[0]!), communeA);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.exposure).toMatchObject({ id: q.exposures[0]!.id, contactId: q.id, sourcesCount: 3 });
    expect(body.items).toEqual([
      { person: { id: P.A, fullName: 'Người A' }, level: 1, from: '2021-08-10T08:00:00.000Z', to: '2021-08-10T09:00:00.000Z', overlapMinutes: 60 },
      { person: { id: P.B, fullName: 'Người B' }, level: 1, from: '2021-08-10T08:15:00.000Z', to: '2021-08-10T08:45:00.000Z', overlapMinutes: 30 },
      { person: { id: P.C, fullName: 'Người C' }, level: 1, from: '2021-08-10T10:00:00.000Z', to: '2021-08-10T10:30:00.000Z', overlapMinutes: 30 },
    ]);
    expect(body.items).toHaveLength(body.exposure.sourcesCount);
  });

  it("an F1's sources: the case's person (F0), inside its window", async () => {
    const b = await contactOf(P.B!);
    const res = await get(sourcesUrl(b, b.exposures[0]!), cdc);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().items).toEqual([{ person: { id: P.F0, fullName: 'Trần Văn Ca' }, level: 0, from: '2021-08-10T02:30:00.000Z', to: '2021-08-10T03:00:00.000Z', overlapMinutes: 30 }]);
  });

  it('audits the read', async () => {
    const rows = await t.db.selectFrom('audit_log').select(['action', 'subject_id']).where('action', '=', 'contact.sources.read').execute();
    expect(rows.length).toBeGreaterThanOrEqual(2);
  });
});

describe('refusals', () => {
  it('no session, a citizen, a venue operator, another commune, another province: nothing', async () => {
    const q = await contactOf(P.Q!);
    const url = sourcesUrl(q, q.exposures[0]!);
    expect((await get(url, null)).statusCode).toBe(401);
    expect((await get(url, citizen)).statusCode).toBe(403);
    expect((await get(url, operator)).statusCode).toBe(403);
    expect((await get(url, communeB)).statusCode).toBe(403); // Q lives in commune A
    expect((await get(url, hanoi)).statusCode).toBe(403);
    const before = await t.db.selectFrom('audit_log').select('id').where('action', '=', 'contact.sources.read').execute();
    expect((await get(url, hanoi)).statusCode).toBe(403);
    expect(await t.db.selectFrom('audit_log').select('id').where('action', '=', 'contact.sources.read').execute()).toHaveLength(before.length);
  });

  it("another contact's exposure, unknown ids, junk ids: 404 / 400", async () => {
    const q = await contactOf(P.Q!);
    const a = await contactOf(P.A!);
    expect((await get(`/api/contacts/${a.id}/exposures/${q.exposures[0]!.id}/sources`, cdc)).statusCode).toBe(404);
    expect((await get(`/api/contacts/00000000-0000-4000-8000-000000000000/exposures/${q.exposures[0]!.id}/sources`, cdc)).statusCode).toBe(404);
    const junk = await get(`/api/contacts/${q.id}/exposures/1%00/sources`, cdc);
    expect(junk.statusCode).toBe(400);
    expect(junk.json().error.details[0].path).toMatch(/exposureId/);
    expect((await get(`/api/contacts/${q.id}/exposures/99999999999999999999/sources`, cdc)).statusCode).toBe(400);
  });
});

describe('existing per-source rows (migration 0005)', () => {
  it('the rows of one stay become one, counting their sources, keeping the longest; other stays and kinds stay', async () => {
    const q = await contactOf(P.Q!);
    const file = fs.readFileSync(new URL('./migrations/0005_exposure_per_stay.sql', import.meta.url), 'utf8');
    const block = file.slice(file.indexOf('-- conversion begin'), file.indexOf('-- conversion end'));
    expect(block).toMatch(/delete from contact_exposures/);
    const rows = await t.db
      .transaction()
      .execute(async (tx) => {
        // what migration 0002 wrote for Q's stay at the shop: one row per F1 with its own overlap; and a second
        // stay (evening, with C alone) and a manual exposure that must stay as they are
        await sql`drop index contact_exposures_stay_key`.execute(tx);
        await tx.deleteFrom('contact_exposures').where('contact_id', '=', q.id).execute();
        const venueId = (await tx.selectFrom('venues').select('id').where('code', 'like', 'TIEM-%').executeTakeFirstOrThrow()).id;
        const row = (src: string, f: string, to: string, min: number, kind = 'venue', via = 'checkin') => ({
          contact_id: q.id, kind, via, venue_id: kind === 'venue' ? venueId : null, from_at: new Date(f), to_at: new Date(to), overlap_minutes: min, source_person_id: src,
        });
        await tx
          .insertInto('contact_exposures')
          .values([
            row(P.B!, '2021-08-10T08:15:00Z', '2021-08-10T08:45:00Z', 30),
            row(P.A!, '2021-08-10T08:00:00Z', '2021-08-10T09:00:00Z', 60),
            row(P.C!, '2021-08-10T10:00:00Z', '2021-08-10T10:30:00Z', 30),
            row(P.C!, '2021-08-10T18:00:00Z', '2021-08-10T18:20:00Z', 20), // no check-in of Q there: rows that touch nothing stay apart
            row(P.A!, '2021-08-10T12:00:00Z', '2021-08-10T12:00:00Z', 0, 'household', 'manual'),
          ])
          .execute();
        await sql.raw(block).execute(tx);
        const out = await tx.selectFrom('contact_exposures').select(['kind', 'from_at', 'to_at', 'overlap_minutes', 'source_person_id', 'sources_count']).where('contact_id', '=', q.id).orderBy('from_at').execute();
        throw Object.assign(new Error('rollback'), { out });
      })
      .catch((e: Error & { out?: unknown }) => {
        if (!e.out) throw e;
        return e.out as { kind: string; from_at: Date; to_at: Date; overlap_minutes: number; source_person_id: string; sources_count: number }[];
      });
    expect(rows.map((r) => [r.kind, r.from_at.toISOString().slice(11, 16), r.to_at.toISOString().slice(11, 16), r.overlap_minutes, r.source_person_id, r.sources_count])).toEqual([
      ['venue', '08:00', '10:30', 60, P.A, 3],
      ['household', '12:00', '12:00', 0, P.A, 1],
      ['venue', '18:00', '18:20', 20, P.C, 1],
    ]);
    // rolled back: the traced row is there as before
    expect(await t.db.selectFrom('contact_exposures').select('id').where('contact_id', '=', q.id).execute()).toHaveLength(1);
  });
});
