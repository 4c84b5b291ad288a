// Hostile or odd input from the far end, sent as raw UDP datagrams: malformed SIP, bad SDP, unknown codecs (488),
// stray in-dialog requests; and SIP INFO key presses. None may crash the gateway or leave a channel taken.
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SipProvider } from './ua';
import type { CallSession } from '../types';

const LOCAL = '127.0.0.2';
let p: SipProvider;
let sock: dgram.Socket;
let myPort: number;
const inbox: string[] = [];
let waiters: { re: RegExp; resolve: (s: string) => void }[] = [];
const sessions: CallSession[] = [];

beforeAll(async () => {
  p = new SipProvider({ localAddress: LOCAL, localPort: 0, callerId: 'vigil', maxChannels: 2, maxCallsPerSecond: 10 });
  await p.start();
  p.onInbound(async (s) => {
    sessions.push(s);
    await s.ended;
  });
  sock = dgram.createSocket('udp4');
  sock.on('message', (b) => {
    const text = b.toString('utf8');
    inbox.push(text);
    for (const w of [...waiters]) if (w.re.test(text)) (waiters = waiters.filter((x) => x !== w)), w.resolve(text);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  myPort = sock.address().port;
});
afterAll(async () => {
  await p.close();
  sock.close();
});

const send = (text: string, port = p.port) => new Promise<void>((r) => sock.send(Buffer.from(text.replace(/\r?\n/g, '\r\n')), port, LOCAL, () => r()));
function reply(re: RegExp, timeoutMs = 5000): Promise<string> {
  const seen = inbox.find((t) => re.test(t));
  if (seen) {
    inbox.splice(inbox.indexOf(seen), 1);
    return Promise.resolve(seen);
  }
  return new Promise((resolve, reject) => {
    const w = { re, resolve: (s: string) => (clearTimeout(t), inbox.splice(inbox.indexOf(s), 1), resolve(s)) };
    const t = setTimeout(() => ((waiters = waiters.filter((x) => x !== w)), reject(new Error(`no message ${re} in ${timeoutMs} ms; got:\n${inbox.join('\n---\n')}`))), timeoutMs);
    waiters.push(w);
  });
}

let n = 0;
function invite(sdp: string | null, extra = '') {
  const id = `c${++n}-${Date.now()}`;
  const body = sdp ?? '';
  return {
    id,
    text: `INVITE sip:hotline@${LOCAL}:${p.port} SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:${myPort};branch=z9hG4bK-${id};rport
From: <sip:0912345678@127.0.0.1>;tag=f${id}
To: <sip:hotline@${LOCAL}>
Call-ID: ${id}
CSeq: 1 INVITE
Contact: <sip:0912345678@127.0.0.1:${myPort}>
Max-Forwards: 70
${extra}Content-Type: application/sdp
Content-Length: ${Buffer.byteLength(body.replace(/\n/g, '\r\n'))}

${body}`,
  };
}

const sdp = (codecs: string) => `v=0
o=- 1 1 IN IP4 127.0.0.1
s=-
c=IN IP4 127.0.0.1
t=0 0
m=audio 40000 RTP/AVP ${codecs}
a=rtpmap:96 opus/48000/2
a=rtpmap:9 G722/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
`;

async function stillAnswers() {
  await send(`OPTIONS sip:${LOCAL}:${p.port} SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:${myPort};branch=z9hG4bK-opt${++n}
From: <sip:probe@127.0.0.1>;tag=o${n}
To: <sip:${LOCAL}>
Call-ID: opt${n}
CSeq: 1 OPTIONS
Max-Forwards: 70
Content-Length: 0

`);
  expect(await reply(new RegExp(`^SIP/2.0 200[^]*Call-ID: opt${n}`))).toMatch(/Allow: .*INVITE/);
}

describe('SIP gateway against hostile input', () => {
  it('malformed datagrams (garbage, no headers, broken Via/CSeq, huge, binary) are dropped; the gateway keeps answering', async () => {
    const junk = [
      'hello',
      '\r\n\r\n',
      'INVITE\r\n\r\n',
      'INVITE sip:x SIP/2.0\r\nVia: nonsense\r\nCSeq: x\r\n\r\n',
      `INVITE sip:x@${LOCAL} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:b@c>\r\nCall-ID: bad1\r\nCSeq: 1 INVITE\r\nContent-Length: 99999\r\n\r\nv=0`,
      `SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP ${LOCAL}:${p.port};branch=z9hG4bKnothere\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:b@c>;tag=2\r\nCall-ID: nothere\r\nCSeq: 1 INVITE\r\n\r\n`,
      `SIP/2.0 999999 Huh\r\n\r\n`,
      'X'.repeat(60_000),
      Buffer.from([0, 1, 2, 3, 255, 254, 0x0d, 0x0a, 0x0d, 0x0a]).toString('binary'),
      `BYE sip:x@${LOCAL} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${myPort};branch=z9hG4bKbye\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:b@c>;tag=2\r\nCall-ID: \u0000nul\r\nCSeq: 1 BYE\r\n\r\n`,
    ];
    for (const j of junk) await send(j);
    await stillAnswers();
    expect(p.activeCalls).toBe(0);
  });

  it('an INVITE offering only codecs we do not speak is refused 488; unreadable SDP too; no channel stays taken', async () => {
    const opus = invite(sdp('96 9'));
    await send(opus.text);
    expect(await reply(new RegExp(`^SIP/2.0 488[^]*Call-ID: ${opus.id}`))).toMatch(/Warning: 304/);
    const garbage = invite('this is not sdp');
    await send(garbage.text);
    await reply(new RegExp(`^SIP/2.0 488[^]*Call-ID: ${garbage.id}`));
    const none = invite(null);
    await send(none.text);
    await reply(new RegExp(`^SIP/2.0 488[^]*Call-ID: ${none.id}`));
    expect(p.activeCalls).toBe(0);
    await stillAnswers();
  });

  it('a G.711 INVITE is answered with the codec the caller preferred; INFO key presses reach the session; BYE ends it', async () => {
    const call = invite(sdp('8 0 101'));
    await send(call.text);
    const ok = await reply(new RegExp(`^SIP/2.0 200[^]*Call-ID: ${call.id}`));
    expect(ok).toMatch(/m=audio \d+ RTP\/AVP 8 101/);
    const toTag = /\nTo: [^\r]*;tag=([\w-]+)/.exec(ok)![1];
    const dialog = (method: string, seq: number, extra = '', body = '') =>
      `${method} sip:vigil@${LOCAL}:${p.port} SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:${myPort};branch=z9hG4bK-${method}${seq}${call.id}
From: <sip:0912345678@127.0.0.1>;tag=f${call.id}
To: <sip:hotline@${LOCAL}>;tag=${toTag}
Call-ID: ${call.id}
CSeq: ${seq} ${method}
Max-Forwards: 70
${extra}Content-Length: ${body.length}

${body.replace(/\r?\n/g, '\n')}`;
    await send(dialog('ACK', 1));
    await expect.poll(() => sessions.length).toBe(1);
    const s = sessions[0]!;
    expect(s.direction).toBe('inbound');
    expect(s.remote).toBe('0912345678');
    await send(dialog('INFO', 2, 'Content-Type: application/dtmf-relay\n', 'Signal=7\nDuration=160\n'));
    await reply(new RegExp(`^SIP/2.0 200[^]*CSeq: 2 INFO`));
    expect(await s.nextDigit(2000)).toBe('7');
    await send(dialog('INFO', 3, 'Content-Type: application/dtmf-relay\n', 'Signal=11\n'));
    await reply(new RegExp(`^SIP/2.0 200[^]*CSeq: 3 INFO`));
    expect(await s.nextDigit(2000)).toBe('#');
    await send(dialog('INFO', 4, 'Content-Type: application/dtmf-relay\n', 'Signal=Z\n')); // not a key: ignored
    await reply(new RegExp(`^SIP/2.0 200[^]*CSeq: 4 INFO`));
    await send(dialog('BYE', 5));
    await reply(new RegExp(`^SIP/2.0 200[^]*CSeq: 5 BYE`));
    expect((await s.ended).by).toBe('remote');
    expect(await s.nextDigit(10)).toBeNull();
    await expect.poll(() => p.activeCalls).toBe(0);
    // a BYE for a call that is gone: 481, not a crash
    await send(dialog('BYE', 6));
    await reply(new RegExp(`^SIP/2.0 481[^]*CSeq: 6 BYE`));
  });

  it('a send the OS refuses (broadcast address) fails the call, not the process; a SIP port in use fails start()', async () => {
    const q = new SipProvider({ localAddress: LOCAL, localPort: 0, callerId: 'vigil', maxChannels: 2, maxCallsPerSecond: 10, responseTimeoutMs: 1000 });
    await q.start();
    try {
      expect(await q.dial('sip:x@255.255.255.255:5060', { ringTimeoutMs: 5000 })).toMatchObject({ disposition: 'failed', sipCode: null });
      expect(q.activeCalls).toBe(0);
    } finally {
      await q.close();
    }
    const taken = new SipProvider({ localAddress: LOCAL, localPort: p.port, callerId: 'vigil', maxChannels: 2, maxCallsPerSecond: 10 });
    await expect(taken.start()).rejects.toThrow(/cannot listen on 127\.0\.0\.2:\d+: .*EADDRINUSE/);
    await stillAnswers();
  });

  it('an answered caller who vanishes (no RTP, no BYE) is hung up after the RTP timeout: session ended, BYE sent', async () => {
    const q = new SipProvider({ localAddress: LOCAL, localPort: 0, callerId: 'vigil', maxChannels: 2, maxCallsPerSecond: 10, rtpTimeoutMs: 600 });
    const ended: { by: string }[] = [];
    q.onInbound(async (s) => void ended.push(await s.ended));
    await q.start();
    try {
      const call = invite(sdp('0 101'));
      await send(call.text.replace(`sip:hotline@${LOCAL}:${p.port}`, `sip:hotline@${LOCAL}:${q.port}`).replace(/\n/g, '\r\n'), q.port);
      const ok = await reply(new RegExp(`^SIP/2.0 200[^]*Call-ID: ${call.id}`));
      const toTag = /\nTo: [^\r]*;tag=([\w-]+)/.exec(ok)![1];
      await send(`ACK sip:vigil@${LOCAL}:${q.port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${myPort};branch=z9hG4bK-ack${call.id}\r\nFrom: <sip:0912345678@127.0.0.1>;tag=f${call.id}\r\nTo: <sip:hotline@${LOCAL}>;tag=${toTag}\r\nCall-ID: ${call.id}\r\nCSeq: 1 ACK\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`, q.port);
      await reply(new RegExp(`^BYE [^]*Call-ID: ${call.id}`), 10_000);
      await expect.poll(() => ended).toEqual([expect.objectContaining({ by: 'remote' })]);
      expect(q.activeCalls).toBe(0);
    } finally {
      await q.close();
    }
  });

  it('a host that answers only after we gave up: its late ringing gets a CANCEL, a late 200 gets ACK and BYE', async () => {
    const q = new SipProvider({ localAddress: LOCAL, localPort: 0, callerId: 'vigil', maxChannels: 2, maxCallsPerSecond: 10, responseTimeoutMs: 300 });
    await q.start();
    try {
      for (const late of ['180 Ringing', '200 OK'] as const) {
        const r = await q.dial(`sip:slow@127.0.0.1:${myPort}`, { ringTimeoutMs: 10_000 });
        expect(r).toMatchObject({ disposition: 'failed', sipCode: null });
        const inv = await reply(/^INVITE sip:slow@/);
        const head = (name: string) => new RegExp(`\r\n(${name}: [^\r]*)`, 'i').exec(inv)![1];
        const answer = [
          `SIP/2.0 ${late}`,
          ...inv.split('\r\n').filter((l) => /^Via: /i.test(l)),
          head('From'),
          `${head('To')};tag=slow1`,
          head('Call-ID'),
          head('CSeq'),
          `Contact: <sip:slow@127.0.0.1:${myPort}>`,
          ...(late === '200 OK' ? ['Content-Type: application/sdp'] : []),
        ];
        const body = late === '200 OK' ? sdp('0 101').replace(/\n/g, '\r\n') : '';
        await send(`${answer.join('\r\n')}\r\nContent-Length: ${body.length}\r\n\r\n${body}`, q.port);
        if (late === '180 Ringing') await reply(/^CANCEL sip:slow@/);
        else {
          await reply(/^ACK sip:slow@/);
          await reply(/^BYE sip:slow@/);
        }
        inbox.length = 0;
      }
      expect(q.activeCalls).toBe(0);
    } finally {
      await q.close();
    }
  });

  it('our 200 to an inbound INVITE is sent again until the caller ACKs it (lost ACK over UDP)', async () => {
    const call = invite(sdp('0 101'));
    await send(call.text);
    const first = await reply(new RegExp(`^SIP/2.0 200[^]*Call-ID: ${call.id}`));
    const again = await reply(new RegExp(`^SIP/2.0 200[^]*Call-ID: ${call.id}`), 3000); // T1 = 500 ms, doubling
    expect(again).toBe(first);
    const toTag = /\nTo: [^\r]*;tag=([\w-]+)/.exec(first)![1];
    const before = sessions.length;
    await send(`ACK sip:vigil@${LOCAL}:${p.port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${myPort};branch=z9hG4bK-ack2${call.id}\r\nFrom: <sip:0912345678@127.0.0.1>;tag=f${call.id}\r\nTo: <sip:hotline@${LOCAL}>;tag=${toTag}\r\nCall-ID: ${call.id}\r\nCSeq: 1 ACK\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`);
    await expect.poll(() => sessions.length).toBe(before + 1); // the hotline handler starts once ACKed
    await sessions.at(-1)!.hangup();
    await reply(new RegExp(`^BYE [^]*Call-ID: ${call.id}`));
  });

  it('requests we do not serve (SUBSCRIBE) get 405 with Allow', async () => {
    await send(`SUBSCRIBE sip:x@${LOCAL} SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:${myPort};branch=z9hG4bK-sub${++n}
From: <sip:a@127.0.0.1>;tag=s${n}
To: <sip:x@${LOCAL}>
Call-ID: sub${n}
CSeq: 1 SUBSCRIBE
Max-Forwards: 70
Content-Length: 0

`);
    await reply(new RegExp(`^SIP/2.0 405[^]*Call-ID: sub${n}`));
    expect(p.activeCalls).toBe(0);
  });
});
