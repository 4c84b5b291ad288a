// Local days in the deployment time zone (orders, follow-up days, infectious windows).
// TODO(platform): move to the platform time helper once it exists (issue 15 §3).

/** 'YYYY-MM-DD' of `at` in `timeZone`. */
export function dayOf(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** `day` plus `n` days ('YYYY-MM-DD'). */
export function plusDays(day: string, n: number): string {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Whole days from `a` to `b` (both 'YYYY-MM-DD'). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T12:00:00Z`) - Date.parse(`${a}T12:00:00Z`)) / 86_400_000);
}

/** The instant local day `day` begins in `timeZone`. */
export function dayStart(day: string, timeZone: string): Date {
  const noonUtc = Date.parse(`${day}T12:00:00Z`);
  // the zone's offset at local noon of that day (no zone changes offset around noon)
  const local = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit' }).format(new Date(noonUtc));
  const [h, m] = local.split(':').map(Number) as [number, number];
  const offsetMin = (h - 12) * 60 + m;
  return new Date(Date.parse(`${day}T00:00:00Z`) - offsetMin * 60_000);
}

/** Every day from `from` to `to` inclusive. */
export function dayRange(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to && out.length < 400; d = plusDays(d, 1)) out.push(d);
  return out;
}
