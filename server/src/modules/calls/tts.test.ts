// Prompt voice: espeak-ng + sox for real, the disk cache, per-call sentences never stored, recordings overriding.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { Tts, cacheKey, sentences, TtsError } from './tts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-tts-test-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const files = () => fs.readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith('.ulaw')).map(String);

describe('prompt voice (espeak-ng + sox)', () => {
  it('renders Vietnamese to 8 kHz µ-law, caches static sentences by (text, voice, engine), never stores the name', async () => {
    const tts = new Tts({ cacheDir: dir });
    const template = 'Có phải bạn là {name} không? Nếu đúng, bấm phím 1.';
    const a = await tts.render('', { language: 'vi', template, vars: { name: 'Nguyễn Văn An' } });
    expect(a.length / 8000).toBeGreaterThan(1.5); // seconds of speech
    expect(a.length / 8000).toBeLessThan(10);
    expect(new Set(a).size).toBeGreaterThan(50); // speech, not silence
    expect(tts.synthesized).toBe(2);
    expect(files()).toEqual([path.join(cacheKey('Nếu đúng, bấm phím 1.', 'vi').slice(0, 2), `${cacheKey('Nếu đúng, bấm phím 1.', 'vi')}.ulaw`)]);
    for (const f of files()) expect(fs.readFileSync(path.join(dir, f)).includes(Buffer.from('Nguy'))).toBe(false);
    // the next call: only the name is spoken again
    await tts.render('', { language: 'vi', template, vars: { name: 'Trần Thị Bình' } });
    expect(tts.synthesized).toBe(3);
    // another voice is another cache entry
    await tts.render('Nếu đúng, bấm phím 1.', { language: 'vi', voice: 'vi-vn-x-south' });
    expect(tts.synthesized).toBe(4);
    expect(files()).toHaveLength(2);
    // a new process finds the cache on disk
    const again = new Tts({ cacheDir: dir });
    await again.render('Nếu đúng, bấm phím 1.', { language: 'vi' });
    expect(again.synthesized).toBe(0);
  }, 60_000);

  it('renders a new static sentence once for the calls that ask for it at the same time', async () => {
    const tts = new Tts({ cacheDir: dir });
    const sentence = `Cảm ơn bạn đã nghe máy, mã ${process.pid}.`;
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => tts.cached(sentence, 'vi')));
    expect(tts.synthesized).toBe(1);
    expect(b).toBe(a);
    expect(c).toBe(a);
  }, 30_000);

  it('an uploaded WAV recording replaces the voice for its prompt', async () => {
    const wav = path.join(dir, 'rec.wav');
    execFileSync('sox', ['-n', '-r', '16000', '-c', '2', '-b', '16', wav, 'synth', '1.5', 'sine', '440']);
    const tts = new Tts({ cacheDir: dir, recording: async (text) => (text.startsWith('Xin chào') ? fs.readFileSync(wav) : null) });
    const a = await tts.render('Xin chào.', { language: 'vi' });
    expect(a.length).toBe(12_000); // 1.5 s at 8 kHz, mono
    expect(tts.synthesized).toBe(0);
  }, 30_000);

  it('a prompt starting with a dash is text, not an option; a bad voice name is refused', async () => {
    const tts = new Tts({ cacheDir: dir });
    expect((await tts.synthesize('--help me', 'en')).length).toBeGreaterThan(2000);
    await expect(tts.synthesize('x', 'vi; rm -rf /')).rejects.toBeInstanceOf(TtsError);
  }, 30_000);

  it('splits prompts into sentences', () => {
    expect(sentences('Xin chào. Bạn có sốt không? Có, bấm 1!  ')).toEqual(['Xin chào.', 'Bạn có sốt không?', 'Có, bấm 1!']);
  });
});
