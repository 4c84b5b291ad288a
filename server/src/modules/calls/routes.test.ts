// HTTP round trips of the calls module: scripts (checked on save, naming the state), campaigns (create, run, list
// upload with per-row phone errors, dashboard), lists, report files, the SMS survey page, manual calls — and the
// refusals: no session, a citizen, a venue operator, another province's officer, others' ids, NUL bytes, huge bodies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type LoggedIn, type TestContext } from '../../../test/helpers';
import { localTime } from '../../platform/time';
import { HEALTH_CHECK, monitoredContacts, vinhCommune } from './test-fixtures';
import type { CallScript } from './types';

const DAY = '2026-11-20';
let t: TestContext;
let cdc: LoggedIn;
let hanoi: LoggedIn;
let citizen: LoggedIn;
let operator: LoggedIn;
let supervisor: LoggedIn;
let commune: string;
let scriptId: string;
let campaignId: string;

const inject = (method: 'GET' | 'POST' | 'PUT', url: string, who?: LoggedIn, payload?: unknown, headers: Record<string, string> = {}) =>
  t.app.inject({ method, url, headers: { ...(who?.headers ?? { 'x-requested-with': 'vigil' }), ...headers }, payload: payload as never });

beforeAll(async () => {
  t = await testContext({ clock: () => localTime(DAY, '07:00', 'Asia/Ho_Chi_Minh') });
  commune = await vinhCommune(t.db);
  cdc = await t.login('cdc_officer', '40');
  supervisor = await t.login('call_supervisor', '40');
  hanoi = await t.login('cdc_officer', '01');
  citizen = await t.login('citizen', '40');
  operator = await t.login('venue_operator', '40');
}, 60_000);
afterAll(() => t?.close());

