// Recovery certificates: a positive test (the testing module's `test.positive`) issues one, valid from day 11 to
// day 180 after the sample, once per test; it verifies (recovery key usage) and prints as a recovery certificate.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testContext, type TestContext, type LoggedIn } from '../../../test/helpers';
import type { TestPositive } from '../cases';
import { communesOf, person, trustList } from './test-fixtures';
import { verifyHc1 } from './verify';
import type { CertificateView } from './schema';

let t: TestContext;
let cdc: LoggedIn;
let commune: string;

// the clock is pinned: the certificate's validity is worked out from the sample day
const NOW = new Date('2026-11-28T08:00:00Z');

beforeAll(async () => {
  t = await testContext({ clock: () => NOW });
  ({ commune } = await communesOf(t));
  cdc = await t.login('cdc_officer', '40');
});
afterAll(() => t?.close());

const positive = async (p: TestPositive) => {
  await t.db.transaction().execute((trx) => t.events.publish(trx, 'test.positive', p));
  await t.events.settled();
};

describe('recovery certificates from positive tests', () => {
  it('issues one per test, valid from day 11 to day 180, that verifies and prints', async () => {
    const p = await person(t, 'Bùi Thị Hạnh', commune, '1979-07-07');
    const test: TestPositive = { testId: `t-${process.pid}-1`, personId: p, sampledOn: '2026-11-01', resultAt: '2026-11-02T03:00:00Z', communeCode: commune };
    await positive(test);
    await positive({ ...test }); // the same test told twice (another event id)
    const items = (await t.app.inject({ method: 'GET', url: `/api/people/${p}/certificates`, headers: cdc.headers })).json().items as CertificateView[];
    expect(items).toHaveLength(1);
    const c = items[0]!;
    expect(c.kind).toBe('r');
    expect(c.entry).toEqual({ tg: '840539006', fr: '2026-11-01', co: 'VN', is: 'Ministry of Health of Viet Nam', df: '2026-11-12', du: '2027-04-30', ci: c.uvci });
    expect(c.expiresAt).toBe('2027-04-30T23:59:59.000Z');
    const r = verifyHc1(c.hc1, { trust: (await trustList(t)).store, at: t.config.clock() });
    expect(r.error).toBeNull();
    expect([r.valid, r.checks.schema, r.checks.key_usage]).toEqual([true, true, true]);

    const pdf = await t.app.inject({ method: 'GET', url: `/api/certificates/${c.id}/pdf`, headers: cdc.headers });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-rec-')), 'r.pdf');
    fs.writeFileSync(file, pdf.rawPayload);
    const text = spawnSync('pdftotext', [file, '-'], { encoding: 'utf8' }).stdout;
    expect(text).toContain('CHỨNG NHẬN KHỎI BỆNH COVID-19');
    expect(text).toContain('12/11/2026');
  });
});
