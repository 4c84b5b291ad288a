// The script editor's preview: a prompt rendered by the TTS the calls use (espeak-ng + sox, 8 kHz µ-law), sent as a
// 16-bit PCM WAV every browser plays. Example values fill the variables ({name}, {date}).
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError } from '../../platform/http/errors';
import type { AppContext } from '../../platform/module';
import { ulawToLinear } from './media/g711';
import { Tts, TtsError } from './tts';

export function ulawToWav(ulaw: Buffer): Buffer {
  const pcm = Buffer.alloc(ulaw.length * 2);
  for (let i = 0; i < ulaw.length; i++) pcm.writeInt16LE(ulawToLinear(ulaw[i]!), i * 2);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + pcm.length, 4);
  h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(8000, 24);
  h.writeUInt32LE(16000, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([h, pcm]);
}

export async function previewRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const tts = new Tts({ cacheDir: path.join(ctx.config.dataDir, 'tts'), concurrency: 1 });
  app.post(
    '/api/calls/preview',
    {
      config: { permission: 'calls.manage', rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: {
        tags: ['calls'],
        body: Type.Object({ text: Type.String({ minLength: 1, maxLength: 1000 }), language: Type.Union([Type.Literal('vi'), Type.Literal('en')]), voice: Type.Optional(Type.String({ pattern: '^[a-z]{2}[a-zA-Z0-9+-]{0,30}$' })) }, { additionalProperties: false }),
      },
    },
    async (req, reply) => {
      const example = { name: req.body.language === 'vi' ? 'Nguyễn Văn An' : 'John Smith', date: '28/11/2026' };
      try {
        const ulaw = await tts.render(req.body.text, { language: req.body.language, voice: req.body.voice, template: req.body.text, vars: example });
        reply.header('content-type', 'audio/wav').header('cache-control', 'no-store');
        return reply.send(ulawToWav(ulaw));
      } catch (err) {
        if (err instanceof TtsError) throw new AppError(422, 'TTS_FAILED', 'The prompt could not be rendered', [{ path: 'body.voice', message: err.message.slice(0, 200) }]);
        throw err;
      }
    },
  );
}
