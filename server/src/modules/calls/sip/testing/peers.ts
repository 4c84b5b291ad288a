// Real SIP peers for the telephony tests and the media bench: baresip (a softphone driven over its ctrl_tcp
// socket), kamailio (a carrier-like proxy asking for digest auth), SIPp (scenarios). Each runs in a temp dir on free
// loopback ports and is stopped by its PID; callers wait for its events (log lines, ctrl events), never sleep.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freeUdpPort } from '../ua';

export const PEER_ADDRESS = '127.0.0.1';

export async function freeTcpPort(address = PEER_ADDRESS): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, address, () => resolve());
  });
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

const tcpFree = (p: number, address: string) =>
  new Promise<boolean>((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(p, address, () => srv.close(() => resolve(true)));
  });

/** A port free for UDP and TCP, with the next one free for TCP (baresip listens on UDP+TCP p and TLS p+1). */
export async function freeSipPort(address = PEER_ADDRESS): Promise<number> {
  for (;;) {
    const p = await freeUdpPort(address);
    if (p < 65535 && (await tcpFree(p, address)) && (await tcpFree(p + 1, address))) return p;
  }
}

/** A child process whose output lines can be awaited. */
export class Peer {
  readonly lines: string[] = [];
  private waiters: { re: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  readonly exited: Promise<number | null>;
  private buf = '';

  constructor(
    readonly name: string,
    readonly proc: ChildProcess,
    readonly dir: string,
  ) {
    const onData = (b: Buffer) => {
      this.buf += b.toString('utf8');
      let i;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, i).replace(/\r$/, '');
        this.buf = this.buf.slice(i + 1);
        this.lines.push(line);
        for (const w of [...this.waiters]) {
          const m = line.match(w.re);
          if (m) {
            this.waiters.splice(this.waiters.indexOf(w), 1);
            w.resolve(m);
          }
        }
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    this.exited = new Promise((r) => proc.once('exit', (code) => r(code)));
  }

  /** The first line (already printed or to come) matching `re`; rejects after timeoutMs or if the peer exits. */
  waitLine(re: RegExp, timeoutMs: number, fromLine = 0): Promise<RegExpMatchArray> {
    for (const line of this.lines.slice(fromLine)) {
      const m = line.match(re);
      if (m) return Promise.resolve(m);
    }
    return new Promise((resolve, reject) => {
      const w = { re, resolve: (m: RegExpMatchArray) => (clearTimeout(timer), resolve(m)) };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error(`${this.name}: no line ${re} within ${timeoutMs} ms; last lines:\n${this.lines.slice(-25).join('\n')}`));
      }, timeoutMs);
      this.waiters.push(w);
      void this.exited.then((code) => {
        if (this.waiters.includes(w)) {
          clearTimeout(timer);
          this.waiters.splice(this.waiters.indexOf(w), 1);
          reject(new Error(`${this.name} exited (${code}) before ${re}; last lines:\n${this.lines.slice(-25).join('\n')}`));
        }
      });
    });
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null && this.proc.pid) {
      try {
        process.kill(this.proc.pid, 'SIGTERM');
      } catch {
        /* gone */
      }
      const t = setTimeout(() => this.proc.pid && this.proc.exitCode === null && process.kill(this.proc.pid, 'SIGKILL'), 5000);
      await this.exited;
      clearTimeout(t);
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

// ---- baresip ----

export interface BaresipEvent {
  type: string;
  class?: string;
  param?: string;
  peeruri?: string;
  [k: string]: unknown;
}

export class Baresip extends Peer {
  private ctrl: net.Socket | null = null;
  private events: BaresipEvent[] = [];
  private eventWaiters: { pred: (e: BaresipEvent) => boolean; resolve: (e: BaresipEvent) => void }[] = [];
  private responses = new Map<string, (r: { ok: boolean; data: string }) => void>();
  private token = 0;

  constructor(
    proc: ChildProcess,
    dir: string,
    readonly sipPort: number,
    readonly ctrlPort: number,
    readonly user: string,
  ) {
    super('baresip', proc, dir);
  }

  get uri(): string {
    return `sip:${this.user}@${PEER_ADDRESS}:${this.sipPort}`;
  }

  /** The WAV files sndfile wrote: `dec` is the audio baresip received (decoded), `enc` what it sent. */
  recordings(): { dec: string[]; enc: string[] } {
    const files = fs.readdirSync(path.join(this.dir, 'rec')).map((f) => path.join(this.dir, 'rec', f));
    return { dec: files.filter((f) => /dec\.wav$/.test(f)), enc: files.filter((f) => /enc\.wav$/.test(f)) };
  }

  async connect(timeoutMs: number): Promise<void> {
    // the control socket is open once baresip says it is ready
    await this.waitLine(/baresip is ready/, timeoutMs);
    this.ctrl = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect(this.ctrlPort, PEER_ADDRESS, () => resolve(s));
      s.once('error', reject);
    });
    let buf = Buffer.alloc(0);
    this.ctrl.on('data', (b: Buffer) => {
      buf = Buffer.concat([buf, b]);
      for (;;) {
        const colon = buf.indexOf(':');
        if (colon < 0) break;
        const len = Number(buf.subarray(0, colon).toString());
        if (buf.length < colon + 1 + len + 1) break;
        const json = buf.subarray(colon + 1, colon + 1 + len).toString('utf8');
        buf = buf.subarray(colon + 1 + len + 1);
        let msg: Record<string, unknown>;
        try {
          msg = JSON.parse(json);
        } catch {
          continue;
        }
        if (msg.event) this.onEvent(msg as unknown as BaresipEvent);
        else if (msg.response && typeof msg.token === 'string') this.responses.get(msg.token)?.({ ok: !!msg.ok, data: String(msg.data ?? '') });
      }
    });
    this.ctrl.on('error', () => {});
  }

  private onEvent(e: BaresipEvent) {
    this.events.push(e);
    for (const w of [...this.eventWaiters]) {
      if (w.pred(e)) {
        this.eventWaiters.splice(this.eventWaiters.indexOf(w), 1);
        w.resolve(e);
      }
    }
  }

  /** Where the events of what comes next start (for waitEvent's `from`). */
  mark(): number {
    return this.events.length;
  }

  /** An event of this type (seen since event number `from`, or to come). */
  waitEvent(type: string, timeoutMs: number, from = 0, pred: (e: BaresipEvent) => boolean = () => true): Promise<BaresipEvent> {
    const seen = this.events.slice(from).find((e) => e.type === type && pred(e));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const w = { pred: (e: BaresipEvent) => e.type === type && pred(e), resolve: (e: BaresipEvent) => (clearTimeout(timer), resolve(e)) };
      const timer = setTimeout(() => {
        this.eventWaiters.splice(this.eventWaiters.indexOf(w), 1);
        reject(new Error(`baresip: no ${type} event within ${timeoutMs} ms (events: ${this.events.map((x) => x.type).join(', ')}); last lines:\n${this.lines.slice(-20).join('\n')}`));
      }, timeoutMs);
      this.eventWaiters.push(w);
    });
  }

  eventTypes(): string[] {
    return this.events.map((e) => e.type);
  }

  command(command: string, params = '', timeoutMs = 5000): Promise<{ ok: boolean; data: string }> {
    const token = `t${++this.token}`;
    const body = Buffer.from(JSON.stringify({ command, params, token }));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`baresip: no answer to ${command} within ${timeoutMs} ms`)), timeoutMs);
      this.responses.set(token, (r) => {
        clearTimeout(timer);
        this.responses.delete(token);
        resolve(r);
      });
      this.ctrl!.write(Buffer.concat([Buffer.from(`${body.length}:`), body, Buffer.from(',')]));
    });
  }

  override async stop(): Promise<void> {
    this.ctrl?.destroy();
    await super.stop();
  }
}

