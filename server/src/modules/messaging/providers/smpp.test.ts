// The SMPP client against a real SMSC process (test/smsc.ts on npm smpp's server), not a mock of our client.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Smsc } from '../../../../test/smsc-process';
import { SmppProvider } from './smpp';
import type { InboundSms, Receipt } from './types';

const log = { info() {}, warn() {} };
const started: { stop(): Promise<unknown> }[] = [];
const smscs: Smsc[] = [];
const providers: SmppProvider[] = [];

async function smsc(env: Record<string, string> = {}) {
  const s = await Smsc.start(env);
  smscs.push(s);
  return s;
}
function client(url: string, extra: Partial<ConstructorParameters<typeof SmppProvider>[0]> = {}) {
  const p = new SmppProvider({ url, source: 'VIGIL', tps: 200, window: 10, responseTimeoutMs: 5000, reconnectMinMs: 100, reconnectMaxMs: 1000, log, ...extra });
  providers.push(p);
  return p;
}
const stateIs = (p: SmppProvider, pred: (d: string) => boolean) =>
  new Promise<void>((resolve) => {
    if (pred(p.state().detail)) return resolve();
    const on = () => {
      if (pred(p.state().detail)) {
        p.off('state', on);
        resolve();
      }
    };
    p.on('state', on);
  });

afterEach(async () => {
  for (const p of providers.splice(0)) await p.close();
  for (const s of smscs.splice(0)) await s.stop();
});
afterAll(async () => {
  for (const s of started) await s.stop();
});

