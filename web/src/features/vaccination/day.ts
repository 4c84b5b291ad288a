// Days typed by people (pure: unit-tested in web/test/vaccination-day.test.ts).

/**
 * A typed day (YYYY-MM-DD) from what a person types: the UI language's order (vi 31/12/2021, also with - or . and
 * without leading zeros) or the ISO form; null when it is no real day.
 */
export function parseDay(text: string, dayFirst = true): string | null {
  const t = text.trim();
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(t);
  const local = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(t);
  const [y, m, d] = iso ? [iso[1], iso[2], iso[3]] : local ? [local[3], dayFirst ? local[2] : local[1], dayFirst ? local[1] : local[2]] : [];
  if (!y || !m || !d) return null;
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  if (date.getUTCFullYear() !== Number(y) || date.getUTCMonth() !== Number(m) - 1 || date.getUTCDate() !== Number(d)) return null;
  return date.toISOString().slice(0, 10);
}
