// Calls through a carrier-like trunk (kamailio: 407 digest challenge, Record-Route) and the ways a call fails:
// no answer (ring timeout, CANCEL), busy and the other SIP causes, an unreachable host, the far end hanging up
// mid-prompt.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SipMessage } from 'sip';
import { SipProvider, freeUdpPort, type SipProviderOptions } from './ua';
import { startBaresip, startKamailio, type Baresip, type Peer } from './testing/peers';

const LOCAL = '127.0.0.2';
const creds = { user: 'vigiltrunk', password: 'trunk-secret-1', realm: 'trunk.test' };
let phone: Baresip;
let ringer: Baresip;
let trunk: Peer & { port: number };
const providers: SipProvider[] = [];

beforeAll(async () => {
  [phone, ringer] = await Promise.all([startBaresip({ user: 'phone' }), startBaresip({ user: 'ringer', answer: 'manual' })]);
  trunk = await startKamailio({ phone: { user: phone.user, port: phone.sipPort }, creds });
});
afterAll(async () => {
  await Promise.all(providers.map((p) => p.close()));
  await Promise.all([phone?.stop(), ringer?.stop(), trunk?.stop()]);
});

interface Traced {
  dir: 'in' | 'out';
  m: SipMessage;
  peer: { address: string; port: number };
}

async function provider(extra: Partial<SipProviderOptions> = {}) {
  const trace: Traced[] = [];
  const p = new SipProvider({
    localAddress: LOCAL,
    localPort: 0,
    callerId: '1900123',
    maxChannels: 4,
    maxCallsPerSecond: 20,
    trunk: { host: '127.0.0.1', port: trunk.port, user: creds.user, password: creds.password },
    trace: (dir, m, peer) => trace.push({ dir, m: JSON.parse(JSON.stringify(m)), peer }),
    ...extra,
  });
  await p.start();
  providers.push(p);
  return { p, trace };
}

const line = (t: Traced) => `${t.dir} ${t.m.method ?? t.m.status} ${t.m.headers.cseq?.method ?? ''}`;

