// NUL characters in a path or query parameter (PostgreSQL cannot store them in text) are the caller's mistake:
// 400 naming the parameter, never a 500 (found by ../shared/tools/fuzz-routes.py on several search routes).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type TestContext } from './helpers';

let t: TestContext;
let cdc: { headers: Record<string, string> };
beforeAll(async () => {
  t = await testContext();
  cdc = await t.login('cdc_officer', '40');
});
afterAll(async () => {
  await t?.close();
});

describe('NUL characters', () => {
  it('are refused with a 400 naming the parameter on search routes', async () => {
    for (const [url, path] of [
      ['/api/venues/communes?q=%00', 'query.q'],
      ['/api/venues?q=ch%00o', 'query.q'],
      ['/api/checkin/communes?q=%00', 'query.q'],
      ['/api/geo/units?q=%00', 'query.q'],
      ['/api/geo/units/%00', 'params.code'],
      ['/api/users?q=%00', 'query.q'],
    ] as const) {
      const r = await t.app.inject({ method: 'GET', url, headers: cdc.headers });
      expect(r.statusCode, `${url}: ${r.body}`).toBe(400);
      expect(r.json().error.details[0].path, url).toBe(path);
    }
  });
});
