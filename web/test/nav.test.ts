// The menu marks one entry as the current page: the deepest one the path is at or below.
import { describe, expect, it } from 'vitest';
import { activeEntry, menuSections, navEntries } from '../src/app/nav';
import { ROLE_PERMISSIONS, type Role } from '../../server/src/platform/auth/roles';

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

describe('menu sections', () => {
  const menu = (role: Role, personId: string | null) => {
    const perms = new Set<string>(ROLE_PERMISSIONS[role]);
    const can = (p: string | readonly string[] | null) => !p || (typeof p === 'string' ? perms.has(p) : p.some((x) => perms.has(x)));
    return menuSections({ role, personId }, can).map((s) => ({ key: s.key, paths: s.entries.map((e) => e.path) }));
  };
  const own = ['/declare', '/health-book', '/me', '/certificates'];

  it("gives staff their work pages, not a citizen's", () => {
    const [only, ...more] = menu('cdc_officer', null);
    expect(more).toEqual([]);
    expect(only!.key).toBeNull();
    expect(only!.paths).toContain('/cases');
    for (const p of own) expect(only!.paths).not.toContain(p);
  });

  it('gives someone who is staff and a citizen (account linked to their own record) both, in headed groups', () => {
    const sections = menu('vaccination_staff', 'p-1');
    expect(sections.map((s) => s.key)).toEqual([null, 'work', 'personal']);
    expect(sections[0]!.paths).toEqual(['/']);
    expect(sections[1]!.paths).toContain('/vaccination/site-day');
    expect(sections[2]!.paths.sort()).toEqual([...own].sort());
  });

  it("gives a citizen their own pages, one group", () => {
    const sections = menu('citizen', 'p-2');
    expect(sections).toHaveLength(1);
    expect(sections[0]!.key).toBeNull();
    for (const p of own) expect(sections[0]!.paths).toContain(p);
  });
});