type BaresipOptions = { answer?: 'auto' | 'manual'; user?: string; codecs?: string; timeoutMs?: number };

/**
 * A baresip on 127.0.0.1 that auto-answers (or not), records what it hears, and takes commands over TCP. Its ports
 * are found free before it starts, so another test file may take one in between: then it is started again on others.
 */
export async function startBaresip(opts: BaresipOptions = {}): Promise<Baresip> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startBaresipOnce(opts);
    } catch (e) {
      if (attempt >= 3 || !/Address already in use/.test(String((e as Error)?.message))) throw e;
    }
  }
}

async function startBaresipOnce(opts: BaresipOptions): Promise<Baresip> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-baresip-'));
  const sipPort = await freeSipPort();
  let ctrlPort = await freeTcpPort();
  while (ctrlPort === sipPort + 1 || ctrlPort === sipPort) ctrlPort = await freeTcpPort();
  const user = opts.user ?? 'phone';
  fs.mkdirSync(path.join(dir, 'rec'));
  // what the phone "says": silence (sox writes it; the far end only needs a stream)
  await run('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', path.join(dir, 'silence.wav'), 'trim', '0', '120']);
  const rtpBase = 20000 + Math.floor(Math.random() * 20000) * 2;
  fs.writeFileSync(
    path.join(dir, 'config'),
    [
      `sip_listen ${PEER_ADDRESS}:${sipPort}`,
      `rtp_ports ${rtpBase}-${rtpBase + 200}`,
      `audio_source aufile,${path.join(dir, 'silence.wav')}`,
      'module_path /usr/lib/baresip/modules',
      'module g711.so',
      'module aufile.so',
      'module sndfile.so',
      'module_app account.so',
      'module_app menu.so',
      'module_app ctrl_tcp.so',
      `ctrl_tcp_listen ${PEER_ADDRESS}:${ctrlPort}`,
      `snd_path ${path.join(dir, 'rec')}`,
      `net_interface ${PEER_ADDRESS}`,
      '',
    ].join('\n'),
  );
  fs.writeFileSync(path.join(dir, 'accounts'), `<sip:${user}@${PEER_ADDRESS}:${sipPort}>;regint=0;answermode=${opts.answer ?? 'auto'};audio_codecs=${opts.codecs ?? 'PCMU,PCMA'}\n`);
  fs.writeFileSync(path.join(dir, 'contacts'), '');
  const proc = spawn('baresip', ['-f', dir], { stdio: ['pipe', 'pipe', 'pipe'], cwd: dir });
  const b = new Baresip(proc, dir, sipPort, ctrlPort, user);
  try {
    await b.connect(opts.timeoutMs ?? 15_000);
  } catch (e) {
    await b.stop();
    throw e;
  }
  return b;
}

