// Events the vaccination module publishes (agreed before the module was built, so that `certificates`, `messaging`
// reminders and the health book could be written beside it). Payloads are JSON: dates as strings.

/** A dose was recorded at a site (or corrected): published in the transaction that records it. */
export interface DoseRecorded {
  doseId: string;
  personId: string;
  /** local day of the injection, YYYY-MM-DD */
  givenOn: string;
  /** 1-based dose number and the product's doses in its schedule (EU DCC dn / sd) */
  doseNumber: number;
  seriesDoses: number;
  /** product as the EU DCC value sets name it where known: mp e.g. 'EU/1/20/1528', ma e.g. 'ORG-100030215', vp e.g. '1119349007' */
  product: { code: string; name: string; manufacturerCode: string; manufacturerName: string; prophylaxisCode: string };
  lot: string | null;
  siteCode: string | null;
  /** the commune of the site (jurisdiction of the record) */
  communeCode: string | null;
  /** true when this event replaces an earlier record of the same dose (a correction) */
  correction: boolean;
}

/** A recorded dose was voided (entered in error): certificates built on it are revoked. */
export interface DoseVoided {
  doseId: string;
  personId: string;
  reason: string;
}

declare module '../../platform/events' {
  interface DomainEvents {
    'vaccination.dose-recorded': DoseRecorded;
    'vaccination.dose-voided': DoseVoided;
  }
}
