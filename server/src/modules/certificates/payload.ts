// EU DCC payloads (schema 1.3.0) built from this deployment's records.
import { doseCount, type DoseRecorded } from '../vaccination';
import type { TestPositive } from '../cases';
import { DCC_SCHEMA_VERSION } from './dcc-schema';
import { dccName } from './names';
import { ISSUER_COUNTRY } from './signer-ring';
import type { TestTypeCodes, TR_DETECTED, TR_NOT_DETECTED } from './tests';

/** SNOMED CT 840539006: COVID-19, the disease every entry targets. */
export const TG_COVID19 = '840539006';
export const CERTIFICATE_ISSUER = 'Ministry of Health of Viet Nam';

export interface Holder {
  fullName: string;
  birthDate: string | null;
  birthYear: number | null;
}

const dob = (h: Holder) => h.birthDate ?? (h.birthYear ? String(h.birthYear) : '');

export function vaccinationPayload(holder: Holder, dose: DoseRecorded, ci: string) {
  return {
    ver: DCC_SCHEMA_VERSION,
    nam: dccName(holder.fullName),
    dob: dob(holder),
    v: [
      {
        tg: TG_COVID19,
        vp: dose.product.prophylaxisCode,
        mp: dose.product.code,
        ma: dose.product.manufacturerCode,
        // a booster after a complete primary series: n/n (EU rules since 2022; vaccination rules.ts doseCount)
        ...doseCount(dose.doseNumber, dose.seriesDoses),
        dt: dose.givenOn,
        co: ISSUER_COUNTRY,
        is: CERTIFICATE_ISSUER,
        ci,
      },
    ],
  };
}

/** A recovery certificate is valid from day 11 after the first positive test to day 180 (EU rules). */
export const RECOVERY_VALID_FROM_DAYS = 11;
export const RECOVERY_VALID_UNTIL_DAYS = 180;

export const plusDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

export function recoveryPayload(holder: Holder, test: TestPositive, ci: string) {
  return {
    ver: DCC_SCHEMA_VERSION,
    nam: dccName(holder.fullName),
    dob: dob(holder),
    r: [
      {
        tg: TG_COVID19,
        fr: test.sampledOn,
        co: ISSUER_COUNTRY,
        is: CERTIFICATE_ISSUER,
        df: plusDays(test.sampledOn, RECOVERY_VALID_FROM_DAYS),
        du: plusDays(test.sampledOn, RECOVERY_VALID_UNTIL_DAYS),
        ci,
      },
    ],
  };
}

export interface TestEntryFacts {
  codes: TestTypeCodes;
  /** sample collection */
  collectedAt: Date;
  tr: typeof TR_DETECTED | typeof TR_NOT_DETECTED;
  /** testing centre or facility (the sampling point) */
  centre: string;
}

/** `2021-05-29T19:21:13Z` (no milliseconds: the form the EU examples use) */
const dateTime = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function testPayload(holder: Holder, test: TestEntryFacts, ci: string) {
  return {
    ver: DCC_SCHEMA_VERSION,
    nam: dccName(holder.fullName),
    dob: dob(holder),
    t: [
      {
        tg: TG_COVID19,
        tt: test.codes.tt,
        ...(test.codes.nm ? { nm: test.codes.nm } : {}),
        ...(test.codes.ma ? { ma: test.codes.ma } : {}),
        sc: dateTime(test.collectedAt),
        tr: test.tr,
        // the schema allows 80 characters
        tc: [...test.centre].slice(0, 80).join(''),
        co: ISSUER_COUNTRY,
        is: CERTIFICATE_ISSUER,
        ci,
      },
    ],
  };
}
