// Hotline voice messages over HTTP: supervisors list them (in their area), play one (a WAV for the browser's
// <audio>) and mark it handled. A voice is personal data: every list, play and change is audited, the audio is never
// cached, and a message outside the caller's jurisdiction is a 404 like one that does not exist.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { AuthUser } from '../../platform/auth/service';
import { notFound } from '../../platform/http/errors';
import type { Permission } from '../../platform/auth/roles';
import type { AppContext } from '../../platform/module';
import { callKit } from './kit';
import { UnitCode, Uuid } from './schema';

const Message = Type.Object({
  id: Type.String(),
  unitCode: Type.String(),
  personId: Type.Union([Type.String(), Type.Null()]),
  fullName: Type.String(),
  phone: Type.String(),
  receivedAt: Type.String(),
  durationMs: Type.Integer(),
  endedBy: Type.String(),
  handledAt: Type.Union([Type.String(), Type.Null()]),
  note: Type.String(),
});
const Status = Type.Union([Type.Literal('open'), Type.Literal('handled'), Type.Literal('all')]);
const Params = Type.Object({ id: Uuid });
const COLUMNS = ['id', 'unit_code', 'person_id', 'full_name', 'phone', 'received_at', 'duration_ms', 'ended_by', 'handled_at', 'note'] as const;

export async function voiceRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, access, now, audit, scopeFor } = callKit(ctx);
  const tags = ['calls'];
  const view = (r: { id: string; unit_code: string; person_id: string | null; full_name: string; phone: string; received_at: Date; duration_ms: number; ended_by: string; handled_at: Date | null; note: string }) => ({
    id: r.id,
    unitCode: r.unit_code,
    personId: r.person_id,
    fullName: r.full_name,
    phone: r.phone,
    receivedAt: r.received_at.toISOString(),
    durationMs: r.duration_ms,
    endedBy: r.ended_by,
    handledAt: r.handled_at?.toISOString() ?? null,
    note: r.note,
  });
  /** The message, when it exists and lies in the caller's jurisdiction (else 404, not 403: ids are not probed). */
  const messageFor = async (user: AuthUser, id: string, perm: Permission) => {
    const m = await db.selectFrom('call_voice_messages').select(COLUMNS).where('id', '=', id).executeTakeFirst();
    if (!m) throw notFound('Voice message');
    try {
      await access.authorize(user, perm, { unitCode: m.unit_code });
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 403) throw notFound('Voice message');
      throw e;
    }
    return m;
  };

  app.get(
    '/api/calls/voice-messages',
    {
      config: { permission: 'calls.read', audit: 'handler' },
      schema: {
        tags,
        querystring: Type.Object({ unit: Type.Optional(UnitCode), status: Type.Optional(Status), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(Message) }) },
      },
    },
    async (req) => {
      const scope = await scopeFor(req.user!, 'calls.read', req.query.unit);
      const status = req.query.status ?? 'open';
      let q = db.selectFrom('call_voice_messages').select(COLUMNS).orderBy('received_at', 'desc').limit(req.query.limit ?? 200);
      if (scope) q = q.where('unit_code', 'in', scope.length ? scope : ['']);
      if (status === 'open') q = q.where('handled_at', 'is', null);
      if (status === 'handled') q = q.where('handled_at', 'is not', null);
      const items = (await q.execute()).map(view);
      await audit(req, { action: 'calls.voice_messages_read', subjectType: 'call_voice_message', subjectId: null, details: { unit: req.query.unit ?? null, status, rows: items.length } });
      return { items };
    },
  );

  app.get('/api/calls/voice-messages/:id/audio', { config: { permission: 'calls.read', audit: 'handler' }, schema: { tags, params: Params } }, async (req, reply) => {
    const m = await messageFor(req.user!, req.params.id, 'calls.read');
    const row = await db.selectFrom('call_voice_messages').select('audio').where('id', '=', m.id).executeTakeFirstOrThrow();
    await audit(req, { action: 'calls.voice_message_played', subjectType: 'call_voice_message', subjectId: m.id, details: { personId: m.person_id } });
    reply.header('content-type', 'audio/wav').header('cache-control', 'no-store').header('content-disposition', `inline; filename="vigil-voice-${m.id}.wav"`);
    return reply.send(row.audio);
  });

  app.post(
    '/api/calls/voice-messages/:id/handled',
    {
      config: { permission: 'calls.manage', audit: 'handler' },
      schema: { tags, params: Params, body: Type.Object({ note: Type.Optional(Type.String({ maxLength: 1000, pattern: '^[^\\u0000]*$' })) }, { additionalProperties: false }), response: { 200: Message } },
    },
    async (req) => {
      const m = await messageFor(req.user!, req.params.id, 'calls.manage');
      // handled once: a second click (or a replay) keeps who handled it first and when
      const row = await db
        .updateTable('call_voice_messages')
        .set({ handled_at: now(), handled_by: req.user!.id, note: req.body.note ?? m.note })
        .where('id', '=', m.id)
        .where('handled_at', 'is', null)
        .returning(COLUMNS)
        .executeTakeFirst();
      await audit(req, { action: 'calls.voice_message_handled', subjectType: 'call_voice_message', subjectId: m.id, details: { already: !row } });
      return view(row ?? m);
    },
  );
}
