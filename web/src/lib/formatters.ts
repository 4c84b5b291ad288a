// Formatters for one locale, pure (no React, no i18n instance): unit-testable in Node.

export interface Formatters {
  number(value: number | null | undefined): string;
  dateTime(iso: string | null | undefined): string;
  /** a calendar day 'YYYY-MM-DD' (no time zone: it is a local day already) as 26/11/2026 */
  day(ymd: string | null | undefined): string;
  /** the same without the year (grid headers, chart axes): 26/11 */
  shortDay(ymd: string | null | undefined): string;
  /** a stored E.164 phone as people write it: +84912345678 → 0912 345 678 (a landline 0238 3844 123); others stay E.164 */
  phone(e164: string | null | undefined): string;
}

const NONE = '—';

export function makeFormatters(locale: string): Formatters {
  const num = new Intl.NumberFormat(locale);
  const dt = new Intl.DateTimeFormat(locale, {
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
  const dayFmt = new Intl.DateTimeFormat(locale, { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' });
  const toDate = (value: string): Date | null => {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.slice(0, 10));
    return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  };
  const day = (value: string | null | undefined) => {
    if (!value) return NONE;
    const d = toDate(value);
    return d ? dayFmt.format(d) : value;
  };
  // the full day's own pattern without the year (ICU's day+month pattern for vi-VN is "26-11", unlike its "26/11/2026")
  const shortDay = (value: string | null | undefined) => {
    if (!value) return NONE;
    const d = toDate(value);
    if (!d) return value;
    // day and month with the separator between them, whichever comes first in the locale
    const parts = dayFmt.formatToParts(d);
    const ends = [parts.findIndex((p) => p.type === 'day'), parts.findIndex((p) => p.type === 'month')];
    return parts.slice(Math.min(...ends), Math.max(...ends) + 1).map((p) => p.value).join('');
  };
  return {
    day,
    shortDay,
    phone: displayPhone,
    number: (value) => (value === null || value === undefined ? NONE : num.format(value)),
    dateTime: (iso) => {
      if (!iso) return NONE;
      const d = new Date(iso);
      return Number.isNaN(d.getTime()) ? iso : dt.format(d);
    },
  };
}

/** +84912345678 → 0912 345 678; +842383844123 → 0238 3844 123; anything else as given (a dash for nothing). */
export function displayPhone(e164: string | null | undefined): string {
  if (!e164) return NONE;
  const m = /^\+84(\d{9,10})$/.exec(e164);
  if (!m) return e164;
  const n = `0${m[1]}`;
  return n.length === 10 ? `${n.slice(0, 4)} ${n.slice(4, 7)} ${n.slice(7)}` : `${n.slice(0, 4)} ${n.slice(4, 8)} ${n.slice(8)}`;
}
