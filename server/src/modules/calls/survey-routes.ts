// The survey by SMS link (mode fallback): a small server-rendered page (works on any phone browser, no script)
// with the campaign script's yes/no questions; answered once, it counts as the day's completed call.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { AppContext } from '../../platform/module';
import { YES } from './answers';
import { recordSurvey } from './results';
import type { CallScript } from './types';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title: string, body: string) =>
  `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title>` +
  `<style>body{font:16px/1.5 system-ui,sans-serif;margin:0;padding:16px;color:#16202c;max-width:560px}h1{font-size:20px}fieldset{border:1px solid #d0d5dd;border-radius:8px;margin:0 0 12px;padding:8px 12px}label{margin-right:16px}button{font-size:18px;padding:10px 20px;border:0;border-radius:8px;background:#1570ef;color:#fff}</style></head><body>${body}</body></html>`;

/** The yes/no questions a person answers on the page: the script's single-key questions after the identity check. */
export function surveyQuestions(script: CallScript): { field: string; text: string }[] {
  return Object.values(script.states)
    .filter((s): s is Extract<CallScript['states'][string], { kind: 'ask' }> => s.kind === 'ask' && !s.terminator && s.digits.includes('1') && s.digits.includes('2') && s.field !== 'identity')
    .map((s) => ({ field: s.field, text: s.text.replace(/\s*(Bấm|Press)\b.*$/i, '') }));
}

const Token = Type.Object({ token: Type.String({ pattern: '^[A-Za-z0-9_-]{22}$' }) });

export async function surveyRoutes(fastify: FastifyInstance, ctx: AppContext) {
  await fastify.register(async (scoped) => {
    if (!scoped.hasContentTypeParser('application/x-www-form-urlencoded'))
      scoped.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))));
    const find = async (token: string) => {
      const row = await ctx.db.selectFrom('call_daily as d').innerJoin('call_campaigns as c', 'c.id', 'd.campaign_id').innerJoin('call_scripts as s', 's.id', 'c.script_id')
        .select(['d.id', 'd.person_id', 'd.phone', 'd.full_name', 'd.unit_code', 'd.day', 'd.status', 'c.id as campaign_id', 'c.unit_code as campaign_unit', 'c.alert_phones', 's.body'])
        .where('d.survey_token', '=', token).executeTakeFirst();
      return row;
    };
    const gone = page('Khảo sát', '<h1>Liên kết không còn hiệu lực</h1><p>Liên kết đã được dùng hoặc không đúng. Nếu bạn có sốt, ho, khó thở, hãy gọi đường dây nóng của trạm y tế.</p>');
    const limits = { rateLimit: { max: 30, timeWindow: '1 minute' } };

    scoped.get('/khao-sat/:token', { config: { public: true, ...limits }, schema: { hide: true, params: Token } }, async (req, reply) => {
      const row = await find((req.params as { token: string }).token);
      reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
      if (!row || row.status === 'completed') return reply.code(404).send(gone);
      const qs = surveyQuestions(row.body as CallScript);
      const fields = qs.map((q) => `<fieldset><legend>${esc(q.text)}</legend><label><input type="radio" name="${esc(q.field)}" value="1" required> Có</label><label><input type="radio" name="${esc(q.field)}" value="2"> Không</label></fieldset>`).join('');
      return reply.send(page('Khảo sát sức khỏe', `<h1>Khảo sát sức khỏe hằng ngày</h1><p>Ngày ${esc(row.day)}</p><form method="post">${fields}<button type="submit">Gửi</button></form>`));
    });

    scoped.post('/khao-sat/:token', { config: { public: true, ...limits }, bodyLimit: 16 * 1024, schema: { hide: true, params: Token } }, async (req, reply) => {
      reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
      const row = await find((req.params as { token: string }).token);
      if (!row || row.status === 'completed') return reply.code(404).send(gone);
      const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
      const answers: Record<string, string> = {};
      const missing: string[] = [];
      for (const q of surveyQuestions(row.body as CallScript)) {
        const v = body[q.field];
        if (v === YES || v === '2') answers[q.field] = v;
        else missing.push(q.text);
      }
      if (missing.length) return reply.code(400).send(page('Khảo sát', `<h1>Vui lòng trả lời mọi câu hỏi</h1><p>${missing.map(esc).join('<br>')}</p><p><a href="">Quay lại</a></p>`));
      const now = ctx.config.clock();
      const done = await ctx.db.transaction().execute(async (trx) => {
        const claimed = await trx.updateTable('call_daily').set({ status: 'completed', completed_at: now, answers: JSON.stringify(answers), survey_token: null, updated_at: now }).where('id', '=', row.id).where('status', '!=', 'completed').returning('id').executeTakeFirst();
        if (!claimed) return false;
        const a = await recordSurvey(trx, { events: ctx.events, publicUrl: ctx.config.publicUrl }, { personId: row.person_id, phone: row.phone, fullName: row.full_name, unitCode: row.unit_code ?? row.campaign_unit, campaignId: row.campaign_id }, { answers, day: row.day, at: now, source: 'sms', alertPhones: row.alert_phones });
        await trx.updateTable('call_daily').set({ symptomatic: a.symptomatic }).where('id', '=', row.id).execute();
        return true;
      });
      if (!done) return reply.code(404).send(gone);
      return reply.send(page('Cảm ơn', '<h1>Cảm ơn bạn đã trả lời</h1><p>Nếu có sốt, ho, khó thở, hãy gọi ngay trạm y tế.</p>'));
    });
  });
}
