// Demo vaccination for `vigil demo` / the first `npm start`: a COVID-19 campaign in Thành phố Vinh (district 412)
// with four ward health stations as sites, lots of Comirnaty and Vaxzevria at each, daily sessions from three weeks
// ago to a week ahead, 80 registered residents, first doses over the last five weeks (second doses for those due),
// upcoming bookings (doses 1 and 2), and one AEFI. Published `vaccination.dose-recorded` events let the certificates
// module issue certificates for the demo doses. Deterministic and idempotent: nothing is added when the campaign
// exists already.
import { sql } from 'kysely';
import type { AppContext } from '../../platform/module';
import { addDays, localDay } from '../../platform/time';
import { findOrCreatePerson } from '../people';
import { addLot, createCampaign, createSession, createSite, findCampaign } from './admin';
import { book, slotInfo } from './booking';
import { register } from './registration';

const CAMPAIGN = 'Tiêm vắc xin phòng COVID-19 — Thành phố Vinh';
const SURNAMES = ['Nguyễn', 'Trần', 'Lê', 'Hồ', 'Phan', 'Thái', 'Hoàng', 'Đặng'];
const GIVEN = ['Văn Hùng', 'Thị Lan', 'Đình Nam', 'Thị Hương', 'Quang Sơn', 'Thu Trang', 'Hữu Long', 'Ngọc Mai', 'Xuân Hải', 'Thị Nga'];

