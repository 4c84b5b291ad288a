// Answers to the standard forms as the server checks them (issue 14): a temperature has at most one decimal and
// stays within 34–43 °C whatever the page sent, and the venue form's purposes of visit follow the kind of venue
// declared at (treatment and patient visits only at hospitals and clinics).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type LoggedIn, type TestContext } from '../../../test/helpers';
import { STANDARD_FORMS } from './index';

let t: TestContext;
let cdc: LoggedIn;
let admin: LoggedIn; // national forms are changed by national admins only
let commune: string;
let seq = 0;

const person = () => ({ fullName: `Trần Thị Nhiệt ${++seq}`, phone: `09${String(31_000_000 + seq * 7919).slice(-8)}`, birthYear: 1985, communeCode: commune });
const venueAnswers = { fever: false, cough: false, shortness_of_breath: false, sore_throat: false, loss_of_taste_smell: false, contact_f0: false, contact_from_outbreak: false, travel_14d: false };
const declare = (payload: Record<string, unknown>) => t.app.inject({ method: 'POST', url: '/api/public/declarations', payload: { formKey: 'venue', formVersion: 1, person: person(), ...payload } });

async function venueQr(type: string, name: string): Promise<string> {
  const created = await t.app.inject({ method: 'POST', url: '/api/venues', headers: cdc.headers, payload: { name, type, address: '1 Lê Mao', communeCode: commune } });
  expect(created.statusCode, created.body).toBe(201);
  return created.json().entrances[0].checkinUrl as string;
}

beforeAll(async () => {
  t = await testContext();
  cdc = await t.login('cdc_officer', '40');
  admin = await t.login('national_admin');
  commune = (await t.db.selectFrom('admin_units').select('code').where('level', '=', 'commune').where('path', 'like', '/VN/40/%').orderBy('code').executeTakeFirstOrThrow()).code;
});
afterAll(async () => {
  await t?.close();
});

describe('temperature', () => {
  it('takes one decimal within 34–43 °C; 38.5 is stored as 38.5 and flags the declaration', async () => {
    const ok = await declare({ answers: { ...venueAnswers, visit_purpose: 'work', temperature: 38.5 } });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().declaration.followUp).toBe(true);
    const row = await t.db.selectFrom('declarations').select(['answers', 'flagged']).where('id', '=', ok.json().declaration.id).executeTakeFirstOrThrow();
    expect(row.answers).toMatchObject({ temperature: 38.5 });
    expect(row.flagged).toBe(true);

    for (const [temperature, message] of [
      [38.55, 'must have at most 1 digit after the decimal point'],
      [43.5, 'must be at most 43'],
      [33.9, 'must be at least 34'],
      ['38,5', 'must be a number'],
    ] as const) {
      const bad = await declare({ answers: { ...venueAnswers, visit_purpose: 'work', temperature } });
      expect(bad.statusCode, String(temperature)).toBe(400);
      expect(bad.json().error.details).toContainEqual({ path: 'body.answers.temperature', message });
    }
    expect(await t.db.selectFrom('declarations').select('id').execute()).toHaveLength(1);
  });

  it('the served forms carry the rule (decimals: 1), as the standard forms define it', async () => {
    for (const key of ['domestic', 'venue'] as const) {
      const res = await t.app.inject({ method: 'GET', url: `/api/public/declaration-forms/${key}` });
      const q = res.json().form.questions.find((x: { key: string }) => x.key === 'temperature');
      expect(q, key).toMatchObject({ type: 'number', min: 34, max: 43, decimals: 1 });
    }
    const venue = await t.app.inject({ method: 'GET', url: '/api/public/declaration-forms/venue' });
    expect(venue.json().form.questions).toEqual(STANDARD_FORMS.venue.questions);
  });

  it('a form definition with decimals on a non-number question is refused, naming it', async () => {
    const def = { ...STANDARD_FORMS.domestic, questions: [...STANDARD_FORMS.domestic.questions, { key: 'note', type: 'text', decimals: 1, label: { vi: 'Ghi chú', en: 'Note' } }] };
    const res = await t.app.inject({ method: 'PUT', url: '/api/declarations/forms/domestic', headers: admin.headers, payload: def });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].path).toMatch(/^body\.questions\.\d+\.decimals$/);
  });
});

describe('purposes of visit follow the venue', () => {
  it('treatment only at hospitals and clinics; shopping at a market; work and other everywhere', async () => {
    const hospital = await venueQr('hospital', 'Bệnh viện Hữu nghị Đa khoa Nghệ An');
    const market = await venueQr('market', 'Chợ Vinh');
    expect((await declare({ venueToken: hospital, answers: { ...venueAnswers, visit_purpose: 'treatment' } })).statusCode).toBe(201);
    const atMarket = await declare({ venueToken: market, answers: { ...venueAnswers, visit_purpose: 'treatment' } });
    expect(atMarket.statusCode).toBe(400);
    expect(atMarket.json().error.details[0]).toMatchObject({ path: 'body.answers.visit_purpose' });
    expect(atMarket.json().error.details[0].message).not.toContain('treatment');
    expect((await declare({ venueToken: market, answers: { ...venueAnswers, visit_purpose: 'customer' } })).statusCode).toBe(201);
    expect((await declare({ venueToken: hospital, answers: { ...venueAnswers, visit_purpose: 'customer' } })).statusCode).toBe(400);
    for (const qr of [hospital, market]) expect((await declare({ venueToken: qr, answers: { ...venueAnswers, visit_purpose: 'work' } })).statusCode).toBe(201);
    // no venue named: the form's every purpose is possible
    expect((await declare({ answers: { ...venueAnswers, visit_purpose: 'treatment' } })).statusCode).toBe(201);
  });

  it('an option limited to an unknown venue type is refused in a form definition', async () => {
    const def = structuredClone(STANDARD_FORMS.venue);
    def.questions[0]!.options![0]!.venueTypes = ['hospital', 'spaceport'];
    const res = await t.app.inject({ method: 'PUT', url: '/api/declarations/forms/venue', headers: admin.headers, payload: def });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0]).toMatchObject({ path: 'body.questions.0.options.0.venueTypes' });
  });
});
