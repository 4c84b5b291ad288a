// Next-dose reminders (the daily job vaccination.reminders): once the interval after a dose has passed, the person
// gets one SMS through the messaging module naming the dose and the day in Vietnamese form (dd/mm/yyyy); a rerun the
// same day or the next sends nothing twice. (Found untested in the session-5 review; the day was ISO in the SMS.)
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type TestContext } from '../../../test/helpers';
import { personalQrToken } from '../people';
import { sendReminders } from './jobs';
import { vaccWorld, type VaccWorld } from './test-fixtures';

let t: TestContext;
let w: VaccWorld;
let now = new Date('2021-08-02T01:00:00Z'); // 08:00 local
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

beforeAll(async () => {
  t = await testContext({ clock: () => now });
  w = await vaccWorld(t, '2021-08-02');
});
afterAll(() => t?.close());

describe('next-dose reminders', () => {
  it('reminds once when the interval has passed, with the day as dd/mm/yyyy', async () => {
    const staff = await t.login('vaccination_staff', '40');
    const send = async (url: string, payload: object) => {
      const r = await t.app.inject({ method: 'POST', url, headers: staff.headers, payload });
      expect(r.statusCode, r.body).toBeLessThan(300);
      return r.json();
    };
    const p = await w.person('Hồ Thị Nhắc', { phone: '+84913777001', birthYear: 1980 });
    await send('/api/vaccination/scan', { siteId: w.siteId, qr: personalQrToken(t.app.vigil.keys, p) });
    const s = await send('/api/vaccination/screenings', { personId: p, siteId: w.siteId, answers: healthy, temperature: 36.5, consent: true });
    await send('/api/vaccination/doses', { personId: p, siteId: w.siteId, lotId: w.lotId, doseNumber: 1, vaccinator: 'ĐD Lan', screeningId: s.id });
    // Comirnaty: 21 days; the day before, nothing
    now = new Date('2021-08-22T01:00:00Z');
    expect(await sendReminders(t.app.vigil)).toEqual({ reminded: 0 });
    now = new Date('2021-08-23T01:00:00Z');
    expect(await sendReminders(t.app.vigil)).toEqual({ reminded: 1 });
    await t.events.settled();
    const sms = (await sql<{ body: string; recipient: string }>`select body, recipient from notifications where purpose = 'dose.reminder'`.execute(t.db)).rows;
    expect(sms).toHaveLength(1);
    expect(sms[0]!.recipient).toBe('+84913777001');
    expect(sms[0]!.body).toContain('mũi 2');
    expect(sms[0]!.body).toContain('23/08/2021');
    expect(sms[0]!.body).not.toContain('2021-08-23');
    now = new Date('2021-08-24T01:00:00Z');
    expect(await sendReminders(t.app.vigil)).toEqual({ reminded: 0 });
  });
});
