// Test certificates (EU DCC `t` entries): this deployment's test types in the EU value sets, and the validity rules
// a verifier applies to a test (and recovery) certificate. Pure: no database, no clock of its own.

/** EU value set covid-19-lab-test-type */
export const TT_NAAT = 'LP6464-4';
export const TT_RAT = 'LP217198-3';
/** EU value set covid-19-lab-result */
export const TR_NOT_DETECTED = '260415000';
export const TR_DETECTED = '260373001';

export interface TestTypeCodes {
  tt: typeof TT_NAAT | typeof TT_RAT;
  /** NAAT: the test's name (nm) */
  nm?: string;
  /** RAT: the device id in the EU HSC common list (ma) */
  ma?: string;
}

/** The testing module's test type codes in the EU value sets; null when no certificate can be made for it. */
export function testTypeCodes(testType: string, ratDevice: string | undefined): TestTypeCodes | { problem: string } {
  switch (testType) {
    case 'rt-pcr':
      return { tt: TT_NAAT, nm: 'RT-PCR' };
    case 'lamp':
      return { tt: TT_NAAT, nm: 'RT-LAMP' };
    case 'antigen':
      return ratDevice
        ? { tt: TT_RAT, ma: ratDevice }
        : { problem: 'no rapid antigen device is configured (VIGIL_DCC_RAT_DEVICE: its id in the EU common list), so no antigen-test certificate can be issued' };
    default:
      return { problem: `tests of type ${testType} have no EU DCC test type` };
  }
}

export interface ValidityRules {
  naatHours: number;
  ratHours: number;
}

export interface RuleOutcome {
  /** null: no rule applies (a vaccination certificate, or no payload to judge) */
  ok: boolean | null;
  /** why not (plain words), null when ok */
  reason: string | null;
  /** until when it counts (ISO), when a rule gives an end */
  validUntil: string | null;
}

const NONE: RuleOutcome = { ok: null, reason: null, validUntil: null };
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The rules a border officer or venue doorman applies on top of the signature and expiry checks:
 * - test (`t`): a negative result (not detected) counts for `naatHours` (NAAT) or `ratHours` (rapid antigen) after
 *   the sample was collected; a positive result is no proof of a negative test; a sample time in the future is wrong;
 * - recovery (`r`): valid from `df` to `du` (days, inclusive).
 */
export function applyRules(dcc: Record<string, unknown> | null, at: Date, rules: ValidityRules): RuleOutcome {
  const now = at.getTime();
  const t = (dcc?.t as Record<string, unknown>[] | undefined)?.[0];
  if (t) {
    const sc = Date.parse(String(t.sc ?? ''));
    if (Number.isNaN(sc)) return { ok: false, reason: 'the test certificate has no sample collection time', validUntil: null };
    if (t.tr === TR_DETECTED) return { ok: false, reason: 'the test result is positive (detected): it is no proof of a negative test', validUntil: null };
    if (t.tr !== TR_NOT_DETECTED) return { ok: false, reason: `unknown test result ${String(t.tr)}`, validUntil: null };
    const hours = t.tt === TT_NAAT ? rules.naatHours : t.tt === TT_RAT ? rules.ratHours : null;
    if (hours === null) return { ok: false, reason: `unknown test type ${String(t.tt)}`, validUntil: null };
    const until = sc + hours * 3_600_000;
    if (sc > now + 5 * 60_000) return { ok: false, reason: `the sample collection time ${iso(sc)} is in the future`, validUntil: iso(until) };
    if (now > until) return { ok: false, reason: `the negative test is older than ${hours} hours (sample collected ${iso(sc)})`, validUntil: iso(until) };
    return { ok: true, reason: null, validUntil: iso(until) };
  }
  const r = (dcc?.r as Record<string, unknown>[] | undefined)?.[0];
  if (r) {
    const df = Date.parse(`${String(r.df ?? '')}T00:00:00Z`);
    const du = Date.parse(`${String(r.du ?? '')}T23:59:59Z`);
    if (Number.isNaN(df) || Number.isNaN(du)) return { ok: false, reason: 'the recovery certificate has no validity dates', validUntil: null };
    if (now < df) return { ok: false, reason: `the recovery certificate is valid from ${String(r.df)}`, validUntil: iso(du) };
    if (now > du) return { ok: false, reason: `the recovery certificate was valid until ${String(r.du)}`, validUntil: iso(du) };
    return { ok: true, reason: null, validUntil: iso(du) };
  }
  return NONE;
}
