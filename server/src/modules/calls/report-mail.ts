// The daily report by e-mail to each province's steering committee: the figures in the message (text and HTML) and
// the Excel file attached, through the SMTP server of VIGIL_SMTP_URL, to the addresses VIGIL_CALLS_REPORT_EMAILS
// lists for the province. Only the report's figures go out (counts per unit, no person), as on the report page.
// Sent once per province and day (call_reports.emailed_at): a retried job does not send it again.
import nodemailer from 'nodemailer';
import { parseReportEmails } from '../../config';
import type { AppContext } from '../../platform/module';
import { dailyFigures, makeDailyReports, type DailyFigures } from './report';
import { LINES, reportXlsx } from './report-files';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const html = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The e-mail of one report: subject, plain text, HTML (same figures). */
export function reportMail(f: DailyFigures, unitName: string, names: Map<string, string>, link: string) {
  const subject = `Báo cáo gọi tự động ${unitName} ngày ${f.day}`;
  const units = f.byUnit.map((u) => [names.get(u.unitCode) ?? u.unitCode, u.planned, u.callsMade, u.reached, u.symptomatic] as const);
  const text = [
    `BÁO CÁO GỌI TỰ ĐỘNG HẰNG NGÀY — ${unitName}, ngày ${f.day}`,
    '',
    ...LINES.map(([k, label]) => `${label}: ${f[k] as number}`),
    '',
    'Theo đơn vị (danh sách / cuộc gọi / liên lạc được / có triệu chứng):',
    ...units.map(([n, ...v]) => `- ${n}: ${v.join(' / ')}`),
    '',
    `Chi tiết: ${link}`,
    'Tệp Excel đính kèm.',
  ].join('\n');
  const cell = (v: string | number, tag = 'td') => `<${tag} style="padding:2px 8px;border:1px solid #ccc${typeof v === 'number' ? ';text-align:right' : ''}">${html(String(v))}</${tag}>`;
  const body = [
    `<h2>Báo cáo gọi tự động hằng ngày — ${html(unitName)}, ngày ${html(f.day)}</h2>`,
    `<table style="border-collapse:collapse">${LINES.map(([k, label]) => `<tr>${cell(label)}${cell(f[k] as number)}</tr>`).join('')}</table>`,
    '<h3>Theo đơn vị</h3>',
    `<table style="border-collapse:collapse"><tr>${['Đơn vị', 'Danh sách', 'Cuộc gọi', 'Liên lạc', 'Triệu chứng'].map((h) => cell(h, 'th')).join('')}</tr>${units.map((r) => `<tr>${r.map((v) => cell(v)).join('')}</tr>`).join('')}</table>`,
    `<p><a href="${html(link)}">Xem trên Vigil</a> — tệp Excel đính kèm.</p>`,
  ].join('\n');
  return { subject, text, html: body };
}

/**
 * Transport options of VIGIL_SMTP_URL (smtp://user:pass@host:587, STARTTLS when offered; smtps://…:465), with
 * timeouts bounded so a silent server fails the job in about a minute instead of hanging it.
 */
export function smtpOptions(url: string) {
  const u = new URL(url);
  const secure = u.protocol === 'smtps:';
  return {
    host: u.hostname,
    port: Number(u.port) || (secure ? 465 : 587),
    secure,
    ...(u.username ? { auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } } : {}),
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
  };
}

export interface MailOutcome {
  sent: string[];
  skipped: string[];
  failed: { unit: string; error: string }[];
}

/**
 * E-mails `day`'s report to each province with recipients and an active campaign in its area. Without
 * VIGIL_SMTP_URL nothing is sent. Errors of one province do not stop the others; they are returned.
 */
export async function mailDailyReports(ctx: AppContext, day: string): Promise<MailOutcome> {
  const out: MailOutcome = { sent: [], skipped: [], failed: [] };
  const recipients = parseReportEmails(ctx.config.callsReportEmails);
  if (!ctx.config.smtpUrl || typeof recipients === 'string' || recipients.size === 0) return out;
  const campaignUnits = (await ctx.db.selectFrom('call_campaigns').select('unit_code').distinct().where('status', '=', 'active').execute()).map((r) => r.unit_code);
  const transport = nodemailer.createTransport(smtpOptions(ctx.config.smtpUrl));
  try {
    for (const [province, to] of recipients) {
      const scope = await ctx.access.resolver.subtreeCodes(province);
      const inArea = scope === null || campaignUnits.some((u) => scope.includes(u));
      const stored = await ctx.db.selectFrom('call_reports').select('emailed_at').where('unit_code', '=', province).where('day', '=', day).executeTakeFirst();
      if (!inArea || stored?.emailed_at) {
        out.skipped.push(province);
        continue;
      }
      try {
        const f = await dailyFigures(ctx.db, scope, province, day, ctx.config.timeZone);
        const names = new Map<string, string>();
        for (const c of [province, ...f.byUnit.map((u) => u.unitCode)]) names.set(c, (await ctx.access.resolver.unit(c))?.name ?? c);
        const unitName = names.get(province)!;
        const mail = reportMail(f, unitName, names, `${ctx.config.publicUrl}/calls/report?unit=${encodeURIComponent(province)}&day=${day}`);
        await transport.sendMail({
          from: ctx.config.smtpFrom,
          to,
          ...mail,
          attachments: [{ filename: `vigil-calls-${province}-${day}.xlsx`, content: await reportXlsx(f, unitName), contentType: XLSX_TYPE }],
        });
        const now = ctx.config.clock();
        await ctx.db
          .insertInto('call_reports')
          .values({ unit_code: province, day, figures: JSON.stringify(f), created_at: now, emailed_at: now })
          .onConflict((oc) => oc.columns(['unit_code', 'day']).doUpdateSet({ emailed_at: now }))
          .execute();
        out.sent.push(province);
      } catch (e) {
        // the server's answer, never the addresses or figures
        out.failed.push({ unit: province, error: (e as Error).message });
      }
    }
  } finally {
    transport.close();
  }
  return out;
}

/**
 * The day's reports made and stored; with `send`, sent by SMS (alert phones) and e-mailed (steering committees).
 * A province whose mail failed fails the whole (the job is retried; provinces already e-mailed are not again).
 */
export async function makeAndSendReports(ctx: AppContext, day: string, o: { send: boolean }) {
  const made = await makeDailyReports(ctx, day, o);
  if (!o.send) return { ...made, mail: null };
  const mail = await mailDailyReports(ctx, day);
  if (mail.failed.length) throw new Error(`daily report e-mail failed for ${mail.failed.map((x) => `${x.unit} (${x.error})`).join(', ')}`);
  return { ...made, mail };
}
