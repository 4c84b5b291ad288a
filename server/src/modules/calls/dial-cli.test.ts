// `vigil calls dial` as an operator runs it, on bad input (the real calls are in sip/baresip.test.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runVigil } from '../../../test/cli-run';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-dial-cli-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));
const env = { VIGIL_DATA_DIR: dataDir, VIGIL_SIP_LOCAL_ADDRESS: '127.0.0.2', VIGIL_SIP_LOCAL_PORT: '0', LOG_LEVEL: 'silent' };

describe('vigil calls dial: bad input', () => {
  it('an unknown script or provider is a usage error naming the option; a number without a trunk is invalid-number', async () => {
    const [script, provider, number, file] = await Promise.all([
      runVigil(['calls', 'dial', '--to', 'sip:a@127.0.0.1:5999', '--script', 'no-such-script', '--json'], env),
      runVigil(['calls', 'dial', '--to', 'sip:a@127.0.0.1:5999', '--script', 'daily-health-check', '--provider', 'carrier-pigeon', '--json'], env),
      runVigil(['calls', 'dial', '--to', '0912 345 678', '--script', 'daily-health-check', '--json'], env),
      runVigil(['calls', 'dial', '--to', 'sip:a@127.0.0.1:5999', '--script', path.join(dataDir, 'missing.json')], env),
    ]);
    expect(script.code).toBe(1);
    expect(script.stderr).toMatch(/--script: no script "no-such-script" \(default scripts: daily-health-check, /);
    expect(provider.code).toBe(1);
    expect(provider.stderr).toMatch(/--provider: unknown provider "carrier-pigeon"/);
    expect(number.code).toBe(3);
    expect(JSON.parse(number.stdout)).toEqual({ disposition: 'invalid-number', sip_code: null, answers: {}, duration_s: 0, reason: 'no SIP trunk configured for phone numbers' });
    expect(file.code).toBe(1);
    expect(file.stderr).toMatch(/--script: cannot read .*missing\.json/);
  }, 120_000);

  it('a bad VIGIL_SIP_* value stops it with the variable named, never echoing the password', async () => {
    const r = await runVigil(['calls', 'dial', '--to', 'sip:a@127.0.0.1:5999', '--script', 'daily-health-check'], { ...env, VIGIL_SIP_MAX_CHANNELS: '0', VIGIL_SIP_PASSWORD: 'x'.repeat(300) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/VIGIL_SIP_MAX_CHANNELS/);
    expect(r.stderr).toMatch(/VIGIL_SIP_PASSWORD/);
    expect(r.stderr).not.toContain('xxxxxxxx');
  }, 120_000);
});