export function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (b: Buffer) => (err += b.toString()));
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}: ${err}`))));
  });
}

/** The 16-bit samples of a PCM WAV file's data chunk. */
export function wavSamples(file: string): Int16Array {
  const buf = fs.readFileSync(file);
  let off = 12;
  while (off + 8 <= buf.length) {
    const id = buf.toString('ascii', off, off + 4);
    const size = buf.readUInt32LE(off + 4);
    if (id === 'data') {
      const data = buf.subarray(off + 8, Math.min(buf.length, off + 8 + size));
      return new Int16Array(data.buffer.slice(data.byteOffset, data.byteOffset + (data.length & ~1)));
    }
    off += 8 + size + (size & 1);
  }
  return new Int16Array(0);
}

/** Samples in a PCM WAV file (reads the data chunk's size; 16-bit mono as sndfile writes). */
export function wavSeconds(file: string): number {
  const buf = fs.readFileSync(file);
  let off = 12;
  let rate = 8000;
  let blockAlign = 2;
  while (off + 8 <= buf.length) {
    const id = buf.toString('ascii', off, off + 4);
    const size = buf.readUInt32LE(off + 4);
    if (id === 'fmt ') {
      rate = buf.readUInt32LE(off + 12);
      blockAlign = buf.readUInt16LE(off + 20);
    }
    if (id === 'data') return Math.min(size, buf.length - off - 8) / blockAlign / rate;
    off += 8 + size + (size & 1);
  }
  return 0;
}

// ---- kamailio ----

export interface TrunkCredentials {
  user: string;
  password: string;
  realm: string;
}

/** kamailio as a carrier trunk on 127.0.0.1 (see trunk.kamailio.cfg), relaying calls to `phone`. */
export async function startKamailio(opts: { phone: { user: string; port: number }; creds: TrunkCredentials; timeoutMs?: number }): Promise<Peer & { port: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-kamailio-'));
  const port = await freeUdpPort(PEER_ADDRESS);
  const modules = ['/usr/lib/x86_64-linux-gnu/kamailio/modules', '/usr/lib/kamailio/modules'].find((d) => fs.existsSync(path.join(d, 'tm.so')));
  if (!modules) throw new Error('kamailio modules not found (apt-get install kamailio)');
  const template = fs.readFileSync(path.join(path.dirname(new URL(import.meta.url).pathname), 'trunk.kamailio.cfg'), 'utf8');
  const cfg = template.replace(/\{\{(\w+)\}\}/g, (_, k: string) =>
    String({ PORT: port, MODULES: modules, USER: opts.creds.user, PASSWORD: opts.creds.password, REALM: opts.creds.realm, PHONE_USER: opts.phone.user, PHONE_PORT: opts.phone.port }[k] ?? ''),
  );
  const file = path.join(dir, 'kamailio.cfg');
  fs.writeFileSync(file, cfg);
  // -DD: stay in the foreground (its PID is ours to stop), -E: log to stderr; small shared memory; no pid/run files
  const proc = spawn('kamailio', ['-f', file, '-DD', '-E', '-m', '32', '-M', '8', '-Y', dir, '-w', dir], { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  const k = Object.assign(new Peer('kamailio', proc, dir), { port });
  try {
    // its UDP socket is bound (and queues requests for the workers being forked) once it tuned the receive buffer
    await k.waitLine(/SO_RCVBUF is finally/, opts.timeoutMs ?? 15_000);
  } catch (e) {
    await k.stop();
    throw e;
  }
  return k;
}