describe('calls routes', () => {
  it('refuses scripts that cannot run, naming the state', async () => {
    const broken = (states: Record<string, unknown>) => ({ unitCode: '40', script: { ...HEALTH_CHECK, states: { ...HEALTH_CHECK.states, ...states } } });
    let res = await inject('POST', '/api/calls/scripts', cdc, broken({ orphan: { kind: 'end', outcome: 'completed' } }));
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0]).toMatchObject({ path: 'body.script.states.orphan' });
    expect(res.json().error.message).toContain('"orphan" cannot be reached');
    res = await inject('POST', '/api/calls/scripts', cdc, broken({ done: { kind: 'say', text: 'Again', next: 'loop' }, loop: { kind: 'say', text: 'And again', next: 'done' } }));
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/loop without exit/);
    res = await inject('POST', '/api/calls/scripts', cdc, broken({ identity: { ...HEALTH_CHECK.states.identity, branches: { '1': 'fever' } } }));
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0]).toMatchObject({ path: 'body.script.states.identity.branches', message: expect.stringContaining('key "2" has no branch') });
    res = await inject('POST', '/api/calls/scripts', cdc, broken({ fever: { ...HEALTH_CHECK.states.fever, noInput: 'nowhere' } }));
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].path).toBe('body.script.states.fever.noInput');
    // the editor's check says the same without saving
    res = await inject('POST', '/api/calls/scripts/check', cdc, { script: broken({ orphan: { kind: 'end', outcome: 'completed' } }).script });
    expect(res.json().problems[0].path).toBe('body.script.states.orphan');
  });

  it('saves a script and creates and runs an F1/F2 campaign', async () => {
    let res = await inject('POST', '/api/calls/scripts', supervisor, { unitCode: '40', script: HEALTH_CHECK });
    expect(res.statusCode).toBe(201);
    scriptId = res.json().id;
    await monitoredContacts(t.db, commune, DAY, [{ name: 'Ngô An', phone: '+84912555001' }, { name: 'Ngô Bình', phone: '+84912555002', level: 2 }]);
    res = await inject('POST', '/api/calls/campaigns', cdc, { name: 'F1/F2 Vinh', unitCode: '40', scriptId, audience: 'monitoring', alertPhones: ['0912999111'] });
    expect(res.statusCode).toBe(201);
    campaignId = res.json().id;
    expect(res.json()).toMatchObject({ windowStart: '08:00', windowEnd: '17:00', retryBusyMinutes: 10, retryNoAnswerMinutes: 30 });
    res = await inject('POST', `/api/calls/campaigns/${campaignId}/run`, cdc, {});
    expect(res.json()).toMatchObject({ day: DAY, created: 2, members: 2 });
    res = await inject('POST', `/api/calls/campaigns/${campaignId}/run`, cdc, {});
    expect(res.json()).toMatchObject({ created: 0 });
    res = await inject('GET', `/api/calls/campaigns/${campaignId}/dashboard`, supervisor);
    expect(res.json()).toMatchObject({ planned: 2, queued: 2, completed: 0 });
    res = await inject('GET', `/api/calls/campaigns/${campaignId}/calls`, supervisor);
    expect(res.json().items.map((x: { fullName: string }) => x.fullName).sort()).toEqual(['Ngô An', 'Ngô Bình']);
    const audit = await t.db.selectFrom('audit_log' as never).selectAll().where('action' as never, '=', 'calls.calls_read' as never).execute();
    expect(audit.length).toBe(1);
  });

  it('takes an uploaded list and reports bad phones per row', async () => {
    let res = await inject('POST', '/api/calls/campaigns', cdc, { name: 'Người về từ vùng dịch', unitCode: '40', scriptId, audience: 'list' });
    const id = res.json().id;
    const csv = 'full_name,phone\nLê Văn Một,0912 345 678\nTrần Hai,12345\nPhạm Ba,09123abc\nLê Văn Một lặp,0912345678\n';
    res = await inject('POST', `/api/calls/campaigns/${id}/list`, cdc, csv, { 'content-type': 'text/csv' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ total: 4, accepted: 1 });
    expect(res.json().errors).toEqual([
      { line: 3, path: 'phone', message: expect.stringContaining('too short') },
      { line: 4, path: 'phone', message: expect.stringContaining('not a phone number') },
      { line: 5, path: 'phone', message: 'the same phone is on an earlier line' },
    ]);
    // a monitoring campaign takes no list
    res = await inject('POST', `/api/calls/campaigns/${campaignId}/list`, cdc, csv, { 'content-type': 'text/csv' });
    expect(res.statusCode).toBe(400);
  });

  it('serves the report as figures, Excel and PDF', async () => {
    let res = await inject('GET', `/api/calls/report?unit=40&day=${DAY}`, cdc);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ unitCode: '40', day: DAY, planned: 2, reached: 0 });
    res = await inject('GET', `/api/calls/report.xlsx?unit=40&day=${DAY}`, cdc);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    expect(res.rawPayload.subarray(0, 2).toString()).toBe('PK');
    res = await inject('GET', `/api/calls/report.pdf?unit=40&day=${DAY}`, cdc);
    expect(res.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect(res.rawPayload.toString('latin1')).toMatch(/BeVietnamPro/);
  });

  it('renders a prompt preview with the TTS as a WAV, for script editors only', async () => {
    const res = await inject('POST', '/api/calls/preview', supervisor, { text: 'Có phải bạn là {name} không? Bấm phím 1.', language: 'vi' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('audio/wav');
    expect(res.rawPayload.subarray(0, 4).toString()).toBe('RIFF');
    // 16-bit PCM at 8 kHz: more than a second of speech
    expect(res.rawPayload.length).toBeGreaterThan(44 + 16000);
    expect((await inject('POST', '/api/calls/preview', citizen, { text: 'x', language: 'vi' })).statusCode).toBe(403);
    expect((await inject('POST', '/api/calls/preview', cdc, { text: 'x', language: 'vi', voice: '--help' })).statusCode).toBe(400);
  });

  it('refuses callers without a session, citizens, venue operators and other provinces', async () => {
    for (const who of [undefined, citizen, operator]) {
      expect((await inject('GET', '/api/calls/campaigns', who)).statusCode).toBe(who ? 403 : 401);
      expect((await inject('GET', '/api/calls/lists/symptomatic', who)).statusCode).toBe(who ? 403 : 401);
      expect((await inject('POST', '/api/calls/scripts', who, { unitCode: '40', script: HEALTH_CHECK })).statusCode).toBe(who ? 403 : 401);
    }
    expect((await inject('GET', `/api/calls/campaigns/${campaignId}`, hanoi)).statusCode).toBe(403);
    expect((await inject('GET', `/api/calls/campaigns/${campaignId}/calls`, hanoi)).statusCode).toBe(403);
    expect((await inject('POST', `/api/calls/campaigns/${campaignId}/run`, hanoi, {})).statusCode).toBe(403);
    expect((await inject('GET', '/api/calls/lists/non-reporting?unit=40', hanoi)).statusCode).toBe(403);
    expect((await inject('GET', `/api/calls/report.pdf?unit=40`, hanoi)).statusCode).toBe(403);
    expect((await inject('POST', '/api/calls/campaigns', hanoi, { name: 'x', unitCode: '40', scriptId, audience: 'monitoring' })).statusCode).toBe(403);
    // another province's officer cannot use Nghệ An's script for their own campaign
    const res = await inject('POST', '/api/calls/campaigns', hanoi, { name: 'x', unitCode: '01', scriptId, audience: 'monitoring' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].path).toBe('body.scriptId');
    // Hà Nội sees none of Nghệ An's campaigns
    expect((await inject('GET', '/api/calls/campaigns', hanoi)).json().items).toEqual([]);
  });

  it('refuses unknown ids, NUL bytes and huge bodies', async () => {
    expect((await inject('GET', '/api/calls/campaigns/00000000-0000-4000-8000-000000000000', cdc)).statusCode).toBe(404);
    expect((await inject('GET', '/api/calls/campaigns/not-a-uuid', cdc)).statusCode).toBe(400);
    expect((await inject('GET', '/api/calls/lists/symptomatic?unit=40%00', cdc)).statusCode).toBe(400);
    const nul = await inject('POST', '/api/calls/scripts', cdc, { unitCode: '40', script: { ...HEALTH_CHECK, name: 'a\u0000b', states: { ...HEALTH_CHECK.states, 'x\u0000': { kind: 'end', outcome: 'completed' } } } });
    expect(nul.statusCode).toBe(400);
    const huge: CallScript = { ...HEALTH_CHECK, states: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`s${i}`, { kind: 'say', text: 'x'.repeat(1000), next: 'done' }])) };
    expect((await inject('POST', '/api/calls/scripts', cdc, { unitCode: '40', script: huge })).statusCode).toBe(400);
    const big = await inject('POST', `/api/calls/campaigns/${campaignId}/status`, cdc, { status: 'paused', pad: 'x'.repeat(2_000_000) });
    expect([400, 413]).toContain(big.statusCode);
  });

  it('takes the survey by the SMS link once, and refuses a wrong token', async () => {
    const row = await t.db.selectFrom('call_daily').select(['id', 'person_id']).where('campaign_id', '=', campaignId).orderBy('id').executeTakeFirstOrThrow();
    const token = 'AbCdEfGhIjKlMnOpQrStUv';
    await t.db.updateTable('call_daily').set({ survey_token: token, status: 'exhausted' }).where('id', '=', row.id).execute();
    let res = await t.app.inject({ method: 'GET', url: `/khao-sat/${token}` });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Hôm nay bạn có sốt không?');
    const form = 'fever=1&cough=2&breathing=2&taste_smell=2&at_address=1';
    res = await t.app.inject({ method: 'POST', url: `/khao-sat/${token}`, payload: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.statusCode).toBe(200);
    const fu = await t.db.selectFrom('follow_ups').selectAll().where('person_id', '=', row.person_id!).executeTakeFirstOrThrow();
    expect(fu).toMatchObject({ channel: 'self', symptoms: true, symptom_list: ['fever'] });
    res = await t.app.inject({ method: 'GET', url: `/khao-sat/${token}` });
    expect(res.statusCode).toBe(404);
    res = await t.app.inject({ method: 'GET', url: '/khao-sat/short' });
    expect(res.statusCode).toBe(400);
    // the symptomatic list shows the self-report
    res = await inject('GET', `/api/calls/lists/symptomatic?day=${DAY}`, supervisor);
    expect(res.json().items).toEqual([expect.objectContaining({ personId: row.person_id, source: 'sms' })]);
    // and the home page: reached and symptomatic today, for the province; nothing for Hà Nội
    const tiles = (await inject('GET', '/api/home/summary', supervisor)).json().tiles as { key: string; today: number; tone: string }[];
    expect(tiles.find((x) => x.key === 'calls.symptomatic')).toMatchObject({ today: 1, tone: 'attention' });
    expect(tiles.find((x) => x.key === 'calls.reached')).toMatchObject({ today: 1 });
    const theirs = (await inject('GET', '/api/home/summary', hanoi)).json().tiles as { key: string; today: number }[];
    expect(theirs.find((x) => x.key === 'calls.symptomatic')).toMatchObject({ today: 0 });
  });

  it('records a tracer manual call apart, only in their area', async () => {
    const tracer = await t.login('contact_tracer', '40');
    const row = await t.db.selectFrom('call_daily').select('person_id').where('campaign_id', '=', campaignId).orderBy('id', 'desc').executeTakeFirstOrThrow();
    let res = await inject('POST', '/api/calls/manual', tracer, { personId: row.person_id, disposition: 'completed', answers: { fever: '2', cough: '2' } });
    expect(res.statusCode).toBe(201);
    const a = await t.db.selectFrom('call_attempts').select(['kind', 'recorded_by']).where('id', '=', res.json().id).executeTakeFirstOrThrow();
    expect(a).toEqual({ kind: 'manual', recorded_by: tracer.id });
    // answered with a symptom: the symptomatic list says it came from a tracer's own call, not from the hotline
    const [sick] = await monitoredContacts(t.db, commune, DAY, [{ name: 'Ngô Cường', phone: '+84912555009' }]);
    res = await inject('POST', '/api/calls/manual', tracer, { personId: sick, disposition: 'completed', answers: { fever: '1', cough: '2' } });
    expect(res.json()).toMatchObject({ symptomatic: true });
    const supervisor = await t.login('call_supervisor', '40');
    const list = (await inject('GET', `/api/calls/lists/symptomatic?day=${DAY}`, supervisor)).json().items as { personId: string; source: string }[];
    expect(list.find((x) => x.personId === sick)).toMatchObject({ source: 'manual' });
    const hanoiTracer = await t.login('contact_tracer', '01');
    res = await inject('POST', '/api/calls/manual', hanoiTracer, { personId: row.person_id, disposition: 'no-answer' });
    expect(res.statusCode).toBe(403);
  });
});
