// The home page's numbers (issue #14 item 11): today's check-ins, declarations, flagged and open work items for the
// caller's area, and the last 14 days, each from the module that owns the data; jurisdiction-scoped.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCheckinsFile } from '../src/modules/venues';
import { testContext, type LoggedIn, type TestContext } from './helpers';
import { HEALTHY_DOMESTIC_ANSWERS } from '../src/modules/declarations';

let t: TestContext;
let now = new Date('2021-08-10T03:00:00Z'); // 10:00 on 10 August in Vietnam
let communeA: string;
let communeB: string;
let cdc: LoggedIn;
let officerA: LoggedIn;
let officerB: LoggedIn;
let hanoi: LoggedIn;
let tmp: string;

const summary = async (who: LoggedIn | null, query = '') => t.app.inject({ method: 'GET', url: `/api/home/summary${query}`, headers: who?.headers ?? {} });
type Tile = { key: string; today: number; byDay: number[] | null; link: string | null; tone: string; label: { vi: string } };
const tilesOf = async (who: LoggedIn, query = '') => {
  const res = await summary(who, query);
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json() as { days: string[]; today: string; unit: { code: string }; tiles: Tile[] };
  return { ...body, tile: (key: string) => body.tiles.find((x) => x.key === key) };
};

const healthy = HEALTHY_DOMESTIC_ANSWERS;
let seq = 0;
async function declareAt(at: Date, communeCode: string, answers: Record<string, unknown>) {
  const saved = now;
  now = at;
  try {
    seq++;
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/public/declarations',
      payload: { formKey: 'domestic', formVersion: 1, person: { fullName: `Người ${seq}`, phone: `09${String(41_000_000 + seq * 7919).slice(-8)}`, birthYear: 1990, communeCode }, answers },
    });
    expect(res.statusCode, res.body).toBe(201);
  } finally {
    now = saved;
  }
}
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3600_000);

