// The validity rules of test and recovery certificates and the test type codes (pure).
import { describe, expect, it } from 'vitest';
import { applyRules, testTypeCodes, TR_DETECTED, TR_NOT_DETECTED, TT_NAAT, TT_RAT } from './tests';

const rules = { naatHours: 72, ratHours: 48 };
const t = (over: object) => ({ t: [{ tt: TT_NAAT, sc: '2021-06-01T08:00:00Z', tr: TR_NOT_DETECTED, ...over }] });
const at = (iso: string) => new Date(iso);

describe('validity rules', () => {
  it('counts a negative NAAT for its hours after the sample, a rapid antigen test for its own', () => {
    expect(applyRules(t({}), at('2021-06-04T07:59:00Z'), rules)).toEqual({ ok: true, reason: null, validUntil: '2021-06-04T08:00:00.000Z' });
    expect(applyRules(t({}), at('2021-06-04T08:01:00Z'), rules).ok).toBe(false);
    expect(applyRules(t({ tt: TT_RAT }), at('2021-06-03T08:01:00Z'), rules).reason).toMatch(/older than 48 hours/);
  });
  it('refuses a positive result, an unknown type and a sample taken in the future', () => {
    expect(applyRules(t({ tr: TR_DETECTED }), at('2021-06-01T09:00:00Z'), rules).reason).toMatch(/positive/);
    expect(applyRules(t({ tt: 'X' }), at('2021-06-01T09:00:00Z'), rules).reason).toMatch(/unknown test type/);
    expect(applyRules(t({}), at('2021-06-01T07:00:00Z'), rules).reason).toMatch(/in the future/);
  });
  it('holds a recovery certificate to df..du and leaves a vaccination certificate alone', () => {
    const r = { r: [{ df: '2021-06-12', du: '2021-11-28' }] };
    expect(applyRules(r, at('2021-06-11T23:00:00Z'), rules).ok).toBe(false);
    expect(applyRules(r, at('2021-11-28T23:00:00Z'), rules).ok).toBe(true);
    expect(applyRules(r, at('2021-11-29T00:00:01Z'), rules).ok).toBe(false);
    expect(applyRules({ v: [{}] }, at('2021-06-01T00:00:00Z'), rules)).toEqual({ ok: null, reason: null, validUntil: null });
  });
  it('maps the testing types; an antigen test needs the configured device', () => {
    expect(testTypeCodes('rt-pcr', undefined)).toEqual({ tt: TT_NAAT, nm: 'RT-PCR' });
    expect(testTypeCodes('antigen', '1232')).toEqual({ tt: TT_RAT, ma: '1232' });
    expect(testTypeCodes('antigen', undefined)).toHaveProperty('problem', expect.stringMatching(/VIGIL_DCC_RAT_DEVICE/));
    expect(testTypeCodes('culture', undefined)).toHaveProperty('problem');
  });
});
