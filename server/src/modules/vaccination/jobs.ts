// Next-dose reminders: a daily job asks the messaging module (event `messaging.requested`, purpose dose.reminder)
// to remind everyone whose next dose falls due today and has no later dose; one notice per dose (subject dose:<id>),
// so a rerun the same day sends nothing twice.
import { sql } from 'kysely';
import type { AppContext } from '../../platform/module';
import { localDay } from '../../platform/time';
import { getPersonPhones } from '../people';

export const REMINDERS_JOB = 'vaccination.reminders';

export async function sendReminders(ctx: AppContext): Promise<{ reminded: number }> {
  const today = localDay(ctx.config.clock(), ctx.config.timeZone);
  // the day the next dose falls due, written as Vietnamese papers write it (dd/mm/yyyy), not ISO
  const due = await sql<{ id: string; person_id: string; dose_number: number; product_name: string; site_name: string | null; due_on: string }>`
    select d.id, d.person_id, d.dose_number, p.name as product_name, s.name as site_name, to_char(d.given_on + p.interval_days, 'DD/MM/YYYY') as due_on
    from vaccination_doses d join vaccine_products p on p.code = d.product_code left join vaccination_sites s on s.id = d.site_id
    where d.status = 'valid' and d.dose_number < d.series_doses and d.given_on + p.interval_days <= ${today}::date
      and not exists (select 1 from vaccination_doses n where n.person_id = d.person_id and n.status = 'valid' and n.dose_number > d.dose_number)
      and not exists (select 1 from vaccination_reminders r where r.dose_id = d.id)
    limit 5000`.execute(ctx.db);
  if (!due.rows.length) return { reminded: 0 };
  const phones = new Map((await getPersonPhones(ctx.db, [...new Set(due.rows.map((r) => r.person_id))])).map((p) => [p.id, p]));
  let reminded = 0;
  await ctx.db.transaction().execute(async (trx) => {
    for (const d of due.rows) {
      await sql`insert into vaccination_reminders (dose_id, sent_on) values (${d.id}, ${today}) on conflict do nothing`.execute(trx);
      const p = phones.get(d.person_id);
      if (!p?.phone) continue;
      await ctx.events.publish(trx, 'messaging.requested', {
        purpose: 'dose.reminder',
        subject: `dose:${d.id}`,
        recipients: [{ phone: p.phone, personId: p.id, unitCode: p.communeCode, vars: { name: p.fullName } }],
        vars: { sender: 'Vigil', dose: d.dose_number + 1, date: d.due_on, site: d.site_name ?? '' },
      });
      reminded++;
    }
  });
  return { reminded };
}

export function vaccinationJobs(ctx: AppContext) {
  ctx.jobs.define({ name: REMINDERS_JOB, cron: '0 8 * * *', handler: () => sendReminders(ctx) });
}
