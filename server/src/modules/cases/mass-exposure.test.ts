// The mass-exposure rule (VIGIL_TRACE_MASS_EXPOSURE) on a hand-built scenario: an F1's stay in a crowd is announced
// (a level-2 exposure notice: venue, window, how many people, how many F1s), not expanded into F2s one by one; the
// F0's own contacts, households, stays of exactly the threshold and ordinary stays are still listed; 0 = off lists
// everyone. Engine, case page over HTTP, notices, and `vigil trace --json` as a user runs it.
import path from 'node:path';
import os from 'node:os';
import fs from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type LoggedIn, type TestContext } from '../../../test/helpers';
import { scenario, type Scenario } from './test-fixtures';
import { traceCaseFull } from './trace';

const THRESHOLD = 3;
let t: TestContext;
let s: Scenario;
const now = new Date('2021-08-11T05:00:00Z');
const P: Record<string, string> = {};
const V: Record<string, string> = {};
let cdc: LoggedIn;

// the case's window: onset 10 Aug → from 2021-08-07T17:00Z; confirmed 2021-08-11T03:00Z
const from = new Date('2021-08-07T17:00:00Z');
const to = new Date('2021-08-11T03:00:00Z');
const at = new Date('2021-08-11T05:00:00Z');
const trace = (massExposure: number) => traceCaseFull(t.db, { personId: P.F0!, from, to, at, levels: 2, minOverlapMinutes: 0, massExposure });

beforeAll(async () => {
  t = await testContext({ clock: () => now, config: { traceMassExposure: THRESHOLD } });
  s = await scenario(t.db);
  for (const n of ['F0', 'A', 'B1', 'B2', 'B3', 'B4', 'C1', 'C2', 'C3', 'C4', 'C5', 'H', 'Q', 'R1', 'R2', 'R3'])
    P[n] = await s.person(`Người ${n}`, n === 'F0' ? { nationalId: '040090005555' } : {});
  V.MARKET = await s.venue('CHO', 60);
  V.CAFE = await s.venue('CAFE', 60);
  V.SHOP = await s.venue('SHOP', 60);
  // F0 at the market 09:00–10:00 (UTC) on 10 Aug with four others 09:00–09:20 (a crowd of 5 for the F0: all F1,
  // the rule never bites on the F0's own contacts) and A 09:30–11:30
  await s.stay(P.F0!, V.MARKET!, '2021-08-10T09:00:00Z', '2021-08-10T10:00:00Z');
  for (const n of ['B1', 'B2', 'B3', 'B4']) await s.stay(P[n]!, V.MARKET!, '2021-08-10T09:00:00Z', '2021-08-10T09:20:00Z');
  await s.stay(P.A!, V.MARKET!, '2021-08-10T09:30:00Z', '2021-08-10T11:30:00Z');
  // after the F0 left, five people overlap A at the market: A's stay there had 6 other people (F0 and C1–C5) > 3
  for (const n of ['C1', 'C2', 'C3', 'C4', 'C5']) await s.stay(P[n]!, V.MARKET!, '2021-08-10T10:30:00Z', '2021-08-10T11:00:00Z');
  // A later at a café with Q (1 other person): an ordinary stay, Q is listed
  await s.stay(P.A!, V.CAFE!, '2021-08-10T14:00:00Z', '2021-08-10T15:00:00Z');
  await s.stay(P.Q!, V.CAFE!, '2021-08-10T14:30:00Z', '2021-08-10T15:00:00Z');
  // A at a shop with exactly 3 others: not more than the threshold, all listed
  await s.stay(P.A!, V.SHOP!, '2021-08-10T16:00:00Z', '2021-08-10T17:00:00Z');
  for (const n of ['R1', 'R2', 'R3']) await s.stay(P[n]!, V.SHOP!, '2021-08-10T16:15:00Z', '2021-08-10T16:45:00Z');
  // A's household
  await s.household(P.A!, P.H!);
  cdc = await t.login('cdc_officer', '40');
});
afterAll(async () => {
  await t?.close();
});

const levels = (contacts: { personId: string; level: number }[]) => Object.fromEntries(contacts.map((c) => [Object.keys(P).find((k) => P[k] === c.personId)!, c.level]));

describe('mass-exposure rule in the engine', () => {
  it('off (0): everyone at the market with A is an F2', async () => {
    const r = await trace(0);
    expect(levels(r.contacts)).toEqual({ A: 1, B1: 1, B2: 1, B3: 1, B4: 1, C1: 2, C2: 2, C3: 2, C4: 2, C5: 2, Q: 2, R1: 2, R2: 2, R3: 2, H: 2 });
    expect(r.massExposures).toEqual([]);
  });

  it('on: the people at the market with A are a mass exposure, not F2s; F1s, household, café and shop are listed', async () => {
    const r = await trace(THRESHOLD);
    expect(levels(r.contacts)).toEqual({ A: 1, B1: 1, B2: 1, B3: 1, B4: 1, Q: 2, R1: 2, R2: 2, R3: 2, H: 2 });
    expect(r.massExposures).toEqual([
      {
        level: 2,
        venueId: V.MARKET,
        venueCode: expect.stringMatching(/^CHO-/),
        venueName: 'Venue CHO',
        // A's stay from its exposure (09:30, when it met the F0) until it left
        from: new Date('2021-08-10T09:30:00Z'),
        to: new Date('2021-08-10T11:30:00Z'),
        sourcesCount: 1,
        // the people there not listed otherwise: C1–C5 (the F0 and A are listed; B1–B4 left at 09:20; the F1s B1–B4 were
        // in a crowd of 5 too, with nobody there unlisted: no mass exposure)
        peopleCount: 5,
      },
    ]);
  });

  it('a threshold at the crowd size lists them again (more than N bites, not N)', async () => {
    const r = await trace(6);
    expect(r.massExposures).toEqual([]);
    expect(r.contacts.filter((c) => c.level === 2)).toHaveLength(10);
  });
});

