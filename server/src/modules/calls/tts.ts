// Text-to-speech for call prompts: espeak-ng (its own process, voice vi / en / ...) piped into sox, which resamples
// to 8 kHz µ-law, the format every call plays. Static sentences are cached on disk by hash of (text, voice,
// engine); sentences holding a variable (a name, a date) are rendered for each call and kept nowhere. An uploaded
// recording (WAV) of a prompt replaces the synthetic voice for that prompt.
import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import type { PromptRenderer } from './types';
import { fillText } from './runner';
import { SharedRuns } from '../../platform/cache';

export const TTS_ENGINE = 'espeak-ng';

export interface TtsOptions {
  /** where rendered static sentences are kept (the data directory's tts/) */
  cacheDir: string;
  /** words per minute (espeak-ng -s) */
  speed?: number;
  /** at most this many synthesis processes at once */
  concurrency?: number;
  /** an uploaded recording (WAV bytes) for a prompt's text, replacing TTS; null when none */
  recording?: (text: string, language: 'vi' | 'en') => Promise<Buffer | null>;
}

export class TtsError extends Error {}

/** Split into sentences (keeping their punctuation) so each is rendered and cached on its own. */
export function sentences(text: string): string[] {
  return (text.match(/[^.!?…]+[.!?…]*\s*/g) ?? []).map((s) => s.trim()).filter(Boolean);
}

export function cacheKey(text: string, voice: string, engine = TTS_ENGINE): string {
  return createHash('sha256').update(`${engine}\0${voice}\0${text}`).digest('hex');
}

/** Run `cmd args` with `input` on stdin, piping its stdout into sox converting to 8 kHz µ-law raw. */
function toUlaw(producer: { cmd: string; args: string[]; input: Buffer | string } | null, wav?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sox = spawn('sox', ['-q', '-t', 'wav', '-', '-t', 'raw', '-r', '8000', '-e', 'mu-law', '-b', '8', '-c', '1', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    sox.stdout.on('data', (b: Buffer) => out.push(b));
    sox.stderr.on('data', (b: Buffer) => (err += b.toString()));
    sox.on('error', (e) => reject(new TtsError(`sox: ${e.message}`)));
    sox.stdin.on('error', () => {}); // sox exiting early is reported by its exit code
    sox.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new TtsError(`sox exited ${code}: ${err.trim().slice(0, 200)}`))));
    if (!producer) {
      sox.stdin.end(wav);
      return;
    }
    const p = spawn(producer.cmd, producer.args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let perr = '';
    p.stderr.on('data', (b: Buffer) => (perr += b.toString()));
    p.on('error', (e) => {
      sox.kill();
      reject(new TtsError(`${producer.cmd}: ${e.message}`));
    });
    p.on('close', (code) => {
      if (code !== 0) {
        sox.kill();
        reject(new TtsError(`${producer.cmd} exited ${code}: ${perr.trim().slice(0, 200)}`));
      }
    });
    p.stdout.pipe(sox.stdin);
    p.stdin.on('error', () => {});
    p.stdin.end(producer.input);
  });
}

/** Convert an uploaded WAV (any rate, 8/16-bit, mono or stereo) to 8 kHz µ-law. */
export function wavToUlaw(wav: Buffer): Promise<Buffer> {
  return toUlaw(null, wav);
}

export class Tts {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  /** renders of one sentence asked for at once share one */
  private readonly inflight = new SharedRuns<string, Buffer>();
  /** renders done by espeak-ng (not served from the cache), for tests */
  synthesized = 0;

  constructor(private readonly opts: TtsOptions) {}

  private async slot<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= (this.opts.concurrency ?? 2)) await new Promise<void>((r) => this.waiting.push(r));
    this.running++;
    try {
      return await fn();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  /** One sentence through espeak-ng + sox (no cache). */
  synthesize(text: string, voice: string): Promise<Buffer> {
    if (!/^[\w-]{1,40}$/.test(voice)) return Promise.reject(new TtsError(`bad voice ${voice}`));
    return this.slot(async () => {
      this.synthesized++;
      // text on stdin (never an argument: a prompt starting with '-' is not an option); -b 1: UTF-8 input
      return toUlaw({ cmd: 'espeak-ng', args: ['-v', voice, '-s', String(this.opts.speed ?? 150), '-b', '1', '--stdin', '--stdout'], input: text });
    });
  }

  /** A static sentence: from the disk cache, or rendered and stored. */
  cached(text: string, voice: string): Promise<Buffer> {
    const key = cacheKey(text, voice);
    const file = path.join(this.opts.cacheDir, key.slice(0, 2), `${key}.ulaw`);
    return this.inflight.run(key, async () => {
      try {
        return await fs.promises.readFile(file);
      } catch {
        const audio = await this.synthesize(text, voice);
        await fs.promises.mkdir(path.dirname(file), { recursive: true });
        const tmp = `${file}.${randomUUID()}.tmp`;
        await fs.promises.writeFile(tmp, audio);
        await fs.promises.rename(tmp, file); // readers never see half a file
        return audio;
      }
    });
  }

  /** The PromptRenderer calls use (see types.ts). */
  readonly render: PromptRenderer = async (text, opts) => {
    const voice = opts.voice ?? opts.language;
    const template = opts.template ?? text;
    const recorded = await this.opts.recording?.(template, opts.language);
    if (recorded) return this.cachedWav(recorded);
    const vars = opts.vars ?? {};
    const parts = await Promise.all(
      sentences(template).map((s) => (/\{\w+\}/.test(s) ? this.synthesize(fillText(s, vars), voice) : this.cached(s, voice))),
    );
    return Buffer.concat(parts);
  };

  private cachedWav(wav: Buffer): Promise<Buffer> {
    const key = createHash('sha256').update(wav).digest('hex');
    const file = path.join(this.opts.cacheDir, 'recordings', `${key}.ulaw`);
    return fs.promises.readFile(file).catch(async () => {
      const audio = await wavToUlaw(wav);
      await fs.promises.mkdir(path.dirname(file), { recursive: true });
      await fs.promises.writeFile(file, audio);
      return audio;
    });
  }
}
