// `vigil sms send` as an operator runs it, against the SMSC process.
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Smsc } from '../../../test/smsc-process';

const run = promisify(execFile);
const VIGIL = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../bin/vigil.js');
let smsc: Smsc;

const vigil = async (args: string[], env: Record<string, string> = {}) => {
  try {
    const r = await run(process.execPath, [VIGIL, 'sms', 'send', ...args], { env: { ...process.env, LOG_LEVEL: 'silent', ...env }, timeout: 90_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

beforeAll(async () => {
  smsc = await Smsc.start();
}, 60_000);
afterAll(() => smsc?.stop());

describe('vigil sms send', () => {
  it('sends Vietnamese in concatenated UCS-2 parts and waits for the receipts', async () => {
    const text = 'Sở Y tế Nghệ An thông báo: lịch tiêm mũi 2 tại trạm y tế phường Hưng Bình bắt đầu lúc 7 giờ 30 sáng thứ Bảy.';
    const r = await vigil(['--to', '0912345678', '--text', text, '--provider', 'smpp', '--wait-receipt', '--json'], { VIGIL_SMPP_URL: smsc.url() });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ status: 'delivered', parts: 2, error: null });
    const subs = smsc.submits().filter((s) => s.dest === '84912345678');
    expect(out.message_ids).toEqual(subs.map((s) => s.id));
    expect(subs.map((s) => s.text).join('')).toBe(text);
    expect(subs.every((s) => s.dataCoding === 8)).toBe(true);
  }, 90_000);

  it('reports a refused bind as failed with a non-zero exit, and a bad number as a usage error', async () => {
    const r = await vigil(['--to', '0912345678', '--text', 'x', '--provider', 'smpp', '--timeout', '3', '--json'], { VIGIL_SMPP_URL: smsc.url('vigil', 'wrong') });
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'failed', parts: 1, message_ids: [], error: { code: 'NOT_BOUND' } });
    expect(JSON.parse(r.stdout).error.message).toMatch(/ESME_RINVPASWD/);
    const bad = await vigil(['--to', 'abc', '--text', 'x', '--provider', 'console', '--json']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--to: "abc" is not a valid phone number/);
  }, 90_000);
});
