// The camera probe is no way into the server's network: only http/https/rtsp(s), every address a host resolves to is
// checked (loopback, link-local/metadata, private, reserved refused unless the operator allows them), the
// connection goes to the checked address, redirects are not followed, one short deadline, the body is never read.
import http from 'node:http';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, ConfigError } from '../../config';
import { refusal } from '../../platform/net-guard';
import { testContext, type LoggedIn, type TestContext } from '../../../test/helpers';
import { PROBE_CAMERAS_JOB } from './events';
import { probeUrl } from './cameras';

const closed: OutboundPolicyLike = { allowPrivate: false, allowNets: '' };
const loopbackAllowed: OutboundPolicyLike = { allowPrivate: false, allowNets: '127.0.0.0/8' };
type OutboundPolicyLike = { allowPrivate: boolean; allowNets: string };

let server: http.Server;
let base: string;
let hits: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits.push(req.url!);
    if (req.url === '/redirect') return res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    if (req.url === '/slow') return; // never answers
    if (req.url === '/huge') {
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 120);
      const pump = () => {
        while (res.write(chunk));
        res.once('drain', pump);
      };
      res.on('close', () => res.removeAllListeners('drain'));
      return pump();
    }
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('camera probe guard', () => {
  it('refuses loopback, metadata, private and reserved addresses, whatever their spelling', async () => {
    hits = [];
    const port = (server.address() as net.AddressInfo).port;
    for (const url of [
      `${base}/admin`,
      `http://localhost:${port}/admin`, // a name that resolves to loopback
      `http://[::1]:${port}/`,
      `http://[::ffff:127.0.0.1]:${port}/`,
      `http://[::ffff:7f00:1]:${port}/`,
      `http://2130706433:${port}/`, // 127.0.0.1 as one number
      `http://0x7f.1:${port}/`,
      'http://169.254.169.254/latest/meta-data/',
      'http://[fe80::1]/',
      'http://10.1.2.3/',
      'http://192.168.1.10/',
      'http://172.20.0.5/',
      'http://100.64.0.1/',
      'rtsp://127.0.0.1:5432/',
      'http://0.0.0.0:5432/',
    ]) {
      const r = await probeUrl(url, 2000, closed);
      expect(r.ok, url).toBe(false);
      expect(r.error, url).toMatch(/^refused: /);
    }
    expect(hits).toEqual([]); // nothing reached the internal service
  });

  it('refuses other schemes', async () => {
    for (const url of ['file:///etc/passwd', 'gopher://127.0.0.1:25/', 'ftp://example.org/', 'data:text/plain,x']) expect((await probeUrl(url, 2000, closed)).error, url).toMatch(/^refused: scheme/);
  });

  it('the operator allows a CIDR or the private ranges; metadata stays refused unless listed', () => {
    expect(refusal('10.1.2.3', { allowPrivate: true, allowNets: '' })).toBeNull();
    expect(refusal('169.254.169.254', { allowPrivate: true, allowNets: '' })).toMatch(/refused/);
    expect(refusal('127.0.0.1', { allowPrivate: true, allowNets: '' })).toMatch(/refused/);
    expect(refusal('127.0.0.1', loopbackAllowed)).toBeNull();
    expect(refusal('10.20.3.4', { allowPrivate: false, allowNets: '10.20.0.0/16' })).toBeNull();
    expect(refusal('10.21.3.4', { allowPrivate: false, allowNets: '10.20.0.0/16' })).toMatch(/private/);
    expect(refusal('8.8.8.8', closed)).toBeNull();
    expect(() => loadConfig({ VIGIL_CAMERA_ALLOW_NETS: '10.0.0.0/99' })).toThrow(ConfigError);
    expect(loadConfig({ VIGIL_CAMERA_ALLOW_NETS: '10.0.0.0/8, fd00::/8', VIGIL_CAMERA_ALLOW_PRIVATE: 'true' })).toMatchObject({ cameraAllowPrivate: true });
  });

  it('does not follow redirects, gives up at the deadline and never reads a body', async () => {
    hits = [];
    expect(await probeUrl(`${base}/redirect`, 2000, loopbackAllowed)).toEqual({ ok: true, error: null });
    expect(hits).toEqual(['/redirect']);
    const t0 = Date.now();
    expect(await probeUrl(`${base}/slow`, 300, loopbackAllowed)).toEqual({ ok: false, error: 'no answer in 300 ms' });
    expect(Date.now() - t0).toBeLessThan(300 + 5000); // the deadline, not a hang
    expect(await probeUrl(`${base}/huge`, 2000, loopbackAllowed)).toEqual({ ok: true, error: null });
  });
});

describe('camera registry over HTTP', () => {
  let t: TestContext;
  let cdc: LoggedIn;
  beforeAll(async () => {
    t = await testContext();
    cdc = await t.login('cdc_officer', '40');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses an internal address when a camera is added, and the job refuses one that resolves so', async () => {
    const commune = (await t.db.selectFrom('admin_units').select('code').where('level', '=', 'commune').where('path', 'like', '/VN/40/%').orderBy('code').executeTakeFirstOrThrow()).code;
    const place = (await t.app.inject({ method: 'POST', url: '/api/places', headers: cdc.headers, payload: { name: 'KTX', kind: 'concentrated', communeCode: commune, capacity: 10 } })).json();
    const add = (streamUrl: string) => t.app.inject({ method: 'POST', url: `/api/places/${place.id}/cameras`, headers: cdc.headers, payload: { name: 'Cổng', streamUrl } });
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'rtsp://127.0.0.1:5432/', 'http://[::1]/']) {
      const r = await add(url);
      expect(r.statusCode, url).toBe(400);
      expect(r.json().error.details[0].path).toBe('body.streamUrl');
    }
    hits = [];
    const port = (server.address() as net.AddressInfo).port;
    expect((await add(`http://localhost:${port}/admin`)).statusCode).toBe(201); // a name: checked when probed
    expect(await t.app.vigil.jobs.runNow(PROBE_CAMERAS_JOB)).toEqual({ probed: 1, down: 1 });
    const down = (await t.app.inject({ method: 'GET', url: '/api/cameras/down', headers: cdc.headers })).json().items;
    expect(down[0].lastProbeError).toMatch(/^refused: (127\.0\.0\.1|::1) is a loopback/);
    expect(hits).toEqual([]);
  });
});
