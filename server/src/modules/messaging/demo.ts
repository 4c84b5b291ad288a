// Demo data: a living province's messages. Idempotent (keyed by recipient + purpose + subject, campaign names).
import { sql } from 'kysely';
import type { AppContext } from '../../platform/module';
import { enqueue } from './centre';

const DEMO_PHONES = ['+84912000101', '+84912000102', '+84912000103', '+84912000104', '+84912000105', '+84912000106', '+84912000107', '+84912000108'];

export async function seedMessagingDemo(ctx: AppContext): Promise<void> {
  const db = ctx.db;
  const now = ctx.config.clock();
  const ward = await db.selectFrom('admin_units').select(['code', 'name']).where('level', '=', 'commune').where('parent_code', '=', '412').orderBy('code').executeTakeFirst();
  const unit = ward?.code ?? '40';
  const exists = await db.selectFrom('sms_campaigns').select('id').where('name', '=', 'Nhắc cài đặt ứng dụng PC-Covid').executeTakeFirst();
  if (exists) return;
  await db.transaction().execute(async (trx) => {
    // three days of warnings and reminders with their outcomes
    for (let d = 2; d >= 0; d--) {
      const day = new Date(now.getTime() - d * 86400_000);
      await enqueue(trx, {
        purpose: 'contact.warning',
        subject: `demo-case-${d}`,
        recipients: DEMO_PHONES.slice(d, d + 4).map((phone) => ({ phone, unitCode: unit })),
        vars: { sender: 'So Y te Nghe An', place: 'Chợ Vinh', date: day.toISOString().slice(0, 10), until: new Date(day.getTime() + 14 * 86400_000).toISOString().slice(0, 10), hotline: '1900 9095' },
      });
      await sql`update notifications set created_at = ${day}, status = case when recipient like '%3' then 'failed' else 'delivered' end,
          error = case when recipient like '%3' then 'receipt: UNDELIV err:001' else null end, sent_at = ${day}, final_at = ${day}, parts = 2, provider = 'console', attempts = 1
        where subject = ${`demo-case-${d}`} and purpose = 'contact.warning'`.execute(trx);
    }
    const c = await trx
      .insertInto('sms_campaigns')
      .values({
        name: 'Nhắc cài đặt ứng dụng PC-Covid',
        text_vi: 'Sở Y tế Nghệ An: Hãy cài đặt PC-Covid và quét mã QR khi đến nơi công cộng để được báo khi tiếp xúc với ca bệnh.',
        text_en: null,
        source: 'list',
        filter: JSON.stringify({ rows: DEMO_PHONES.length }),
        unit_code: unit,
        status: 'done',
        scheduled_at: new Date(now.getTime() - 86400_000),
        started_at: new Date(now.getTime() - 86400_000),
        finished_at: new Date(now.getTime() - 86000_000),
        recipients: DEMO_PHONES.length,
        created_by: null,
        created_by_username: 'cdc.nghean',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await enqueue(trx, {
      purpose: 'campaign',
      subject: `campaign:${c.id}`,
      campaignId: String(c.id),
      recipients: DEMO_PHONES.map((phone) => ({ phone, unitCode: unit, vars: { text: 'Sở Y tế Nghệ An: Hãy cài đặt PC-Covid và quét mã QR khi đến nơi công cộng.' } })),
    });
    await sql`update notifications set status = 'delivered', sent_at = created_at, final_at = created_at, parts = 2, provider = 'console', attempts = 1 where campaign_id = ${c.id}`.execute(trx);
    await trx
      .insertInto('sms_campaigns')
      .values({
        name: 'Nhắc tiêm mũi 2 (phường)',
        text_vi: 'Sở Y tế Nghệ An: {name} ơi, đã đến hẹn tiêm mũi 2. Mời đến trạm y tế phường từ 7h30.',
        text_en: null,
        source: 'commune_residents',
        filter: JSON.stringify({ kind: 'commune_residents', communeCode: unit }),
        unit_code: unit,
        scheduled_at: new Date(now.getTime() + 2 * 86400_000),
        started_at: null,
        finished_at: null,
        created_by: null,
        created_by_username: 'cdc.nghean',
      })
      .execute();
    await trx.insertInto('sms_opt_outs').values({ phone: '+84912000108', source: 'sms', reason: 'STOP', unit_code: null, created_by: null, created_by_username: null }).onConflict((oc) => oc.column('phone').doNothing()).execute();
  });
}