export async function seedVaccinationDemo(ctx: AppContext): Promise<void> {
  const { db, config } = ctx;
  const exists = await sql`select 1 from vaccination_campaigns where name = ${CAMPAIGN}`.execute(db);
  if (exists.rows.length) return;
  const wards = (await sql<{ code: string; name: string }>`select code, name from admin_units where parent_code = '412' and level = 'commune' order by code limit 4`.execute(db)).rows;
  if (wards.length < 4) return;
  const now = config.clock();
  const today = localDay(now, config.timeZone);
  const tz = config.timeZone;
  const campaignId = await createCampaign(db, {
    name: CAMPAIGN,
    unitCode: '412',
    startsOn: addDays(today, -42),
    endsOn: addDays(today, 56),
    productCodes: ['EU/1/20/1528', 'EU/1/21/1529'],
    priorityCodes: ['g01-health', 'g02-frontline', 'g07-teachers', 'g08-chronic', 'g09-outbreak'],
  });
  const campaign = (await findCampaign(db, campaignId))!;
  const sites: { id: string; code: string; commune: string; lots: Record<string, { id: string; number: string }> }[] = [];
  for (const [i, w] of wards.entries()) {
    const code = `TYT-VINH-${i + 1}`;
    const id = await createSite(db, {
      code,
      name: `Trạm Y tế ${w.name}`,
      address: `${10 + i * 7} đường Lê Lợi, ${w.name}`,
      communeCode: w.code,
      capacityPerHour: 40,
      openingHours: [
        { days: [1, 2, 3, 4, 5, 6, 7], from: '07:30', to: '11:30' },
        { days: [1, 2, 3, 4, 5], from: '13:30', to: '16:30' },
      ],
    });
    const lots: Record<string, { id: string; number: string }> = {};
    for (const [product, number, qty] of [['EU/1/20/1528', `FF${2580 + i}`, 1200], ['EU/1/21/1529', `ABV${5810 + i}`, 600]] as const)
      lots[product] = { id: await addLot(db, id, { productCode: product, lotNumber: number, expiresOn: addDays(today, 120), quantity: qty }, today), number };
    sites.push({ id, code, commune: w.code, lots });
    for (let d = -21; d <= 7; d++) await createSession(db, campaign, id, addDays(today, d), i % 2 === 0 ? 'EU/1/20/1528' : 'EU/1/21/1529', tz);
  }
  // 80 residents of the four wards, registered (self, staff, an employer's list)
  const people: { id: string; site: (typeof sites)[number]; birthYear: number }[] = [];
  for (let n = 0; n < 80; n++) {
    const site = sites[n % 4]!;
    const birthYear = 1945 + ((n * 7) % 58);
    const p = await findOrCreatePerson(
      db,
      { fullName: `${SURNAMES[n % SURNAMES.length]} ${GIVEN[(n * 3) % GIVEN.length]}`, phone: `09${String(41_000_000 + n * 1_013).padStart(8, '0')}`, birthYear, communeCode: site.commune },
      { resolver: ctx.access.resolver, now, source: 'import', trust: 'staff' },
    );
    // over-65s (accepted on their birth year), teachers on their school's list or at a desk (vouched), self-claimed
    // teachers and outbreak-area residents (waiting for staff review)
    const priorityCode = birthYear <= 1956 ? 'g08-chronic' : n % 5 === 0 ? 'g07-teachers' : 'g09-outbreak';
    await register(db, { campaign, personId: p.id, communeCode: site.commune, priorityCode, occupation: priorityCode === 'g07-teachers' ? 'teacher' : null, channel: n % 3 === 0 ? 'bulk' : n % 3 === 1 ? 'staff' : 'self', organisation: n % 3 === 0 ? 'Trường THPT Huỳnh Thúc Kháng' : null, by: null, now });
    people.push({ id: p.id, site, birthYear });
  }
  // first doses over the last five weeks for 60 of them; second doses for those whose interval has passed
  const product = async (code: string) => (await sql<{ code: string; name: string; manufacturer_code: string; manufacturer_name: string; prophylaxis_code: string; doses_in_schedule: number; interval_days: number }>`select * from vaccine_products where code = ${code}`.execute(db)).rows[0]!;
  let firstDoseId: string | null = null;
  for (const [n, p] of people.slice(0, 60).entries()) {
    const code = sites.indexOf(p.site) % 2 === 0 ? 'EU/1/20/1528' : 'EU/1/21/1529';
    const pr = await product(code);
    const days = [-35 + (n % 33)];
    if (-days[0]! >= pr.interval_days && n % 4 !== 0) days.push(days[0]! + pr.interval_days); // a quarter drop out
    for (const [k, d] of days.entries()) {
      const day = addDays(today, d);
      if (day > today) continue;
      const givenAt = new Date(`${day}T0${2 + (n % 6)}:${String((n * 7) % 60).padStart(2, '0')}:00Z`);
      await db.transaction().execute(async (trx) => {
        const id = (
          await sql<{ id: string }>`insert into vaccination_doses (person_id, product_code, lot_id, lot_number, dose_number, series_doses, given_at, given_on, site_id, commune_code, vaccinator, observe_until, observation_ended_at, recorded_by)
            values (${p.id}, ${code}, ${p.site.lots[code]!.id}, ${p.site.lots[code]!.number}, ${k + 1}, ${pr.doses_in_schedule}, ${givenAt}, ${day}, ${p.site.id}, ${p.site.commune}, ${n % 2 ? 'ĐD Trần Thị Lan' : 'YS Nguyễn Văn Bình'},
              ${new Date(givenAt.getTime() + 1_800_000)}, ${new Date(givenAt.getTime() + 1_860_000)}, null) returning id`.execute(trx)
        ).rows[0]!.id;
        firstDoseId ??= id;
        await sql`update vaccine_lots set used = used + 1 where id = ${p.site.lots[code]!.id}`.execute(trx);
        await ctx.events.publish(trx, 'vaccination.dose-recorded', {
          doseId: id,
          personId: p.id,
          givenOn: day,
          doseNumber: k + 1,
          seriesDoses: pr.doses_in_schedule,
          product: { code: pr.code, name: pr.name, manufacturerCode: pr.manufacturer_code, manufacturerName: pr.manufacturer_name, prophylaxisCode: pr.prophylaxis_code },
          lot: p.site.lots[code]!.number,
          siteCode: p.site.code,
          communeCode: p.site.commune,
          correction: false,
        });
      });
    }
  }
  if (firstDoseId)
    await sql`insert into vaccination_aefi (dose_id, severity, symptoms, onset_at, outcome, notes) select id, 'mild', array['sốt 38°C', 'đau tại chỗ tiêm'], given_at + interval '6 hours', 'recovered', 'Hạ sốt bằng paracetamol'
      from vaccination_doses where id = ${firstDoseId}`.execute(db);
  // the other 20 book upcoming appointments
  for (const [n, p] of people.slice(60).entries()) {
    const slots = async (day: string) =>
      (await sql<{ id: string }>`select sl.id from vaccination_slots sl join vaccination_sessions se on se.id = sl.session_id where se.site_id = ${p.site.id} and se.day = ${day} order by sl.starts_at`.execute(db)).rows;
    const first = (await slots(addDays(today, 1 + (n % 6))))[n % 8];
    if (!first) continue;
    const s1 = (await slotInfo(db, first.id))!;
    await book(db, { personId: p.id, slotId: s1.id, doseNumber: 1, by: null, now }, s1, null);
  }
}
