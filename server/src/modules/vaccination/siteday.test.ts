// The site day over HTTP: scan the personal QR → screening (four groups, the rule that fired) → dose (refusals:
// expired lot, wrong dose number, not eligible, no consent; warnings: age, mixed product, too early) → the
// `vaccination.dose-recorded` event → 30-minute observation → AEFI → the health book; voiding; attackers.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type LoggedIn, type TestContext } from '../../../test/helpers';
import { personalQrToken } from '../people';
import type { DoseRecorded, DoseVoided } from './events';
import { vaccWorld, type VaccWorld } from './test-fixtures';

let t: TestContext;
let w: VaccWorld;
let now = new Date('2021-08-02T01:00:00Z'); // 08:00 local
let staff: LoggedIn;
const recorded: DoseRecorded[] = [];
const voided: DoseVoided[] = [];
const healthy = {
  anaphylaxisToVaccine: false,
  severeAllergyOther: false,
  acuteIllness: false,
  covidLast3Months: false,
  otherVaccineLast14Days: false,
  chronicUncontrolled: false,
  chronicControlled: false,
  immunocompromised: false,
  pregnancyWeeks: null,
  bleedingDisorder: false,
};

const send = (url: string, who: LoggedIn | null, payload?: unknown) => t.app.inject({ method: 'POST', url, headers: who?.headers ?? {}, payload: (payload ?? {}) as object });
const get = (url: string, who: LoggedIn | null) => t.app.inject({ method: 'GET', url, headers: who?.headers ?? {} });
const qr = (id: string) => personalQrToken(t.app.vigil.keys, id);

async function screen(personId: string, answers = healthy, temperature: number | null = 36.6, consent = true) {
  const r = await send('/api/vaccination/screenings', staff, { personId, siteId: w.siteId, answers, temperature, consent });
  expect(r.statusCode).toBe(201);
  return r.json() as { id: string; outcome: string; rules: string[] };
}

beforeAll(async () => {
  t = await testContext({ clock: () => now });
  t.events.subscribe('vaccination.dose-recorded', 'test.dose-seen', async (e) => void recorded.push(e.payload));
  t.events.subscribe('vaccination.dose-voided', 'test.void-seen', async (e) => void voided.push(e.payload));
  w = await vaccWorld(t, '2021-08-02');
  staff = await t.login('vaccination_staff', w.commune);
});
afterAll(() => t?.close());

