// Reading import files (CSV or .xlsx, first row = column names; the venues module's reader) and per-line errors.
import { AppError } from '../../platform/http/errors';
import { ImportFileError, readTable } from '../venues';
import type { ImportLineError } from './schema';

export interface Line {
  line: number;
  values: Record<string, string>;
}

const MAX_LISTED_ERRORS = 1000;

export class LineErrors {
  list: ImportLineError[] = [];
  count = 0;
  truncated = false;
  add(line: number, path: string, message: string) {
    this.count++;
    if (this.list.length < MAX_LISTED_ERRORS) this.list.push({ line, path, message });
    else this.truncated = true;
  }
}

/** The file's lines (unreadable CSV lines come back as errors); throws ImportFileError for a file that is not a table. */
export async function readLines(data: Buffer, columns: readonly string[], optional: readonly string[] = []): Promise<{ lines: Line[]; unreadable: ImportLineError[] }> {
  const t = await readTable(data, columns.filter((c) => !optional.includes(c)), optional);
  return { lines: t.rows, unreadable: t.unreadable.map((u) => ({ line: u.line, path: 'line', message: u.message })) };
}

/** An ISO 8601 instant with a date, a time and an offset (or Z); else why not. */
export function parseInstant(s: string): Date | string {
  const v = s.trim();
  if (!v) return 'is required';
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$/.test(v)) return 'must be an ISO 8601 instant with its offset, e.g. 2021-08-12T08:30:00+07:00';
  // the date must exist (JavaScript reads 2021-02-30 as 2 March) and the time be a time of day
  const [y, mo, da, hh, mi] = [v.slice(0, 4), v.slice(5, 7), v.slice(8, 10), v.slice(11, 13), v.slice(14, 16)].map(Number) as [number, number, number, number, number];
  const calendar = new Date(Date.UTC(y, mo - 1, da));
  const ss = v[16] === ':' ? Number(v.slice(17, 19)) : 0;
  if (calendar.getUTCMonth() !== mo - 1 || calendar.getUTCDate() !== da || hh > 23 || mi > 59 || ss > 59) return 'is not a valid date and time';
  // a year the database cannot store (0000) would fail the whole file; before 2000 is a typo in any case
  if (y < 2000) return 'is too far in the past (before 2000)';
  const d = new Date(v.replace(' ', 'T'));
  return Number.isNaN(d.getTime()) ? 'is not a valid date and time' : d;
}

export { ImportFileError };

/** An unreadable file as the 400 an upload answers. */
export function importFileError(err: unknown) {
  if (err instanceof ImportFileError) return new AppError(400, 'IMPORT_REJECTED', err.message, [{ path: 'body', message: err.message }]);
  return err;
}
