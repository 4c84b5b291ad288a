// Wall-clock readings of an instant in the deployment time zone (config.timeZone), for files and printouts that
// people read where the system runs.

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

/** The calendar fields of `d` in `timeZone`, zero-padded, with the zone's UTC offset at that instant. */
export function localParts(d: Date, timeZone: string): LocalParts {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'longOffset',
    })
      .formatToParts(d)
      .map((x) => [x.type, x.value]),
  ) as Record<string, string>;
  const offset = p.timeZoneName === 'GMT' ? '+00:00' : p.timeZoneName!.replace('GMT', '');
  return { year: p.year!, month: p.month!, day: p.day!, hour: p.hour!, minute: p.minute!, second: p.second!, offset };
}

/** "2026-11-28T14:05:00+07:00": ISO 8601 that a machine reads exactly and a local reader reads as their own time. */
export function localIso(d: Date, timeZone: string): string {
  const p = localParts(d, timeZone);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}${p.offset}`;
}
