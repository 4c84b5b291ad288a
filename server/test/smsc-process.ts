// Starts test/smsc.ts as its own process and reads its JSON lines: for the SMPP tests and the sms benchmark.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

const SCRIPT = path.join(path.dirname(new URL(import.meta.url).pathname), 'smsc.ts');

export interface SmscLine {
  ev: string;
  [k: string]: unknown;
}

export class Smsc {
  readonly lines: SmscLine[] = [];
  private waiters: { pred: (l: SmscLine) => boolean; resolve: (l: SmscLine) => void }[] = [];
  private exited: Promise<void>;
  port = 0;

  private constructor(private readonly child: ChildProcess) {
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      let l: SmscLine;
      try {
        l = JSON.parse(line);
      } catch {
        return;
      }
      this.lines.push(l);
      this.waiters = this.waiters.filter((w) => (w.pred(l) ? (w.resolve(l), false) : true));
    });
    this.exited = new Promise((r) => child.on('exit', () => r()));
  }

  static async start(env: Record<string, string> = {}): Promise<Smsc> {
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'inherit'] });
    const s = new Smsc(child);
    const l = await s.next((x) => x.ev === 'listening', 30_000);
    s.port = Number(l.port);
    return s;
  }

  url(systemId = 'vigil', password = 'secret') {
    return `smpp://${systemId}:${password}@127.0.0.1:${this.port}`;
  }

  /** The first line (already seen or coming) that matches; rejects after `timeoutMs`. */
  next(pred: (l: SmscLine) => boolean, timeoutMs = 20_000, fromIndex = 0): Promise<SmscLine> {
    const seen = this.lines.slice(fromIndex).find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`SMSC: no matching line in ${timeoutMs} ms; last: ${JSON.stringify(this.lines.slice(-3))}`)), timeoutMs);
      this.waiters.push({ pred, resolve: (l) => (clearTimeout(timer), resolve(l)) });
    });
  }

  submits(): SmscLine[] {
    return this.lines.filter((l) => l.ev === 'submit');
  }

  command(cmd: object) {
    this.child.stdin!.write(`${JSON.stringify(cmd)}\n`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    this.child.kill('SIGTERM');
    await this.exited;
  }
}
