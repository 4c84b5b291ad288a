// The console provider (the default without an SMSC) must print no personal data: not the text (names, results,
// one-time codes), not the whole phone number. Direct, and through `vigil sms send` as an operator runs it.
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConsoleProvider } from './console';

const VIGIL = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../../bin/vigil.js');
const text = 'Vigil: Kết quả xét nghiệm ngày 2026-11-23 của Nguyễn Thị Hoà: DƯƠNG TÍNH. Chi tiết: http://localhost:8080/ket-qua-xet-nghiem';

describe('console SMS provider', () => {
  it('writes purpose, masked recipient and part count, never the text', async () => {
    const lines: string[] = [];
    const p = new ConsoleProvider((l) => lines.push(l));
    const receipt = new Promise((resolve) => p.once('receipt', resolve));
    const r = await p.send({ to: '+84912345678', text, purpose: 'test.result' });
    expect(r).toMatchObject({ outcome: 'accepted', parts: 2 });
    await expect(receipt).resolves.toMatchObject({ state: 'delivered' });
    expect(lines).toEqual(['[SMS console] purpose=test.result to=••••••••678 parts=2 coding=ucs2 (text not logged)\n']);
    const otp = new ConsoleProvider((l) => lines.push(l));
    await otp.send({ to: '+84912345678', text: 'Vigil: ma xac nhan dang ky cua ban la 482913', purpose: 'otp.signup' });
    expect(lines[1]).not.toContain('482913');
  });

  it('prints no text or number from `vigil sms send --provider console`', async () => {
    const r = await promisify(execFile)(process.execPath, [VIGIL, 'sms', 'send', '--to', '0912345678', '--text', text, '--provider', 'console', '--json'], {
      env: { ...process.env, LOG_LEVEL: 'silent' },
      timeout: 90_000,
    });
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'accepted', parts: 2 });
    const out = r.stdout + r.stderr;
    expect(r.stderr).toContain('to=••••••••678 parts=2');
    for (const secret of ['Nguyễn', 'DƯƠNG', 'Kết quả', '0912345678', '84912345']) expect(out).not.toContain(secret);
  }, 90_000);
});
