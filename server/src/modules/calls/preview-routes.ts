// The script editor's preview: a prompt rendered by the TTS the calls use (espeak-ng + sox, 8 kHz µ-law), sent as a
// 16-bit PCM WAV every browser plays. Example values fill the variables ({name}, {date}).
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError } from '../../platform/http/errors';
import type { AppContext } from '../../platform/module';
import { ulawToPcmWav } from './media/wav';
import { Tts, TtsError } from './tts';

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
        return reply.send(ulawToPcmWav(ulaw));
      } catch (err) {
        if (err instanceof TtsError) throw new AppError(422, 'TTS_FAILED', 'The prompt could not be rendered', [{ path: 'body.voice', message: err.message.slice(0, 200) }]);
        throw err;
      }
    },
  );
}