describe('mass-exposure rule on a confirmed case', () => {
  it('publishes a level-2 notice, shows it on the case page and in the public list; re-tracing adds nothing', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/cases', headers: cdc.headers, payload: { personId: P.F0, confirmedAt: '2021-08-11T03:00:00Z', onsetDate: '2021-08-10', source: 'community' } });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().case.id as string;
    await t.events.settled();
    const c = (await t.app.inject({ method: 'GET', url: `/api/cases/${id}`, headers: cdc.headers })).json().case;
    expect(c.trace.status).toBe('done');
    expect(c.contactCounts).toMatchObject({ f1: 5, f2: 5 });
    expect(c.trace.counts).toMatchObject({ massExposures: 1, massPeople: 5, massThreshold: THRESHOLD });
    expect(c.trace.massExposures).toEqual([
      { level: 2, venue: { id: V.MARKET, code: expect.stringMatching(/^CHO-/), name: 'Venue CHO' }, from: '2021-08-10T09:30:00.000Z', to: '2021-08-10T11:30:00.000Z', peopleCount: 5, sourcesCount: 1, withdrawn: false },
    ]);
    // the public list carries it (venue and window only) beside the F0's own notice, told apart by level
    const pub = (await t.app.inject({ method: 'GET', url: '/api/public/exposure-notices' })).json().items as { venueId: string; level: number; from: string; to: string }[];
    const market = pub.filter((n) => n.venueId === V.MARKET).map((n) => [n.level, n.from, n.to]);
    expect(market.sort()).toEqual([
      [1, '2021-08-10T09:00:00.000Z', '2021-08-10T10:00:00.000Z'],
      [2, '2021-08-10T09:30:00.000Z', '2021-08-10T11:30:00.000Z'],
    ]);
    expect(JSON.stringify(pub)).not.toContain('peopleCount');
    // the officers' list tells the levels apart with the crowd's figures (no identity either)
    const staff = (await t.app.inject({ method: 'GET', url: '/api/exposure-notices', headers: cdc.headers })).json().items as { venueId: string; level: number; peopleCount: number | null; sourcesCount: number | null }[];
    expect(staff.filter((n) => n.venueId === V.MARKET).map((n) => [n.level, n.peopleCount, n.sourcesCount]).sort()).toEqual([
      [1, null, null],
      [2, 5, 1],
    ]);
    const before = await t.db.selectFrom('exposure_notices').selectAll().where('case_id', '=', id).execute();
    expect((await t.app.inject({ method: 'POST', url: `/api/cases/${id}/trace`, headers: cdc.headers, payload: {} })).statusCode).toBe(202);
    await t.events.settled();
    expect(await t.db.selectFrom('exposure_notices').selectAll().where('case_id', '=', id).execute()).toEqual(before);
  });
});

describe('vigil trace --json', () => {
  it('prints the rule and the mass exposure; VIGIL_TRACE_MASS_EXPOSURE=0 lists everyone', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-trace-'));
    const VIGIL = path.resolve(__dirname, '../../../bin/vigil.js');
    const env = { ...process.env, DATABASE_URL: t.database.url, VIGIL_DATA_DIR: tmp, LOG_LEVEL: 'silent', VIGIL_TRACE_MASS_EXPOSURE: String(THRESHOLD) };
    const run = promisify(execFile);
    const on = JSON.parse((await run(process.execPath, [VIGIL, 'trace', '040090005555', '--json'], { env, timeout: 120_000 })).stdout);
    expect(on.rule).toEqual({ mass_exposure_threshold: THRESHOLD });
    expect(on.mass_exposures).toEqual([
      { level: 2, venue_code: expect.stringMatching(/^CHO-/), venue_name: 'Venue CHO', from: '2021-08-10T09:30:00.000Z', to: '2021-08-10T11:30:00.000Z', people_count: 5, sources_count: 1 },
    ]);
    expect(on.contacts.filter((c: { level: number }) => c.level === 2)).toHaveLength(5);
    const off = JSON.parse((await run(process.execPath, [VIGIL, 'trace', '040090005555', '--json'], { env: { ...env, VIGIL_TRACE_MASS_EXPOSURE: '0' }, timeout: 120_000 })).stdout);
    expect(off.rule).toEqual({ mass_exposure_threshold: 0 });
    expect(off.mass_exposures).toEqual([]);
    expect(off.contacts.filter((c: { level: number }) => c.level === 2)).toHaveLength(10);
    fs.rmSync(tmp, { recursive: true, force: true });
  }, 240_000); // two CLI processes, each loading the TypeScript sources and connecting
});