describe('SMPP client against a real SMSC process', () => {
  it('is refused with a wrong password and says so; binds with the right one', async () => {
    const s = await smsc();
    const bad = client(s.url('vigil', 'wrong'));
    await stateIs(bad, (d) => d.startsWith('bind refused'));
    expect(bad.state()).toEqual({ ready: false, detail: 'bind refused (ESME_RINVPASWD)' });
    const r = await bad.send({ to: '+84912345678', text: 'x' }).catch((e) => e);
    expect(r.outcome).toBe('retry');
    expect(r.error.code).toBe('NOT_BOUND');
    const good = client(s.url());
    await stateIs(good, (d) => d === 'bound');
    expect((await s.next((l) => l.ev === 'bind' && l.ok === true)).systemId).toBe('vigil');
  }, 30_000);

  it('sends Vietnamese as UCS-2 in concatenated parts and maps each part’s receipt back', async () => {
    const s = await smsc();
    const p = client(s.url());
    const receipts: Receipt[] = [];
    p.on('receipt', (r: Receipt) => receipts.push(r));
    const text = 'Sở Y tế Nghệ An: Bạn đã tiếp xúc gần với một ca bệnh tại Chợ Vinh ngày 12/8. Hãy cách ly tại nhà đến hết ngày 26/8 và gọi 1900 9095 nếu sốt, ho, khó thở.';
    const r = await p.send({ to: '+84912345678', text, reference: 77 });
    expect(r.outcome).toBe('accepted');
    expect(r.parts).toBe(3);
    await expect.poll(() => s.submits().length, { timeout: 10_000 }).toBe(3);
    const subs = s.submits();
    expect(subs).toHaveLength(3);
    expect(subs.every((x) => x.dataCoding === 8 && x.dest === '84912345678' && x.source === 'VIGIL' && x.sourceTon === 5)).toBe(true);
    expect(subs.map((x) => x.concat)).toEqual([1, 2, 3].map((seq) => ({ ref: 77, total: 3, seq })));
    expect(subs.map((x) => x.text).join('')).toBe(text);
    expect(r.results.map((x) => x.messageId)).toEqual(subs.map((x) => x.id));
    await expect.poll(() => receipts.length, { timeout: 10_000 }).toBe(3);
    expect(receipts.map((x) => [x.messageId, x.state])).toEqual(subs.map((x) => [x.id, 'delivered']));
  }, 30_000);

  it('sends plain text as GSM 7-bit in one part', async () => {
    const s = await smsc();
    const p = client(s.url());
    const r = await p.send({ to: '+84912345678', text: 'Ma xac nhan Vigil: 123456' });
    expect(r).toMatchObject({ outcome: 'accepted', parts: 1 });
    await s.next((l) => l.ev === 'submit');
    expect(s.submits()[0]).toMatchObject({ dataCoding: 0, text: 'Ma xac nhan Vigil: 123456', concat: null });
  }, 30_000);

  it('reports failed receipts and passes STOP replies on as inbound texts', async () => {
    const s = await smsc({ SMSC_UNDELIVERABLE: '0000' });
    const p = client(s.url());
    const receipts: Receipt[] = [];
    const inbound: InboundSms[] = [];
    p.on('receipt', (r: Receipt) => receipts.push(r));
    p.on('inbound', (m: InboundSms) => inbound.push(m));
    const r = await p.send({ to: '+84910000000', text: 'hello' });
    await expect.poll(() => receipts.length, { timeout: 10_000 }).toBe(1);
    expect(receipts[0]).toMatchObject({ messageId: r.results[0]!.messageId, state: 'failed', detail: 'UNDELIV err:001' });
    s.command({ cmd: 'mo', from: '84912345678', text: 'STOP' });
    await expect.poll(() => inbound.length, { timeout: 10_000 }).toBe(1);
    expect(inbound[0]).toMatchObject({ from: '+84912345678', text: 'STOP' });
  }, 30_000);

  it('reconnects after the SMSC restarts and after a malformed PDU, then sends again', async () => {
    const s1 = await smsc();
    const port = String(s1.port);
    const p = client(s1.url());
    await stateIs(p, (d) => d === 'bound');
    await s1.stop();
    await stateIs(p, (d) => d !== 'bound');
    const s2 = await smsc({ SMSC_PORT: port });
    await stateIs(p, (d) => d === 'bound');
    expect((await p.send({ to: '+84912345678', text: 'after restart' })).outcome).toBe('accepted');
    // the SMSC prints its line before it answers, but the answer (TCP) may reach us before the line (its stdout)
    await s2.next((l) => l.ev === 'submit');
    expect(s2.submits()).toHaveLength(1);
    // garbage on the wire: the client drops the connection and binds again
    const binds = s2.lines.filter((l) => l.ev === 'bind').length;
    s2.command({ cmd: 'garbage' });
    await s2.next((l) => l.ev === 'bind' && l.ok === true, 20_000, s2.lines.findLastIndex((l) => l.ev === 'bind') + 1);
    expect(s2.lines.filter((l) => l.ev === 'bind').length).toBe(binds + 1);
    await stateIs(p, (d) => d === 'bound');
    expect((await p.send({ to: '+84912345678', text: 'after garbage' })).outcome).toBe('accepted');
  }, 60_000);

  it('throttles to its TPS and backs off when the SMSC answers ESME_RTHROTTLED', async () => {
    const s = await smsc({ SMSC_TPS: '5' });
    // ours is faster than the SMSC allows: some parts are refused as throttled (retry), none is lost
    const p = client(s.url(), { tps: 50 });
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => p.send({ to: `+8491234${String(i).padStart(4, '0')}`, text: `n${i}` })));
    const throttled = results.filter((r) => r.outcome === 'retry');
    expect(throttled.length).toBeGreaterThan(0);
    expect(throttled.every((r) => r.error!.code === 'ESME_RTHROTTLED' && r.error!.retry)).toBe(true);
    expect(results.filter((r) => r.outcome === 'accepted').length + throttled.length).toBe(12);
    // at our own TPS below the SMSC's, the sends are spaced and none is refused
    const s2 = await smsc({ SMSC_TPS: '5' });
    const slow = client(s2.url(), { tps: 4 });
    await stateIs(slow, (d) => d === 'bound');
    const t0 = Date.now();
    const again = await Promise.all(Array.from({ length: 6 }, (_, i) => slow.send({ to: `+8491235${String(i).padStart(4, '0')}`, text: `m${i}` })));
    expect(again.every((r) => r.outcome === 'accepted')).toBe(true);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000); // 6 parts at 4/s take at least 1.25 s
  }, 60_000);
});