describe('site day', () => {
  it('scan → screening → dose → event → observation → AEFI → health book', async () => {
    const p = await w.person('Trần Thị Tiêm', { birthYear: 1985, commune: w.otherCommune }); // lives elsewhere: the scan admits her
    await w.register(p);
    expect((await send('/api/vaccination/screenings', staff, { personId: p, siteId: w.siteId, answers: healthy, temperature: 36.5, consent: true })).statusCode).toBe(404);
    const scan = await send('/api/vaccination/scan', staff, { siteId: w.siteId, qr: `https://vigil.test/p/${qr(p)}` });
    expect(scan.statusCode).toBe(200);
    expect(scan.json().person.fullName).toBe('Trần Thị Tiêm');
    expect(scan.json().nextDoseNumber).toBe(1);
    expect(scan.json().lots.map((l: { id: string }) => l.id)).toEqual([w.lotId]);
    const s = await screen(p);
    expect(s).toMatchObject({ outcome: 'eligible', rules: [] });
    const dose = await send('/api/vaccination/doses', staff, { personId: p, siteId: w.siteId, lotId: w.lotId, doseNumber: 1, vaccinator: 'ĐD Lan', screeningId: s.id });
    expect(dose.statusCode).toBe(201);
    const doseId = dose.json().id;
    expect(dose.json().observeUntil).toBe('2021-08-02T01:30:00.000Z');
    await t.events.settled();
    expect(recorded.find((e) => e.doseId === doseId)).toMatchObject({ personId: p, givenOn: '2021-08-02', doseNumber: 1, seriesDoses: 2, lot: expect.stringMatching(/^LOT/), siteCode: expect.stringMatching(/^TYT-/), product: { code: 'EU/1/20/1528', manufacturerCode: 'ORG-100030215', prophylaxisCode: '1119349007' }, communeCode: w.commune, correction: false });
    // the observation cannot end before 30 minutes without a reason
    const early = await send(`/api/vaccination/doses/${doseId}/observation`, staff, {});
    expect(early.statusCode).toBe(409);
    expect(early.json().error.code).toBe('OBSERVATION_RUNNING');
    now = new Date('2021-08-02T01:31:00Z');
    expect((await send(`/api/vaccination/doses/${doseId}/observation`, staff, {})).statusCode).toBe(200);
    const aefi = await send(`/api/vaccination/doses/${doseId}/aefi`, staff, { severity: 'mild', symptoms: ['sốt nhẹ', 'đau chỗ tiêm'], onsetAt: '2021-08-02T01:20:00Z', outcome: 'recovered' });
    expect(aefi.statusCode).toBe(201);
    const citizen = await t.login('citizen', '40', { personId: p });
    const book = await get(`/api/vaccination/book/${p}`, citizen);
    expect(book.statusCode).toBe(200);
    expect(book.json().doses[0]).toMatchObject({ doseNumber: 1, lot: expect.stringMatching(/^LOT/), aefi: [{ severity: 'mild', outcome: 'recovered' }] });
    expect(book.json().nextDose).toEqual({ doseNumber: 2, dueOn: '2021-08-23', productCode: 'EU/1/20/1528' });
    const stock = await get(`/api/vaccination/sites/${w.siteId}/stock`, staff);
    expect(stock.json().items[0]).toMatchObject({ used: 1, left: 499 });
    // the day's work is audited per person
    const audits = await sql<{ action: string }>`select action from audit_log where subject_id = ${p} order by id`.execute(t.db);
    expect(audits.rows.map((r) => r.action)).toEqual(['vaccination.scan', 'vaccination.screen', 'vaccination.dose.record', 'vaccination.observation.end', 'vaccination.aefi.record', 'vaccination.book.read_own']);
    now = new Date('2021-08-02T01:00:00Z');
  });

  it('the health book counts a booster after the primary series as its certificate does: 3/3, not 3/2', async () => {
    const p = await w.person('Võ Văn Nhắc', { birthYear: 1960 });
    for (const [n, day] of [[1, '2021-03-01'], [2, '2021-04-01'], [3, '2021-07-01']] as const)
      await sql`insert into vaccination_doses (person_id, product_code, lot_number, dose_number, series_doses, given_at, given_on, site_id, commune_code, vaccinator, observe_until)
                values (${p}, 'EU/1/20/1528', 'FF1', ${n}, 2, ${`${day}T02:00:00Z`}, ${day}, ${w.siteId}, ${w.commune}, 'BS Lan', ${`${day}T02:30:00Z`})`.execute(t.db);
    const book = await get(`/api/vaccination/book/${p}`, staff);
    expect(book.statusCode, book.body).toBe(200);
    expect(book.json().doses.map((d: { doseNumber: number; seriesDoses: number }) => `${d.doseNumber}/${d.seriesDoses}`)).toEqual(['1/2', '2/2', '3/3']);
    // and names the third a booster (the health book says "Mũi nhắc lại", not 3/3 read as the primary series)
    expect(book.json().doses.map((d: { booster: number | null }) => d.booster)).toEqual([null, null, 1]);
  });

  it('age from the full birth date: 11 years and 364 days warns under-age for a 12+ vaccine, the 12th birthday does not', async () => {
    const almost = await w.person('Mai Tròn Mười Hai', { birthDate: '2009-08-03' }); // the site day is 2021-08-02
    const twelve = await w.person('Hôm Nay Mười Hai', { birthDate: '2009-08-02' });
    const card = await send('/api/vaccination/scan', staff, { siteId: w.siteId, qr: qr(almost) });
    expect(card.json().person.age).toBe(11);
    const give = async (p: string) => send('/api/vaccination/doses', staff, { personId: p, siteId: w.siteId, lotId: w.lotId, doseNumber: 1, vaccinator: 'BS Lan', screeningId: (await screen(p)).id });
    const warned = await give(almost);
    expect(warned.statusCode).toBe(409);
    expect(warned.json().error).toMatchObject({ code: 'WARNINGS', details: [{ message: 'under-age' }] });
    expect((await give(twelve)).statusCode).toBe(201);
  });

  it('two stations recording the same dose at once: one dose, one refusal, the lot counted once, the dose audited', async () => {
    const p = await w.person('Hai Bàn Tiêm');
    const s = await screen(p);
    const used = async () => (await sql<{ used: number }>`select used from vaccine_lots where id = ${w.lotId}`.execute(t.db)).rows[0]!.used;
    const before = await used();
    const body = { personId: p, siteId: w.siteId, lotId: w.lotId, doseNumber: 1, vaccinator: 'BS Hai', screeningId: s.id };
    const both = await Promise.all([send('/api/vaccination/doses', staff, body), send('/api/vaccination/doses', staff, body)]);
    expect(both.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    expect(await used()).toBe(before + 1);
    const doses = (await sql<{ id: string }>`select id from vaccination_doses where person_id = ${p}`.execute(t.db)).rows;
    expect(doses).toHaveLength(1);
    const audited = await sql`select 1 from audit_log where action = 'vaccination.dose.record' and subject_id = ${p} and details->>'dose' = ${doses[0]!.id}`.execute(t.db);
    expect(audited.rows).toHaveLength(1);
    // the second station a moment later (the first committed before it read): the same 409, not "wrong dose number"
    const again = await send('/api/vaccination/doses', staff, body);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.details).toEqual([{ path: 'body.doseNumber', message: 'already recorded' }]);
  });

  it('screening classifies postpone and contraindicated with the rule that fired; no dose follows', async () => {
    const p = await w.person('Sốt Cao', { birthYear: 1970 });
    const s = await screen(p, { ...healthy, chronicControlled: true }, 38.2);
    expect(s).toMatchObject({ outcome: 'postpone', rules: ['fever', 'chronic-controlled'] });
    const r = await send('/api/vaccination/doses', staff, { personId: p, siteId: w.siteId, lotId: w.lotId, doseNumber: 1, vaccinator: 'X', screeningId: s.id });
    expect(r.statusCode).toBe(409);
    expect(r.json().error.code).toBe('NOT_ELIGIBLE');
    const c = await screen(p, { ...healthy, anaphylaxisToVaccine: true });
    expect(c).toMatchObject({ outcome: 'contraindicated', rules: ['anaphylaxis-to-vaccine'] });
    const noConsent = await screen(p, healthy, 36.5, false);
    expect((await send('/api/vaccination/doses', staff, { personId: p, siteId: w.siteId, lotId: w.lotId, doseNumber: 1, vaccinator: 'X', screeningId: noConsent.id })).json().error.code).toBe('NO_CONSENT');
    expect(await sql`select 1 from vaccination_doses where person_id = ${p}`.execute(t.db).then((r) => r.rows.length)).toBe(0);
  });

  it('refuses expired lots and wrong dose numbers; warns about age, mixed product and early doses', async () => {
    const p = await w.person('Cảnh Báo', { birthYear: 1950 }); // 71: over Sinopharm's 65
    const expired = (await sql<{ id: string }>`insert into vaccine_lots (site_id, product_code, lot_number, expires_on, quantity) values (${w.siteId}, 'EU/1/20/1528', 'OLD1', '2021-07-31', 10) returning id`.execute(t.db)).rows[0]!.id;
    const sino = (await send(`/api/vaccination/sites/${w.siteId}/lots`, w.cdc, { productCode: 'BBIBP-CorV', lotNumber: 'SINO1', expiresOn: '2022-01-01', quantity: 50 })).json().id;
    const s = await screen(p);
    const dose = (lotId: string, doseNumber: number, extra = {}) =>
      send('/api/vaccination/doses', staff, { personId: p, siteId: w.siteId, lotId, doseNumber, vaccinator: 'BS Hùng', screeningId: s.id, ...extra });
    const ex = await dose(expired, 1);
    expect(ex.statusCode).toBe(400);
    expect(ex.json().error).toMatchObject({ code: 'LOT_EXPIRED', details: [{ path: 'body.lotId' }] });
    expect((await dose(w.lotId, 2)).json().error.details[0].path).toBe('body.doseNumber');
    const warn = await dose(sino, 1);
    expect(warn.statusCode).toBe(409);
    expect(warn.json().error).toMatchObject({ code: 'WARNINGS', details: [{ message: 'over-age' }] });
    expect((await dose(w.lotId, 1)).statusCode).toBe(201); // Comirnaty has no upper limit
    // 10 days later, another product: too early and mixed
    now = new Date('2021-08-12T01:00:00Z');
    await sql`insert into vaccination_scans (site_id, person_id, scanned_at) values (${w.siteId}, ${p}, ${now})`.execute(t.db);
    const staff2 = await t.login('vaccination_staff', w.commune);
    const s2 = (await send('/api/vaccination/screenings', staff2, { personId: p, siteId: w.siteId, answers: healthy, temperature: 36.4, consent: true })).json();
    const second = await send('/api/vaccination/doses', staff2, { personId: p, siteId: w.siteId, lotId: sino, doseNumber: 2, vaccinator: 'BS Hùng', screeningId: s2.id });
    expect(second.json().error.details.map((d: { message: string }) => d.message)).toEqual(['over-age', 'mixed-product', 'too-early']);
    const forced = await send('/api/vaccination/doses', staff2, { personId: p, siteId: w.siteId, lotId: sino, doseNumber: 2, vaccinator: 'BS Hùng', screeningId: s2.id, acknowledgeWarnings: true });
    expect(forced.statusCode).toBe(201);
    expect(forced.json().warnings).toEqual(['over-age', 'mixed-product', 'too-early']);
    // a dose entered in error is voided by a manager: the lot gets it back, the event says so
    const v = await send(`/api/vaccination/doses/${forced.json().id}/void`, await t.login('cdc_officer', '40'), { reason: 'nhập nhầm' });
    expect(v.statusCode).toBe(200);
    await t.events.settled();
    expect(voided).toContainEqual({ doseId: forced.json().id, personId: p, reason: 'nhập nhầm' });
    expect((await sql<{ used: number }>`select used from vaccine_lots where id = ${sino}`.execute(t.db)).rows[0]!.used).toBe(0);
    now = new Date('2021-08-02T01:00:00Z');
  });

  it('refuses attackers: no session, citizen, venue operator, other province, forged QR, others ids, NUL', async () => {
    const p = await w.person('Bị Nhắm', { commune: w.otherCommune });
    staff = await t.login('vaccination_staff', w.commune);
    const scan = { siteId: w.siteId, qr: qr(p) };
    expect((await send('/api/vaccination/scan', null, scan)).statusCode).toBe(401);
    expect((await send('/api/vaccination/scan', await t.login('citizen', '40'), scan)).statusCode).toBe(403);
    expect((await send('/api/vaccination/scan', await t.login('venue_operator', '40'), scan)).statusCode).toBe(403);
    const hanoi = await t.login('vaccination_staff', '01');
    expect((await send('/api/vaccination/scan', hanoi, scan)).statusCode).toBe(403);
    const forged = await send('/api/vaccination/scan', staff, { siteId: w.siteId, qr: qr(p).slice(0, -4) + 'AAAA' });
    expect(forged.statusCode).toBe(400);
    expect(forged.json().error.code).toBe('QR_INVALID');
    expect((await send('/api/vaccination/scan', staff, { siteId: w.siteId, qr: 'HC1:NOTAPERSON' })).json().error.code).toBe('QR_INVALID');
    expect((await send('/api/vaccination/scan', staff, { siteId: w.siteId, qr: 'a\u0000b' })).statusCode).toBe(400);
    // another commune's resident not scanned here: unknown to this staff member
    expect((await get(`/api/vaccination/sites/${w.siteId}/people/${p}`, staff)).statusCode).toBe(404);
    // someone else's health book
    const other = await t.login('citizen', '40', { personId: await w.person('Tò Mò') });
    expect((await get(`/api/vaccination/book/${p}`, other)).statusCode).toBe(403);
    expect((await get(`/api/vaccination/book/${p}`, hanoi)).statusCode).toBe(403);
    // a dose of this site: another province's staff may not end its observation nor void it
    const d = (await sql<{ id: string }>`select id from vaccination_doses limit 1`.execute(t.db)).rows[0]!.id;
    expect((await send(`/api/vaccination/doses/${d}/observation`, hanoi, {})).statusCode).toBe(403);
    expect((await send(`/api/vaccination/doses/${d}/void`, staff, { reason: 'x' })).statusCode).toBe(403);
    expect((await send(`/api/vaccination/doses/${d}/aefi`, await t.login('citizen', '40'), { severity: 'mild', symptoms: ['x'], onsetAt: '2021-08-02T01:00:00Z', outcome: 'unknown' })).statusCode).toBe(403);
  });
});
