// `vigil calls campaign run` and `vigil calls report` as an operator runs them, on a test database.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type TestContext } from '../../../test/helpers';
import { createCampaign, saveScript } from './store';
import { HEALTH_CHECK, monitoredContacts, vinhCommune } from './test-fixtures';

const run = promisify(execFile);
const VIGIL = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../bin/vigil.js');
const DAY = '2026-11-20';
let t: TestContext;
let campaignId: string;

const vigil = async (args: string[]) => {
  try {
    const r = await run(process.execPath, [VIGIL, 'calls', ...args], { env: { ...process.env, LOG_LEVEL: 'silent', DATABASE_URL: t.config.databaseUrl!, VIGIL_PUBLIC_URL: 'http://vigil.test' }, timeout: 180_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

beforeAll(async () => {
  t = await testContext();
  const commune = await vinhCommune(t.db);
  const scriptId = (await saveScript(t.db, { unitCode: '40', script: HEALTH_CHECK, userId: null })).id;
  // the simulated provider's default personas go by the last two digits: 01 well, 72 fever, 98 a number that does not exist
  await monitoredContacts(t.db, commune, DAY, [
    { name: 'Khỏe', phone: '+84912880001' },
    { name: 'Sốt', phone: '+84912880072' },
    { name: 'Sai số', phone: '+84912880098' },
  ]);
  campaignId = (await createCampaign(t.db, { name: 'F1/F2 CLI', unitCode: '40', scriptId, audience: 'monitoring' } as never, null)).id;
}, 60_000);
afterAll(() => t?.close());

describe('vigil calls', () => {
  it('runs a campaign day through the simulated provider, then reports it as Excel and PDF', async () => {
    const r = await vigil(['campaign', 'run', campaignId, '--date', DAY, '--provider', 'simulated', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ planned: { created: 3, members: 3 }, placed: 3, completed: 2, symptomatic: 1, invalid: 1 });
    const fu = await t.db.selectFrom('follow_ups').select(['channel', 'symptoms']).where('day', '=', DAY).execute();
    expect(fu.sort((a, b) => Number(a.symptoms) - Number(b.symptoms))).toEqual([{ channel: 'robot_call', symptoms: false }, { channel: 'robot_call', symptoms: true }]);

    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-calls-report-'));
    const rep = await vigil(['report', DAY, '--out', out, '--no-send', '--json']);
    expect(rep.code, rep.stderr).toBe(0);
    expect(JSON.parse(rep.stdout)).toEqual([expect.objectContaining({ unitCode: '40', callsMade: 3, reached: 2, symptomatic: 1, wrongNumbers: 1 })]);
    expect(fs.readFileSync(path.join(out, `vigil-calls-40-${DAY}.pdf`)).subarray(0, 5).toString()).toBe('%PDF-');
    expect(fs.readFileSync(path.join(out, `vigil-calls-40-${DAY}.xlsx`)).subarray(0, 2).toString()).toBe('PK');
    fs.rmSync(out, { recursive: true, force: true });
  }, 240_000);

  it('refuses bad ids and days with a message and a non-zero exit', async () => {
    // three refusals that change nothing: run side by side (each command loads the whole app; one after another
    // they were most of this file's time)
    const [badId, badDate, badDay] = await Promise.all([
      vigil(['campaign', 'run', 'not-a-campaign']),
      vigil(['campaign', 'run', campaignId, '--date', '2026-02-31x']),
      vigil(['report', 'yesterday']),
    ]);
    expect(badId.code).toBe(1);
    expect(badId.stderr).toMatch(/"not-a-campaign" is not a campaign id/);
    expect(badDate.code).toBe(1);
    expect(badDate.stderr).toMatch(/--date/);
    expect(badDay.code).toBe(1);
    expect(badDay.stderr).toMatch(/"yesterday" is not a day/);
  }, 240_000);
});
