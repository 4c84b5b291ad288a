// The HTTP gateway provider against a real HTTP server in the documented shape, and its receipts webhook.
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { testContext, type TestContext } from '../../../../test/helpers';
import { drained } from '../index';
import { HttpSmsProvider } from './http';

const gateway = Fastify({ logger: false });
const got: { auth?: string; body: Record<string, unknown> }[] = [];
let mode: 'ok' | 'busy' | 'refuse' = 'ok';
let url = '';
let t: TestContext;

beforeAll(async () => {
  gateway.post('/send', async (req, reply) => {
    got.push({ auth: req.headers.authorization, body: req.body as Record<string, unknown> });
    if (mode === 'busy') return reply.code(503).send({ code: '99' });
    if (mode === 'refuse') return { code: '05', message: 'brandname not registered' };
    return { code: '00', message_id: `GW-${got.length}`, parts: 2 };
  });
  await gateway.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(gateway.server.address() as { port: number }).port}/send`;
  t = await testContext({ config: { smsProvider: 'http', smsHttpUrl: url, smsHttpToken: 'gw-secret-token', smsRetryDelaySeconds: 0 } });
}, 60_000);
afterAll(async () => {
  await t?.close();
  await gateway.close();
});

describe('HTTP SMS gateway', () => {
  it('posts the documented request and maps answers to accepted, retry and failed', async () => {
    const p = new HttpSmsProvider({ url, token: 'gw-secret-token', source: 'SOYTE' });
    mode = 'ok';
    const sent = await p.send({ to: '+84912345678', text: 'Xin chào bạn', reference: 7 });
    expect(sent).toMatchObject({ outcome: 'accepted', parts: 2, results: [{ index: 0, messageId: `GW-${got.length}` }] });
    expect(got.at(-1)).toEqual({ auth: 'Bearer gw-secret-token', body: { to: '84912345678', from: 'SOYTE', text: 'Xin chào bạn', unicode: true, ref: '7' } });
    mode = 'busy';
    expect(await p.send({ to: '+84912345678', text: 'x' })).toMatchObject({ outcome: 'retry', error: { code: 'HTTP_503', retry: true } });
    mode = 'refuse';
    expect(await p.send({ to: '+84912345678', text: 'x' })).toMatchObject({ outcome: 'failed', error: { code: 'GW_05', message: 'brandname not registered', retry: false } });
    const dead = new HttpSmsProvider({ url: 'http://127.0.0.1:9/send', source: 'SOYTE', timeoutMs: 2000 });
    expect(await dead.send({ to: '+84912345678', text: 'x' })).toMatchObject({ outcome: 'retry', error: { code: 'HTTP_UNREACHABLE' } });
  });

  it('sends a notification through the gateway and takes its receipt only with the gateway token', async () => {
    mode = 'ok';
    await t.db.transaction().execute((trx) => t.events.publish(trx, 'messaging.requested', { purpose: 'campaign', subject: 'http-1', recipients: [{ phone: '0912000555' }], vars: { text: 'Thông báo thử' } }));
    await t.events.settled();
    await drained(t.db);
    const row = await t.db.selectFrom('notifications').select(['id', 'status']).where('subject', '=', 'http-1').executeTakeFirstOrThrow();
    expect(row.status).toBe('accepted');
    const part = await t.db.selectFrom('sms_parts').select('message_id').where('notification_id', '=', row.id).executeTakeFirstOrThrow();
    const receipt = (token: string) =>
      t.app.inject({ method: 'POST', url: '/api/sms/http-receipts', headers: { 'x-sms-gateway-token': token }, payload: { message_id: part.message_id, status: 'DELIVRD' } });
    expect((await receipt('wrong-token-xxxx')).statusCode).toBe(401);
    expect((await t.db.selectFrom('notifications').select('status').where('id', '=', row.id).executeTakeFirstOrThrow()).status).toBe('accepted');
    expect((await receipt('gw-secret-token')).statusCode).toBe(200);
    const after = await sql<{ status: string }>`select status from notifications where id = ${row.id}`.execute(t.db);
    expect(after.rows[0]!.status).toBe('delivered');
  }, 60_000);
});
