// The camera probe is no way into the server's network: only http/https/rtsp(s), every address a host resolves to is
// checked (loopback, link-local/metadata, private, reserved refused unless the operator allows them), the
// connection goes to the checked address, redirects are not followed, one short deadline, the body is never read.
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { sql } from 'kysely';
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
      expect(r.reason, url).toBe('blocked');
      expect(r.detail, url).toMatch(/^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1|169\.254\.169\.254|fe80::1|10\.1\.2\.3|192\.168\.1\.10|172\.20\.0\.5|100\.64\.0\.1|0\.0\.0\.0|::ffff:7f00:1)$/);
    }
    expect(hits).toEqual([]); // nothing reached the internal service
  });

  it('refuses other schemes', async () => {
    for (const [url, scheme] of [['file:///etc/passwd', 'file'], ['gopher://127.0.0.1:25/', 'gopher'], ['ftp://example.org/', 'ftp'], ['data:text/plain,x', 'data']]) expect(await probeUrl(url, 2000, closed), url).toEqual({ ok: false, reason: 'scheme', detail: scheme });
    expect(await probeUrl('not a url', 2000, closed)).toEqual({ ok: false, reason: 'invalid-url', detail: null });
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
    expect(await probeUrl(`${base}/redirect`, 2000, loopbackAllowed)).toEqual({ ok: true, reason: null, detail: null });
    expect(hits).toEqual(['/redirect']);
    const t0 = Date.now();
    expect(await probeUrl(`${base}/slow`, 300, loopbackAllowed)).toEqual({ ok: false, reason: 'timeout', detail: '300' });
    expect(Date.now() - t0).toBeLessThan(300 + 5000); // the deadline, not a hang
    expect(await probeUrl(`${base}/huge`, 2000, loopbackAllowed)).toEqual({ ok: true, reason: null, detail: null });
  });
});

describe('why a camera is down: a reason code and its detail, no sentence', () => {
  const servers: net.Server[] = [];
  afterAll(() => {
    for (const srv of servers) srv.close();
  });
  /** a TCP server on a loopback port that does `onSocket` with each connection */
  async function tcp(onSocket: (s: net.Socket) => void) {
    const srv = net.createServer(onSocket);
    servers.push(srv);
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    return (srv.address() as net.AddressInfo).port;
  }

  it('http status, connection refused, reset, not HTTP, TLS, unknown name', async () => {
    const h = http.createServer((_req, res) => res.writeHead(503).end());
    servers.push(h);
    await new Promise<void>((r) => h.listen(0, '127.0.0.1', r));
    const hp = (h.address() as net.AddressInfo).port;
    expect(await probeUrl(`http://127.0.0.1:${hp}/`, 2000, loopbackAllowed)).toEqual({ ok: false, reason: 'http', detail: '503' });
    // a port nobody listens on
    const deadPort = await tcp(() => {});
    await new Promise<void>((r) => servers.pop()!.close(() => r()));
    expect(await probeUrl(`rtsp://127.0.0.1:${deadPort}/live`, 2000, loopbackAllowed)).toEqual({ ok: false, reason: 'refused', detail: null });
    const resets = await tcp((sock) => sock.resetAndDestroy());
    expect(await probeUrl(`http://127.0.0.1:${resets}/`, 2000, loopbackAllowed)).toMatchObject({ ok: false, reason: 'reset', detail: expect.stringMatching(/^(ECONNRESET|EPIPE)$/) });
    const garbage = await tcp((sock) => sock.end('SSH-2.0-OpenSSH_9.2\r\n\r\n'));
    expect(await probeUrl(`http://127.0.0.1:${garbage}/`, 2000, loopbackAllowed)).toMatchObject({ ok: false, reason: 'protocol', detail: expect.stringMatching(/^HPE_/) });
    // https to a server that speaks plain HTTP: the TLS handshake fails
    expect(await probeUrl(`https://127.0.0.1:${hp}/`, 2000, loopbackAllowed)).toMatchObject({ ok: false, reason: 'tls' });
    // .invalid never resolves (RFC 6761): ENOTFOUND, or EAI_AGAIN on a machine without a resolver
    expect(await probeUrl('rtsp://camera-khu-a.invalid/live', 2000, closed)).toMatchObject({ ok: false, reason: 'dns', detail: expect.stringMatching(/^(ENOTFOUND|EAI_AGAIN)$/) });
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
    expect(down[0].lastProbeReason).toBe('blocked');
    expect(down[0].lastProbeDetail).toMatch(/^(127\.0\.0\.1|::1)$/);
    expect(hits).toEqual([]);
  });

  it('migration 0008 turns the phrases stored before into reason codes', async () => {
    const file = fs.readFileSync(new URL('./migrations/0008_camera_probe_reasons.sql', import.meta.url), 'utf8');
    const place = (await t.db.selectFrom('quarantine_places').select('id').executeTakeFirstOrThrow()).id;
    const old: [string | null, boolean | null][] = [
      ['no answer in 3000 ms', false],
      ['refused: 10.0.0.5 is a private address (VIGIL_CAMERA_ALLOW_PRIVATE)', false],
      ['refused: 127.0.0.1 is a loopback, link-local or reserved address', false],
      ['refused: scheme ftp: (http, https, rtsp, rtsps only)', false],
      ['ENOTFOUND', false],
      ['ECONNREFUSED', false],
      ['ECONNRESET', false],
      ['EHOSTUNREACH', false],
      ['HTTP 503', false],
      ['invalid URL', false],
      ['ERR_TLS_CERT_ALTNAME_INVALID', false],
      ['HPE_INVALID_CONSTANT', false],
      ['something new', false],
      [null, true],
      [null, null],
    ];
    const rows = await t.db
      .transaction()
      .execute(async (tx) => {
        // the table as 0001 left it, with rows the old probe wrote
        await sql`alter table place_cameras drop column last_probe_reason, drop column last_probe_detail, add column last_probe_error text`.execute(tx);
        await sql`delete from place_cameras`.execute(tx);
        for (const [i, [error, ok]] of old.entries()) {
          await sql`insert into place_cameras (place_id, name, stream_url, last_probe_ok, last_probe_error) values (${place}, ${`c${String(i).padStart(2, '0')}`}, 'rtsp://x.invalid/', ${ok}, ${error})`.execute(tx);
        }
        await sql.raw(file).execute(tx);
        const out = await sql<{ last_probe_reason: string | null; last_probe_detail: string | null }>`select last_probe_reason, last_probe_detail from place_cameras order by name`.execute(tx);
        throw Object.assign(new Error('rollback'), { out: out.rows });
      })
      .catch((e: Error & { out?: unknown }) => {
        if (!e.out) throw e;
        return e.out as { last_probe_reason: string | null; last_probe_detail: string | null }[];
      });
    expect(rows.map((r) => [r.last_probe_reason, r.last_probe_detail])).toEqual([
      ['timeout', '3000'],
      ['blocked', '10.0.0.5'],
      ['blocked', '127.0.0.1'],
      ['scheme', 'ftp'],
      ['dns', 'ENOTFOUND'],
      ['refused', null],
      ['reset', 'ECONNRESET'],
      ['unreachable', 'EHOSTUNREACH'],
      ['http', '503'],
      ['invalid-url', null],
      ['tls', 'ERR_TLS_CERT_ALTNAME_INVALID'],
      ['protocol', 'HPE_INVALID_CONSTANT'],
      ['other', 'something new'],
      [null, null],
      [null, null],
    ]);
  });
});
