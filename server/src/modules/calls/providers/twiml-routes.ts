// Fastify routes of the TwiML provider's webhooks and prompt audio.
import type { TwimlProvider } from './twiml';

/**
 * Fastify routes for the webhooks under `prefix` (mounted by the module; `webhookBase` must be the public URL of
 * this prefix). Public by nature (the provider calls them), authenticated by the request signature, bounded bodies.
 */
export function twimlRoutes(provider: TwimlProvider, o: { perMinute?: number } = {}) {
  // public (the provider has no session), limited per client address: the provider's own addresses carry every call
  const config = { public: true, rateLimit: { max: o.perMinute ?? 6000, timeWindow: '1 minute' } };
  return async (app: import('fastify').FastifyInstance) => {
    if (!app.hasContentTypeParser('application/x-www-form-urlencoded'))
      app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });
    app.get<{ Params: { id: string } }>('/audio/:id', { config, schema: { hide: true } }, async (req, reply) => {
      const wav = /^[0-9a-f]{32}-[0-9a-f]{12}\.wav$/.test(req.params.id) ? provider.audioFile(req.params.id) : null;
      if (!wav) return reply.code(404).send({ error: { code: 'NOT_FOUND', message: 'no such prompt', details: { field: 'id' } } });
      return reply.type('audio/wav').send(wav);
    });
    app.post<{ Params: { kind: string }; Querystring: Record<string, string>; Body: Record<string, string> }>('/:kind', { config, bodyLimit: 64 * 1024, schema: { hide: true } }, async (req, reply) => {
      const q = req.url.indexOf('?');
      const r = await provider.handle({
        kind: req.params.kind,
        query: req.query ?? {},
        params: req.body && typeof req.body === 'object' ? req.body : {},
        signature: req.headers['x-twilio-signature'] as string | undefined,
        url: `${provider.webhookBase}/${req.params.kind}${q >= 0 ? req.url.slice(q) : ''}`,
      });
      return reply.code(r.status).type(r.contentType).send(r.body);
    });
  };
}
