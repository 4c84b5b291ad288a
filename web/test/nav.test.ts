// The menu marks one entry as the current page: the deepest one the path is at or below.
import { describe, expect, it } from 'vitest';
import { activeEntry, navEntries } from '../src/app/nav';

const at = (pathname: string) => activeEntry(navEntries, pathname)?.path;

describe('active menu entry', () => {
  it('is the site-day page alone on /vaccination/site-day, not also the vaccination dashboard', () => {
    expect(at('/vaccination/site-day')).toBe('/vaccination/site-day');
    expect(navEntries.filter((e) => e === activeEntry(navEntries, '/vaccination/site-day'))).toHaveLength(1);
    expect(at('/vaccination')).toBe('/vaccination');
    expect(at('/vaccination/overdue')).toBe('/vaccination');
  });

  it('follows sub-pages and knows the home page only at /', () => {
    expect(at('/')).toBe('/');
    expect(at('/cases/NA40-00001')).toBe('/cases');
    expect(at('/casesx')).toBeUndefined();
    expect(at('/no-such-page')).toBeUndefined();
  });
});
