// The fetch wrapper: headers the server relies on (CSRF, cookies) and the error shape forms depend on.
import i18next from 'i18next';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError, normalizeFieldPath, queryString } from '../src/lib/api';
import { outlineCandidates, visibleAncestors } from '../src/features/geo/breadcrumbs';
import { unitName } from '../src/lib/labels';

function stubFetch(res: Response) {
  const calls: { url: string; init: RequestInit }[] = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return res;
  });
  return calls;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

afterEach(() => vi.unstubAllGlobals());

describe('api client', () => {
  it('sends same-origin credentials, JSON and the X-Requested-With header', async () => {
    const calls = stubFetch(json(201, { user: { id: '1' } }));
    const res = await api.post<{ user: { id: string } }>('/api/users', { username: 'a' });
    expect(res.user.id).toBe('1');
    const call = calls[0]!;
    expect(call.url).toBe('/api/users');
    expect(call.init.method).toBe('POST');
    expect(call.init.credentials).toBe('same-origin');
    const headers = call.init.headers as Record<string, string>;
    expect(headers['X-Requested-With']).toBe('vigil');
    expect(headers['Content-Type']).toBe('application/json');
    expect(call.init.body).toBe('{"username":"a"}');
  });

  it('sends no Content-Type without a body (Fastify rejects an empty JSON body)', async () => {
    const calls = stubFetch(new Response(null, { status: 204 }));
    await expect(api.post('/api/auth/logout')).resolves.toBeUndefined();
    expect((calls[0]!.init.headers as Record<string, string>)['Content-Type']).toBeUndefined();
  });

  it('builds query strings without empty values', async () => {
    expect(queryString({ q: '', role: null, parent: undefined, limit: 50, offset: 0 })).toBe('?limit=50&offset=0');
    expect(queryString({})).toBe('');
    const calls = stubFetch(json(200, { items: [], total: 0 }));
    await api.get('/api/geo/units', { parent: '40', q: 'vinh' });
    expect(calls[0]!.url).toBe('/api/geo/units?parent=40&q=vinh');
  });

  it('parses the error shape into ApiError with field errors', async () => {
    // the English UI keeps the server's words (field-messages.test.ts: Vietnamese); set here, since test files share
    // one process (vitest isolate: false) and another file may have left i18next in Vietnamese
    if (i18next.isInitialized) await i18next.changeLanguage('en');
    stubFetch(
      json(400, {
        error: {
          code: 'VALIDATION',
          message: 'body.jurisdictionCode: unknown administrative unit "99"',
          details: [
            { path: 'body.jurisdictionCode', message: 'unknown administrative unit "99"' },
            { path: '/password', message: 'too short' },
          ],
        },
      }),
    );
    const err = await api.post('/api/users', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    const e = err as ApiError;
    expect(e.status).toBe(400);
    expect(e.code).toBe('VALIDATION');
    expect(e.fieldErrors()).toEqual({ jurisdictionCode: 'unknown administrative unit "99"', password: 'too short' });
  });

  it('keeps Retry-After on 429', async () => {
    stubFetch(json(429, { error: { code: 'RATE_LIMITED', message: 'Too many' } }, { 'retry-after': '120' }));
    const e = (await api.post('/api/auth/login', {}).catch((x: unknown) => x)) as ApiError;
    expect(e.status).toBe(429);
    expect(e.retryAfter).toBe(120);
  });

  it('copes with non-JSON error bodies and network failures', async () => {
    stubFetch(new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
    const e = (await api.get('/api/auth/me').catch((x: unknown) => x)) as ApiError;
    expect([e.status, e.code, e.message]).toEqual([502, 'HTTP_502', 'Bad Gateway']);

    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    const n = (await api.get('/api/auth/me').catch((x: unknown) => x)) as ApiError;
    expect([n.status, n.code]).toEqual([0, 'NETWORK']);
  });

  it('normalises field paths', () => {
    expect(normalizeFieldPath('body.username')).toBe('username');
    expect(normalizeFieldPath('/username')).toBe('username');
    expect(normalizeFieldPath('/body/items/0/code')).toBe('items.0.code');
    expect(normalizeFieldPath('items[2].code')).toBe('items.2.code');
  });
});

describe('geo breadcrumbs', () => {
  const vn = { code: 'VN', name: 'Việt Nam', level: 'country' };
  const na = { code: '40', name: 'Nghệ An', level: 'province' };
  const vinh = { code: '412', name: 'Thành phố Vinh', level: 'district' };

  it('national admin: the root is what /geo shows, so it is skipped', () => {
    expect(visibleAncestors([vn, na], '412', 'VN')).toEqual([na]);
  });
  it('provincial officer: nothing above the own province', () => {
    expect(visibleAncestors([vn, na, vinh], '41200', '40')).toEqual([na, vinh]);
    expect(visibleAncestors([vn], '40', '40')).toEqual([]);
  });
});

describe('geo outline candidates (a unit without boundaries borrows the nearest in-scope outline)', () => {
  const vn = { code: 'VN', name: 'Việt Nam', level: 'country' };
  const na = { code: '40', name: 'Nghệ An', level: 'province' };
  const vinh = { code: '412', name: 'Thành phố Vinh', level: 'district' };

  it('the unit first, then its ancestors nearest first', () => {
    expect(outlineCandidates([vn, na], '412', 'VN')).toEqual(['412', '40', 'VN']);
  });
  it('never above the own jurisdiction', () => {
    expect(outlineCandidates([vn, na, vinh], '16666', '40')).toEqual(['16666', '412', '40']);
    expect(outlineCandidates([vn, na], '412', '412')).toEqual(['412']);
  });
});

describe('unit names', () => {
  it('English name in English where there is one, else the name', () => {
    expect(unitName({ name: 'Nghệ An', nameEn: 'Nghe An' }, 'en')).toBe('Nghe An');
    expect(unitName({ name: 'Nghệ An', nameEn: 'Nghe An' }, 'vi')).toBe('Nghệ An');
    expect(unitName({ name: 'Thành phố Vinh', nameEn: null }, 'en')).toBe('Thành phố Vinh');
    expect(unitName({ name: 'Thành phố Vinh' }, 'en')).toBe('Thành phố Vinh');
  });
});