beforeAll(async () => {
  t = await testContext({ clock: () => now });
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-home-'));
  const communes = await t.db.selectFrom('admin_units').select(['code', 'parent_code']).where('level', '=', 'commune').where('path', 'like', '/VN/40/%').orderBy('code').execute();
  communeA = communes[0]!.code;
  communeB = communes.find((c) => c.parent_code !== communes[0]!.parent_code)!.code;
  cdc = await t.login('cdc_officer', '40');
  officerA = await t.login('commune_officer', communeA);
  officerB = await t.login('commune_officer', communeB);
  hanoi = await t.login('cdc_officer', '01');

  // a venue in commune A with check-ins: 3 today (from 09:00 local), 2 yesterday, 1 five days ago
  const venue = await t.app.inject({ method: 'POST', url: '/api/venues', headers: cdc.headers, payload: { name: 'Chợ Vinh', type: 'market', address: '1 Lê Lợi', communeCode: communeA } });
  expect(venue.statusCode, venue.body).toBe(201);
  const code = venue.json().venue.code as string;
  const iso = (d: Date) => d.toISOString().replace('Z', '+00:00');
  const file = path.join(tmp, 'checkins.csv');
  const lines = ['person_national_id,person_phone,person_name,venue_code,checkin_at,checkout_at'];
  [0.2, 0.5, 0.9, 24, 25, 5 * 24].forEach((h, i) => lines.push(`,09440000${10 + i},Khách ${i},${code},${iso(hoursAgo(h))},`));
  await fs.writeFile(file, lines.join('\n'));
  const imported = await importCheckinsFile(t.db, t.app.vigil, file);
  expect(imported.imported).toBe(6);

  // declarations of people living in A: 2 today (1 flagged), 1 flagged three days ago; one in B today
  await declareAt(hoursAgo(1), communeA, healthy);
  await declareAt(hoursAgo(2), communeA, { ...healthy, fever: true, cough: true });
  await declareAt(hoursAgo(72), communeA, { ...healthy, contact_f0: true });
  await declareAt(hoursAgo(1), communeB, healthy);
});
afterAll(async () => {
  await t?.close();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

describe('home summary', () => {
  it("shows today's numbers and the last 14 days for the province", async () => {
    const s = await tilesOf(cdc);
    expect(s.unit.code).toBe('40');
    expect(s.today).toBe('2021-08-10');
    expect(s.days).toHaveLength(14);
    expect(s.days[0]).toBe('2021-07-28');
    expect(s.days[13]).toBe('2021-08-10');
    expect(s.tiles.map((x) => x.key)).toEqual(['checkins', 'declarations', 'declarations.flagged', 'declarations.open', 'cases', 'contacts', 'contacts.monitoring', 'testing.tubes', 'testing.retests', 'calls.reached', 'calls.symptomatic']);
    expect(s.tile('checkins')).toMatchObject({ today: 3, link: '/checkins', label: { vi: 'Lượt quét QR' } });
    const byDay = s.tile('checkins')!.byDay!;
    expect(byDay.slice(-1)[0]).toBe(3);
    expect(byDay[12]).toBe(2); // yesterday
    expect(byDay[8]).toBe(1); // five days ago
    expect(byDay.reduce((a, b) => a + b, 0)).toBe(6);
    expect(s.tile('declarations')).toMatchObject({ today: 3 });
    expect(s.tile('declarations')!.byDay![10]).toBe(1); // three days ago
    expect(s.tile('declarations.flagged')).toMatchObject({ today: 1, tone: 'attention' });
    expect(s.tile('declarations.open')).toMatchObject({ today: 2, byDay: null, tone: 'attention' });
  });

  it('is scoped to the jurisdiction: a commune sees its own, another province nothing of Nghệ An', async () => {
    const a = await tilesOf(officerA);
    expect(a.tile('checkins')!.today).toBe(3);
    expect(a.tile('declarations')!.today).toBe(2);
    expect(a.tile('declarations.open')!.today).toBe(2);
    const b = await tilesOf(officerB);
    expect(b.tile('checkins')!.today).toBe(0);
    expect(b.tile('declarations')!.today).toBe(1);
    expect(b.tile('declarations.open')!.today).toBe(0);
    const h = await tilesOf(hanoi);
    expect(h.tiles.every((x) => x.today === 0 && (x.byDay ?? []).every((n) => n === 0))).toBe(true);
    // a unit inside the jurisdiction may be picked; one outside is refused
    expect((await tilesOf(cdc, `?unit=${communeA}`)).tile('declarations')!.today).toBe(2);
    expect((await summary(officerA, '?unit=40')).statusCode).toBe(403);
    expect((await summary(hanoi, '?unit=40')).statusCode).toBe(403);
    const unknown = await summary(cdc, '?unit=nowhere');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.details[0].path).toBe('querystring.unit');
  });

  it('today moves with the clock; new check-ins show at once', async () => {
    const before = (await tilesOf(cdc)).tile('declarations')!.today;
    await declareAt(hoursAgo(0.1), communeA, healthy);
    expect((await tilesOf(cdc)).tile('declarations')!.today).toBe(before + 1);
  });

  it('shows no figures to those who may not see them, and nothing without a session', async () => {
    expect((await summary(null)).statusCode).toBe(401);
    const citizen = await t.login('citizen', '40');
    expect((await tilesOf(citizen)).tiles).toEqual([]);
    const operator = await t.login('venue_operator', communeA);
    expect((await tilesOf(operator)).tiles).toEqual([]);
    const tracer = await t.login('contact_tracer', '40');
    expect((await tilesOf(tracer)).tiles.map((x) => x.key)).toEqual(['checkins', 'declarations', 'declarations.flagged', 'declarations.open', 'cases', 'contacts', 'contacts.monitoring', 'testing.tubes', 'testing.retests', 'calls.reached', 'calls.symptomatic']);
    const nul = await summary(cdc, '?unit=4%000');
    expect(nul.statusCode).toBe(400);
  });
});