describe('SIP through a trunk and the failure paths', () => {
  it('through the trunk: 407, INVITE again with credentials, 200; ACK and BYE follow the Record-Route through the trunk', async () => {
    const { p, trace } = await provider();
    const from = trunk.lines.length;
    const mark = phone.mark();
    const r = await p.dial('0912 345 678', { ringTimeoutMs: 10_000 });
    expect(r).toMatchObject({ disposition: 'answered', sipCode: 200 });
    await trunk.waitLine(/trunk: INVITE authenticated for vigiltrunk/, 5000, from);
    await phone.waitEvent('CALL_ESTABLISHED', 5000, mark);
    // one INVITE per CSeq: on a busy machine the trunk's 407 may come after Timer A (500 ms), and UDP retransmits the
    // same INVITE (same CSeq) as RFC 3261 §17.1.1.2 requires; that is not a third request
    const invites = trace
      .filter((t) => t.dir === 'out' && t.m.method === 'INVITE')
      .filter((t, i, all) => all.findIndex((u) => u.m.headers.cseq?.seq === t.m.headers.cseq?.seq) === i);
    expect(invites).toHaveLength(2);
    expect(invites[0]!.m.headers['proxy-authorization']).toBeUndefined();
    expect(JSON.stringify(invites[1]!.m.headers['proxy-authorization'])).toContain(creds.user);
    expect(JSON.stringify(invites[1]!.m.headers['proxy-authorization'])).not.toContain(creds.password);
    expect(invites[0]!.m.uri).toBe(`sip:0912345678@127.0.0.1:${trunk.port}`);
    const finals = trace.filter((t) => t.dir === 'in' && t.m.headers.cseq?.method === 'INVITE' && (t.m.status ?? 0) >= 200).map((t) => t.m.status);
    expect(finals[0]).toBe(407);
    expect(finals).toContain(200);
    const ok = trace.find((t) => t.dir === 'in' && t.m.status === 200)!;
    expect(JSON.stringify(ok.m.headers['record-route'])).toContain(`"host":"127.0.0.1","port":${trunk.port}`);
    await r.session!.play(Buffer.alloc(1600, 0xff));
    await r.session!.hangup();
    const ack = trace.find((t) => t.dir === 'out' && t.m.method === 'ACK' && t.m.headers.cseq?.seq === invites[1]!.m.headers.cseq?.seq)!;
    const bye = trace.find((t) => t.dir === 'out' && t.m.method === 'BYE')!;
    for (const req of [ack, bye]) {
      expect(JSON.stringify(req.m.headers.route)).toContain(`"host":"127.0.0.1","port":${trunk.port}`);
      expect(req.peer.port).toBe(trunk.port); // sent to the trunk (first route), not straight to the phone
    }
    expect(trace.some((t) => t.dir === 'in' && t.m.status === 200 && t.m.headers.cseq?.method === 'BYE')).toBe(true);
    await trunk.waitLine(/trunk: in-dialog BYE relayed by route/, 5000, from);
    await phone.waitEvent('CALL_CLOSED', 5000, mark);
  }, 60_000);

  it.each([
    ['0900000486', 486, 'busy'],
    ['0900000600', 600, 'busy'],
    ['0900000480', 480, 'no-answer'],
    ['0900000404', 404, 'invalid-number'],
    ['0900000484', 484, 'invalid-number'],
    ['0900000604', 604, 'invalid-number'],
    ['0900000603', 603, 'rejected'],
    ['0900000503', 503, 'failed'],
  ] as const)('the trunk answers %s with %i: disposition %s', async (number, code, disposition) => {
    const { p, trace } = await provider();
    const r = await p.dial(number, { ringTimeoutMs: 10_000 });
    expect(r).toMatchObject({ disposition, sipCode: code });
    expect(r.session).toBeUndefined();
    // the transaction acknowledged the final answer (and the 407 before it)
    expect(trace.filter((t) => t.dir === 'out' && t.m.method === 'ACK').length).toBeGreaterThanOrEqual(2);
    expect(p.activeCalls).toBe(0);
  }, 30_000);

  it('no answer: the phone rings until the ring timeout, we CANCEL, the phone stops ringing; disposition no-answer', async () => {
    const { p, trace } = await provider({ trunk: undefined });
    const mark = ringer.mark();
    const r = await p.dial(ringer.uri, { ringTimeoutMs: 1500 });
    expect(r).toMatchObject({ disposition: 'no-answer', sipCode: 487 });
    expect(r.ringingAt).toBeInstanceOf(Date);
    expect(trace.map(line)).toEqual(expect.arrayContaining(['in 180 INVITE', 'out CANCEL CANCEL', 'in 200 CANCEL', 'in 487 INVITE']));
    await ringer.waitEvent('CALL_CLOSED', 5000, mark);
    expect(p.activeCalls).toBe(0);
  }, 30_000);

  it('unreachable host: nothing answers the INVITE; failed without a SIP code', async () => {
    const { p } = await provider({ trunk: undefined, responseTimeoutMs: 1500 });
    const dead = await freeUdpPort('127.0.0.1');
    const r = await p.dial(`sip:nobody@127.0.0.1:${dead}`, { ringTimeoutMs: 10_000 });
    expect(r).toMatchObject({ disposition: 'failed', sipCode: null });
    expect(r.reason).toMatch(/no response/);
    expect(p.activeCalls).toBe(0);
  }, 30_000);

  it('a number that is not one, or a number without a trunk: invalid-number, nothing sent', async () => {
    const { p, trace } = await provider({ trunk: undefined });
    expect(await p.dial('0912345678', { ringTimeoutMs: 1000 })).toMatchObject({ disposition: 'invalid-number', sipCode: null });
    expect(await p.dial('call me maybe', { ringTimeoutMs: 1000 })).toMatchObject({ disposition: 'invalid-number' });
    expect(trace).toHaveLength(0);
  });

  it('the far end hangs up mid-prompt: play returns early with hungUp, the session ended by remote, the channel is free', async () => {
    const { p } = await provider({ trunk: undefined });
    const mark = phone.mark();
    const r = await p.dial(phone.uri, { ringTimeoutMs: 10_000 });
    expect(r.disposition).toBe('answered');
    const s = r.session!;
    const long = Buffer.alloc(8000 * 60, 0xff); // a minute of audio
    const playing = s.play(long);
    await phone.waitEvent('CALL_RTPESTAB', 5000, mark); // the phone hears us
    const digit = s.nextDigit(60_000);
    expect((await phone.command('hangup')).ok).toBe(true);
    expect(await playing).toEqual({ hungUp: true, interrupted: false });
    expect(await digit).toBeNull();
    expect((await s.ended).by).toBe('remote');
    expect(await s.play(Buffer.alloc(160))).toEqual({ hungUp: true, interrupted: false });
    expect(p.activeCalls).toBe(0);
    await s.hangup(); // idempotent, sends nothing more
  }, 30_000);

  it('REGISTER with the trunk: 401 then credentials, 200; un-REGISTER (expires 0) on close', async () => {
    const from = trunk.lines.length;
    const { p, trace } = await provider({ register: true, registerExpiresS: 120 });
    await trunk.waitLine(/trunk: REGISTER authenticated for vigiltrunk contact <?sip:vigiltrunk@127\.0\.0\.2:\d+>? expires 120/, 5000, from);
    const regs = trace.filter((t) => t.m.headers.cseq?.method === 'REGISTER' && t.dir === 'in').map((t) => t.m.status);
    expect(regs).toEqual([401, 200]);
    await p.close();
    providers.splice(providers.indexOf(p), 1);
    await trunk.waitLine(/trunk: REGISTER authenticated for vigiltrunk contact .* expires 0/, 5000, from);
  }, 30_000);

  it('channels: a dial beyond maxChannels fails at once without an INVITE', async () => {
    const { p, trace } = await provider({ trunk: undefined, maxChannels: 1 });
    const first = await p.dial(phone.uri, { ringTimeoutMs: 10_000 });
    expect(first.disposition).toBe('answered');
    const before = trace.length;
    expect(await p.dial(phone.uri, { ringTimeoutMs: 10_000 })).toMatchObject({ disposition: 'failed', reason: 'all channels busy' });
    expect(trace.slice(before).filter((t) => t.m.method === 'INVITE')).toHaveLength(0);
    await first.session!.hangup();
    expect(p.activeCalls).toBe(0);
  }, 30_000);
});
