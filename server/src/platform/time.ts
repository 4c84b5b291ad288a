// Local days and time windows in the deployment time zone (config.timeZone, e.g. Asia/Ho_Chi_Minh): the one place
// for "which day is it there", "when does that day start" and "is this inside a call window". Days are
// 'YYYY-MM-DD' strings; instants are Dates. Correct across daylight-saving changes for zones that have them.

const dayFormats = new Map<string, Intl.DateTimeFormat>();
const partFormats = new Map<string, Intl.DateTimeFormat>();

const dayFormat = (timeZone: string) => {
  let f = dayFormats.get(timeZone);
  if (!f) dayFormats.set(timeZone, (f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  return f;
};

const partFormat = (timeZone: string) => {
  let f = partFormats.get(timeZone);
  if (!f)
    partFormats.set(
      timeZone,
      (f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })),
    );
  return f;
};

/** 'YYYY-MM-DD' of `at` in `timeZone`. */
export function localDay(at: Date, timeZone: string): string {
  return dayFormat(timeZone).format(at);
}

/** The day `n` days after (or before, n < 0) a 'YYYY-MM-DD' day. */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Minutes `timeZone` is ahead of UTC at `at` (+420 for Asia/Ho_Chi_Minh). */
export function tzOffsetMinutes(at: Date, timeZone: string): number {
  const parts = partFormat(timeZone).formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

/** The instant local wall-clock time `hh:mm` of `day` happens in `timeZone`. */
export function localTime(day: string, hhmm: string, timeZone: string): Date {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  const wall = Date.parse(`${day}T00:00:00Z`) + (h * 60 + m) * 60_000;
  // the offset at that moment (asked twice: the first guess may sit on the other side of a DST change)
  const guess = wall - tzOffsetMinutes(new Date(wall), timeZone) * 60_000;
  return new Date(wall - tzOffsetMinutes(new Date(guess), timeZone) * 60_000);
}

/** The instant a local day starts in `timeZone`. */
export function startOfLocalDay(day: string, timeZone: string): Date {
  return localTime(day, '00:00', timeZone);
}

/** The local days from..to (inclusive) as one half-open interval of instants [from, to). */
export function localDayWindow(fromDay: string, toDay: string, timeZone: string): { from: Date; to: Date } {
  return { from: startOfLocalDay(fromDay, timeZone), to: startOfLocalDay(addDays(toDay, 1), timeZone) };
}

/** A daily window of local wall-clock time, e.g. calls allowed { start: '08:00', end: '20:30' }. */
export interface DailyWindow {
  start: string;
  end: string;
}

/** Whether `at` falls inside the daily local window [start, end) in `timeZone`. */
export function inDailyWindow(at: Date, w: DailyWindow, timeZone: string): boolean {
  const day = localDay(at, timeZone);
  return at >= localTime(day, w.start, timeZone) && at < localTime(day, w.end, timeZone);
}

/** `at` itself when inside the window, else the next moment the window opens. */
export function nextInDailyWindow(at: Date, w: DailyWindow, timeZone: string): Date {
  if (inDailyWindow(at, w, timeZone)) return at;
  const day = localDay(at, timeZone);
  const today = localTime(day, w.start, timeZone);
  return at < today ? today : localTime(addDays(day, 1), w.start, timeZone);
}

// ── wall-clock readings (exports, printouts) ─────────────────────────────────

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
