// Time in the deployment time zone (VIGIL_TZ): local days ('YYYY-MM-DD') for "today", day ranges and charts, and
// wall-clock readings of an instant for files and printouts that people read where the system runs.

export interface LocalParts {
  year: string;
  month: string;
  day: string;
  hour: string;
  minute: string;
  second: string;
  /** '+07:00' */
  offset: string;
}

// Building a DateTimeFormat costs far more than using one (an export writes three times per row): one per zone.
const formats = new Map<string, Intl.DateTimeFormat>();
const formatFor = (timeZone: string) => {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'longOffset',
    });
    formats.set(timeZone, f);
  }
  return f;
};

/** The calendar fields of `d` in `timeZone`, zero-padded, with the zone's UTC offset at that instant. */
export function localParts(d: Date, timeZone: string): LocalParts {
  const p = Object.fromEntries(
    formatFor(timeZone)
      .formatToParts(d)
      .map((x) => [x.type, x.value]),
  ) as Record<string, string>;
  const offset = p.timeZoneName === 'GMT' ? '+00:00' : p.timeZoneName!.replace('GMT', '');
  return { year: p.year!, month: p.month!, day: p.day!, hour: p.hour!, minute: p.minute!, second: p.second!, offset };
}

// UTC offsets change only at quarter hours (DST and zone changes): remembered per zone and quarter hour.
const QUARTER_MS = 15 * 60_000;
const offsets = new Map<string, string>();
function offsetAt(d: Date, timeZone: string): string {
  const key = `${timeZone}|${Math.floor(d.getTime() / QUARTER_MS)}`;
  let o = offsets.get(key);
  if (o === undefined) {
    if (offsets.size > 50_000) offsets.clear();
    o = localParts(d, timeZone).offset;
    offsets.set(key, o);
  }
  return o;
}

/** "2026-11-28T14:05:00+07:00": ISO 8601 that a machine reads exactly and a local reader reads as their own time. */
export function localIso(d: Date, timeZone: string): string {
  const offset = offsetAt(d, timeZone);
  const minutes = (offset[0] === '-' ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  return new Date(Math.floor(d.getTime() / 1000) * 1000 + minutes * 60_000).toISOString().slice(0, 19) + offset;
}

/** 'YYYY-MM-DD' of `at` in the deployment time zone. */
export function localDay(at: Date, timeZone: string): string {
  const p = localParts(at, timeZone);
  return `${p.year}-${p.month}-${p.day}`;
}

/** Minutes the time zone is ahead of UTC at `at` (+420 for Asia/Ho_Chi_Minh). */
function tzOffsetMinutes(at: Date, timeZone: string): number {
  const [, sign, h, m] = /^([+-])(\d\d):(\d\d)$/.exec(localParts(at, timeZone).offset)!;
  return (sign === '-' ? -1 : 1) * (Number(h) * 60 + Number(m));
}

/** The instant a local day ('YYYY-MM-DD') starts in the deployment time zone. */
export function startOfLocalDay(day: string, timeZone: string): Date {
  const midnightUtc = Date.parse(`${day}T00:00:00Z`);
  const offset = tzOffsetMinutes(new Date(midnightUtc + 12 * 3600_000), timeZone);
  return new Date(midnightUtc - offset * 60_000);
}

/** The day `n` days after `day` ('YYYY-MM-DD'; n may be negative). */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}
