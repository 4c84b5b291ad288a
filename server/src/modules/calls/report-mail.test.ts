// The daily report by e-mail, against a real SMTP server on loopback (npm smtp-server, in this process): the
// operator's `vigil calls report <day>` sends each province's steering committee the figures and the Excel file;
// the mail holds counts only; a province without a campaign gets none; a retried run does not send twice; an
// unreachable SMTP server fails the run (and the province is sent on the next one); bad recipient lists are refused.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type TestContext } from '../../../test/helpers';
import { loadConfig, parseReportEmails } from '../../config';
import { localTime } from '../../platform/time';
import { acceleratedClock } from './clock';
import { runCampaignDay } from './dialer';
import { mailDailyReports, makeAndSendReports, smtpOptions } from './report-mail';
import { prepareDay } from './service';
import { silentRenderer } from './sim-render';
import { FEVERISH, SimulatedProvider, WELL } from './simulated';
import { createCampaign, saveScript } from './store';
import { dialerDeps, HEALTH_CHECK, monitoredContacts, vinhCommune } from './test-fixtures';

const run = promisify(execFile);
const VIGIL = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../bin/vigil.js');
const DAY = '2026-11-20';
const RECIPIENTS = '40=bcd@nghean.gov.vn, thuongtruc@nghean.gov.vn; 01=bcd@hanoi.gov.vn';
let t: TestContext;
let smtp: SMTPServer;
let smtpUrl: string;
const received: { from: string; to: string[]; user: string | null; mail: ParsedMail }[] = [];

beforeAll(async () => {
  smtp = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, cb) {
      if (auth.username === 'vigil' && auth.password === 's3cret') return cb(null, { user: auth.username });
      cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      simpleParser(stream)
        .then((mail) => {
          received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), user: (session.user as string | undefined) ?? null, mail });
          cb();
        })
        .catch(cb);
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
  smtpUrl = `smtp://vigil:s3cret@127.0.0.1:${(smtp.server.address() as { port: number }).port}`;
  t = await testContext({ clock: () => localTime(DAY, '19:00', 'Asia/Ho_Chi_Minh'), config: { smtpUrl, smtpFrom: 'Vigil Nghệ An <vigil@nghean.gov.vn>', callsReportEmails: RECIPIENTS } });
  const commune = await vinhCommune(t.db);
  const scriptId = (await saveScript(t.db, { unitCode: '40', script: HEALTH_CHECK, userId: null })).id;
  const people = [
    { name: 'Trần Khỏe Mạnh', phone: '+84912660001' },
    { name: 'Lê Thị Sốt', phone: '+84912660002' },
  ];
  await monitoredContacts(t.db, commune, DAY, people);
  const c = await createCampaign(t.db, { name: 'F1/F2 Vinh', unitCode: '40', scriptId, audience: 'monitoring' } as never, null);
  await prepareDay(t.app.vigil, c, DAY);
  const clock = acceleratedClock(localTime(DAY, '08:00', 'Asia/Ho_Chi_Minh'), 3000);
  const personas = new Map([[people[0]!.phone, WELL], [people[1]!.phone, FEVERISH]]);
  await runCampaignDay(dialerDeps(t.app.vigil, new SimulatedProvider({ clock, personas }), clock, silentRenderer), c.id, DAY);
}, 120_000);
afterAll(async () => {
  await t?.close();
  await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
});

