// One call's RTP stream: sends prompt audio as 20 ms G.711 frames on the shared media clock, receives the far end's
// audio (for recordings) and its RFC 4733 key presses.
import dgram from 'node:dgram';
import { randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { mediaClock, type ClockListener, type MediaClock } from './clock';
import { alawToUlawBuffer, ulawToAlawInto } from './g711';
import { TelephoneEventReceiver } from './dtmf';

const SAMPLES = 160; // 20 ms at 8 kHz

export interface RtpPeer {
  address: string;
  port: number;
  /** 0 PCMU, 8 PCMA */
  payloadType: number;
  telephoneEventPt: number | null;
}

interface Playback {
  audio: Buffer;
  offset: number;
  bargeIn: boolean;
  done: (r: { hungUp: boolean; interrupted: boolean }) => void;
}

export class RtpStream implements ClockListener {
  private socket: dgram.Socket | null = null;
  private peer: RtpPeer | null = null;
  private readonly ssrc = randomInt(0, 2 ** 32);
  private seq = randomInt(0, 65536);
  private readonly ts0 = randomInt(0, 2 ** 32);
  private slot0 = 0;
  private talking = false;
  private queue: Playback[] = [];
  private closed = false;
  private readonly te: TelephoneEventReceiver;
  private recording: Buffer[] | null = null;
  private onRecorded: ((ulaw: Buffer) => void) | null = null;
  /** frames sent / bytes of audio sent, for tests and CDRs */
  framesSent = 0;
  packetsReceived = 0;
  /** performance.now() of the last packet from the far end (or of connect) */
  lastReceivedAt = 0;
  port = 0;

  constructor(
    private readonly localAddress: string,
    onDigit: (d: string) => void,
    private readonly clock: MediaClock = mediaClock,
  ) {
    this.te = new TelephoneEventReceiver(onDigit);
  }

  async open(): Promise<number> {
    const socket = dgram.createSocket('udp4');
    socket.on('error', () => {}); // ICMP errors on a connected peer, etc.: a call's media never throws
    socket.on('message', (msg) => this.receive(msg));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, this.localAddress, () => resolve());
    });
    this.socket = socket;
    this.port = socket.address().port;
    return this.port;
  }

  /** Start sending to the far end (after the SDP answer / offer told where). */
  connect(peer: RtpPeer): void {
    this.peer = peer;
    this.lastReceivedAt = performance.now();
    this.slot0 = this.clock.currentSlot;
    this.clock.add(this);
  }

  /** Queue µ-law audio; resolves when sent, interrupted (bargeIn + a key) or the stream closed. */
  play(ulaw: Buffer, bargeIn: boolean): Promise<{ hungUp: boolean; interrupted: boolean }> {
    if (this.closed) return Promise.resolve({ hungUp: true, interrupted: false });
    if (ulaw.length === 0) return Promise.resolve({ hungUp: false, interrupted: false });
    return new Promise((done) => this.queue.push({ audio: ulaw, offset: 0, bargeIn, done }));
  }

  /** A key arrived: stop the prompts that may be interrupted. */
  interrupt(): void {
    while (this.queue[0]?.bargeIn) this.queue.shift()!.done({ hungUp: false, interrupted: true });
  }

  /** Keep the caller's audio (as µ-law) from now on; `onFrame` sees each packet's audio as it arrives. */
  startRecording(onFrame?: (ulaw: Buffer) => void): void {
    this.recording = [];
    this.onRecorded = onFrame ?? null;
  }

  stopRecording(): Buffer {
    const out = Buffer.concat(this.recording ?? []);
    this.recording = null;
    this.onRecorded = null;
    return out;
  }

  tick(slot: number, slotTime: number): void {
    const job = this.queue[0];
    if (!job || !this.peer || !this.socket) {
      this.talking = false; // silence suppression: nothing is sent between prompts
      return;
    }
    const frame = Buffer.allocUnsafe(12 + SAMPLES); // from the pool; every byte is written below
    const chunk = job.audio.subarray(job.offset, job.offset + SAMPLES);
    const alaw = this.peer.payloadType === 8;
    if (alaw) ulawToAlawInto(chunk, frame, 12);
    else chunk.copy(frame, 12);
    if (chunk.length < SAMPLES) frame.fill(alaw ? 0xd5 : 0xff, 12 + chunk.length); // the last frame: pad with silence
    job.offset += SAMPLES;
    frame[0] = 0x80;
    frame[1] = (this.talking ? 0 : 0x80) | (this.peer.payloadType & 0x7f); // marker on a talkspurt's first packet
    frame.writeUInt16BE(this.seq, 2);
    this.seq = (this.seq + 1) & 0xffff;
    frame.writeUInt32BE((this.ts0 + (slot - this.slot0) * SAMPLES) >>> 0, 4);
    frame.writeUInt32BE(this.ssrc, 8);
    this.socket.send(frame, this.peer.port, this.peer.address);
    this.talking = true;
    this.framesSent++;
    this.clock.sent(this, performance.now() - slotTime);
    if (job.offset >= job.audio.length) {
      this.queue.shift();
      job.done({ hungUp: false, interrupted: false });
    }
  }

  private receive(msg: Buffer): void {
    if (msg.length < 12 || msg[0]! >> 6 !== 2) return; // not RTP v2
    const cc = msg[0]! & 0x0f;
    const hasExt = (msg[0]! & 0x10) !== 0;
    let off = 12 + cc * 4;
    if (hasExt) {
      if (msg.length < off + 4) return;
      off += 4 + msg.readUInt16BE(off + 2) * 4;
    }
    let end = msg.length;
    if (msg[0]! & 0x20) end -= msg[msg.length - 1]!; // padding
    if (off > end) return;
    this.packetsReceived++;
    this.lastReceivedAt = performance.now();
    const pt = msg[1]! & 0x7f;
    const payload = msg.subarray(off, end);
    if (this.peer && pt === (this.peer.telephoneEventPt ?? 101)) this.te.receive(payload, msg.readUInt32BE(4));
    else if (this.recording && (pt === 0 || pt === 8)) {
      const ulaw = pt === 8 ? alawToUlawBuffer(payload) : Buffer.from(payload);
      this.recording.push(ulaw);
      this.onRecorded?.(ulaw);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.clock.remove(this);
    for (const job of this.queue.splice(0)) job.done({ hungUp: true, interrupted: false });
    try {
      this.socket?.close();
    } catch {
      /* already closed */
    }
  }
}
