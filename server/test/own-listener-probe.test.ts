// The camera probe may reach this server's own listener (the demo's cameras point at its /healthz, so a default
// `npm start` shows them up) and nothing else on loopback: not another port, not the database.
import http from 'node:http';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOwnListener, vetOutboundUrl } from '../src/platform/net-guard';
import { testContext, type LoggedIn, type TestContext } from './helpers';

let t: TestContext;
let cdc: LoggedIn;
let port: number;
let other: http.Server;
let otherHits = 0;

beforeAll(async () => {
  t = await testContext();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  port = (t.app.server.address() as net.AddressInfo).port;
  t.config.host = '127.0.0.1';
  t.config.port = port;
  t.config.publicUrl = `http://localhost:${port}`;
  cdc = await t.login('cdc_officer', '40');
  other = http.createServer((_req, res) => {
    otherHits++;
    res.end('secret admin page');
  });
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
});
afterAll(async () => {
  await new Promise((r) => other?.close(r));
  await t?.close();
});

describe('probing the own listener', () => {
  it('allows exactly the own port on the addresses it listens on', async () => {
    const self = { host: '127.0.0.1', port: 8080 };
    expect(isOwnListener('127.0.0.1', 8080, self)).toBe(true);
    expect(isOwnListener('::ffff:127.0.0.1', 8080, self)).toBe(true);
    expect(isOwnListener('127.0.0.1', 5432, self)).toBe(false);
    expect(isOwnListener('127.0.0.2', 8080, self)).toBe(false);
    expect(isOwnListener('127.0.0.1', 8080, { host: '0.0.0.0', port: 8080 })).toBe(true); // every interface
    expect(isOwnListener('169.254.169.254', 80, { host: '0.0.0.0', port: 80 })).toBe(false); // not an address of this machine
    expect(isOwnListener('127.0.0.1', 8080, undefined)).toBe(false);
    const policy = { allowPrivate: false, allowNets: '', self };
    expect(await vetOutboundUrl(new URL('http://localhost:8080/healthz'), policy)).toEqual({ address: '127.0.0.1', family: 4 });
    expect(await vetOutboundUrl(new URL('rtsp://127.0.0.1/x'), policy)).toEqual({ error: 'refused: 127.0.0.1 is a loopback, link-local or reserved address', reason: 'blocked', detail: '127.0.0.1' }); // port 554
    expect(await vetOutboundUrl(new URL('http://127.0.0.1:8080/'), { allowPrivate: false, allowNets: '' })).toMatchObject({ error: /refused/ });
  });

  it('shows a camera on the own /healthz up and one on another loopback port refused, over HTTP', async () => {
    const commune = (await t.db.selectFrom('admin_units').select('code').where('level', '=', 'commune').where('path', 'like', '/VN/40/%').orderBy('code').executeTakeFirstOrThrow()).code;
    const place = (await t.app.inject({ method: 'POST', url: '/api/places', headers: cdc.headers, payload: { name: 'Khu cách ly KTX', kind: 'concentrated', communeCode: commune, capacity: 10 } })).json();
    const add = async (name: string, streamUrl: string) => {
      const r = await t.app.inject({ method: 'POST', url: `/api/places/${place.id}/cameras`, headers: cdc.headers, payload: { name, streamUrl } });
      expect(r.statusCode, r.body).toBe(201);
    };
    await add('Cổng chính', `${t.config.publicUrl}/healthz`);
    await add('Trang quản trị', `http://localhost:${(other.address() as net.AddressInfo).port}/admin`);
    expect(await t.app.vigil.jobs.runNow('cases.probe-cameras')).toEqual({ probed: 2, down: 1 });
    const down = (await t.app.inject({ method: 'GET', url: '/api/cameras/down', headers: cdc.headers })).json().items;
    expect(down.map((c: { name: string; lastProbeReason: string; lastProbeDetail: string }) => [c.name, c.lastProbeReason, c.lastProbeDetail])).toEqual([['Trang quản trị', 'blocked', '127.0.0.1']]);
    expect(otherHits).toBe(0);
  });
});