describe('daily report by e-mail', () => {
  it('`vigil calls report <day>` e-mails the province’s steering committee the figures and the Excel file', async () => {
    const r = await run(process.execPath, [VIGIL, 'calls', 'report', DAY, '--json'], {
      env: { ...process.env, LOG_LEVEL: 'silent', DATABASE_URL: t.config.databaseUrl!, VIGIL_PUBLIC_URL: 'http://vigil.test', VIGIL_SMTP_URL: smtpUrl, VIGIL_SMTP_FROM: 'Vigil Nghệ An <vigil@nghean.gov.vn>', VIGIL_CALLS_REPORT_EMAILS: RECIPIENTS },
      timeout: 180_000,
    });
    expect(JSON.parse(r.stdout)).toEqual([expect.objectContaining({ unitCode: '40', reached: 2, symptomatic: 1 })]);
    // one message, to Nghệ An's two addresses (Hà Nội runs no campaign: no mail), authenticated, from the sender set
    expect(received).toHaveLength(1);
    const [m] = received;
    expect(m!.user).toBe('vigil');
    expect(m!.from).toBe('vigil@nghean.gov.vn');
    expect(m!.to.sort()).toEqual(['bcd@nghean.gov.vn', 'thuongtruc@nghean.gov.vn']);
    expect(m!.mail.subject).toBe(`Báo cáo gọi tự động Nghệ An ngày ${DAY}`);
    expect(m!.mail.text).toContain('Người đã liên lạc được: 2');
    expect(m!.mail.text).toContain('Người có triệu chứng: 1');
    expect(m!.mail.text).toContain(`http://vigil.test/calls/report?unit=40&day=${DAY}`);
    expect(m!.mail.html).toContain('<h2>Báo cáo gọi tự động hằng ngày — Nghệ An');
    // counts only: no person's name or number in the message or the file
    const all = `${m!.mail.text}${m!.mail.html}`;
    for (const personal of ['Lê Thị Sốt', 'Trần Khỏe Mạnh', '912660001', '912660002']) expect(all).not.toContain(personal);
    // the Excel attachment opens and carries the same figures
    expect(m!.mail.attachments).toHaveLength(1);
    const att = m!.mail.attachments[0]!;
    expect(att.filename).toBe(`vigil-calls-40-${DAY}.xlsx`);
    expect(att.contentType).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(att.content as unknown as ArrayBuffer);
    const rows = new Map<string, unknown>();
    wb.getWorksheet('Báo cáo')!.eachRow((row) => rows.set(String(row.getCell(1).value), row.getCell(2).value));
    expect(rows.get('Người có triệu chứng')).toBe(1);
    expect(rows.get('Người đã liên lạc được')).toBe(2);
    const cells: string[] = [];
    wb.eachSheet((ws) => ws.eachRow((row) => row.eachCell((c) => cells.push(String(c.value)))));
    expect(cells.join(' ')).not.toContain('Sốt');
    const stored = await t.db.selectFrom('call_reports').select(['emailed_at', 'sent_at']).where('unit_code', '=', '40').where('day', '=', DAY).executeTakeFirstOrThrow();
    expect(stored.emailed_at).not.toBeNull();
  }, 240_000);

  it('a retried job does not e-mail the same day twice', async () => {
    const r = await makeAndSendReports(t.app.vigil, DAY, { send: true });
    expect(r.mail).toEqual({ sent: [], skipped: ['40', '01'], failed: [] });
    expect(received).toHaveLength(1);
  });

  it('an unreachable SMTP server fails the run without marking the report sent; the next run sends it', async () => {
    await t.db.updateTable('call_reports').set({ emailed_at: null }).where('unit_code', '=', '40').execute();
    const down = { ...t.app.vigil, config: { ...t.app.vigil.config, smtpUrl: 'smtp://127.0.0.1:1' } };
    const r = await mailDailyReports(down, DAY);
    expect(r.sent).toEqual([]);
    expect(r.failed).toEqual([{ unit: '40', error: expect.stringMatching(/ECONNREFUSED/) }]);
    await expect(makeAndSendReports(down, DAY, { send: true })).rejects.toThrow(/e-mail failed for 40/);
    expect(received).toHaveLength(1);
    expect((await mailDailyReports(t.app.vigil, DAY)).sent).toEqual(['40']);
    expect(received).toHaveLength(2);
  }, 60_000);

  it('reads VIGIL_SMTP_URL: TLS for smtps, default ports, escaped credentials, bounded timeouts', () => {
    expect(smtpOptions('smtps://bcd%40nghean.gov.vn:p%40ss%3Aword@mail.nghean.gov.vn')).toMatchObject({ host: 'mail.nghean.gov.vn', port: 465, secure: true, auth: { user: 'bcd@nghean.gov.vn', pass: 'p@ss:word' } });
    expect(smtpOptions('smtp://relay.local')).toMatchObject({ host: 'relay.local', port: 587, secure: false, socketTimeout: 60_000 });
    expect(smtpOptions('smtp://relay.local')).not.toHaveProperty('auth');
  });

  it('refuses a recipient list that is not UNIT=address,…, naming the variable', () => {
    expect(parseReportEmails('40=a@b.vn,c@d.vn;42=e@f.vn')).toEqual(new Map([['40', ['a@b.vn', 'c@d.vn']], ['42', ['e@f.vn']]]));
    expect(parseReportEmails('')).toEqual(new Map());
    expect(parseReportEmails('40=not-an-address')).toMatch(/"not-an-address" is not an e-mail address/);
    expect(parseReportEmails('a@b.vn')).toMatch(/is not UNIT=address/);
    expect(() => loadConfig({ VIGIL_CALLS_REPORT_EMAILS: '40=a@b.vn;42=' } as NodeJS.ProcessEnv)).toThrow(/VIGIL_CALLS_REPORT_EMAILS/);
    expect(() => loadConfig({ VIGIL_SMTP_URL: 'http://mail' } as NodeJS.ProcessEnv)).toThrow(/VIGIL_SMTP_URL/);
  });
});
