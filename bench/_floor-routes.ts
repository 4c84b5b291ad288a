// Measured floors for bench/checkin.ts: two routes inside the app that do ONLY what a check-in cannot do without,
// driven by the same load generator in the same closed loop as the real paths, so that what they reach is what the
// box allows a check-in at best (not a sum of parts measured apart, which leaves out how the three processes share
// the two cores). Each is an upper bound: it skips work the real path must do.
//   POST /api/bench-floor/warm   body as a warm check-in; the poster and the device token are looked up in two Maps
//                                filled before the run (a cache hit: no signature, no revocation or venue state
//                                check, no validation), then the row goes through the group commit (the same
//                                statement, options and pool as the engine) and a short answer is written.
//   POST /api/bench-floor/cold   body as a cold check-in; the poster token and a personal QR are verified with
//                                platform/signing's verifyAsync() through the app's signature workers, as the real path
//                                (the signatures cannot be skipped or cached: never seen),
//                                a form's fields are taken as they come (no phone or commune validation; only the
//                                name key the people module matches on), then the group commit (a form row creates
//                                the person and its device row in the statement, as the engine's) and a short answer.
// Both run the platform hooks every public route runs (as the echo through the app does).
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { Batcher } from '../server/src/platform/batcher';
import { verifyAsync, type KeyRing, type VerifyPool } from '../server/src/platform/signing';
import { normalizeName, PERSONAL_QR_TYPE } from '../server/src/modules/people';
import { CHECKIN_BATCH, insertCheckinsPrepared, VENUE_TOKEN_TYPE, type NewCheckin } from '../server/src/modules/venues';

const STAY_MS = 4 * 3600_000;
const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

interface FloorBody {
  clientId: string;
  venueToken: string;
  people: { token?: string; fullName?: string; phone?: string; birthYear?: number; communeCode?: string }[];
}

export function registerFloorRoutes(
  app: FastifyInstance,
  o: { pool: pg.Pool; keys: KeyRing; verifyPool?: VerifyPool | null; venues: Map<string, { entranceId: string; venueId: string }>; people: Map<string, string> },
) {
  const batcher = new Batcher<NewCheckin, Awaited<ReturnType<typeof insertCheckinsPrepared>>[number]>({
    write: (rows) => insertCheckinsPrepared(o.pool, rows),
    ...CHECKIN_BATCH,
  });
  const route = { config: { public: true, rateLimit: { max: 1e9, timeWindow: '1 minute' } }, bodyLimit: 64 * 1024, schema: { hide: true } };
  const write = async (row: NewCheckin, reply: { status(n: number): unknown }) => {
    const [r] = await batcher.add([row]);
    reply.status(r!.id ? 201 : 409);
    return `{"id":${JSON.stringify(r!.id)},"personId":"${r!.person_id}"}`;
  };
  const row = (b: FloorBody, at: Date, venue: { entranceId: string; venueId: string }, personId: string, newPerson: NewCheckin['newPerson']): NewCheckin => ({
    clientId: b.clientId,
    personId,
    venueId: venue.venueId,
    entranceId: venue.entranceId,
    checkinAt: at,
    autoCheckoutAt: new Date(at.getTime() + STAY_MS),
    checkoutAt: null,
    source: 'qr',
    recordedBy: null,
    newPerson,
  });

  app.post('/api/bench-floor/warm', route, async (req, reply) => {
    const b = req.body as FloorBody;
    const venue = o.venues.get(b.venueToken);
    const personId = o.people.get(b.people[0]?.token ?? '');
    if (!venue || !personId) return reply.status(400).send({ error: 'not a warm body' });
    reply.type('application/json');
    return write(row(b, new Date(), venue, personId, null), reply);
  });

  app.post('/api/bench-floor/cold', route, async (req, reply) => {
    const b = req.body as FloorBody;
    const at = new Date();
    const p = b.people[0]!;
    // both signatures at once, through the app's signature workers as the real path checks them (on the event loop with
    // VIGIL_SIGNATURE_WORKERS=0)
    const [venueToken, card] = await Promise.all([
      verifyAsync(o.keys, b.venueToken, { expectedType: VENUE_TOKEN_TYPE, now: at }, o.verifyPool),
      p.token ? verifyAsync(o.keys, p.token, { expectedType: PERSONAL_QR_TYPE, now: at }, o.verifyPool) : null,
    ]);
    const v = venueToken.body as { e: string; v: string };
    let personId = ZERO_UUID;
    let newPerson: NewCheckin['newPerson'] = null;
    if (card) personId = (card.body as { p: string }).p;
    else
      newPerson = {
        full_name: p.fullName!,
        name_key: normalizeName(p.fullName!),
        birth_date: null,
        birth_year: p.birthYear ?? null,
        sex: null,
        national_id: null,
        phone: p.phone ?? null,
        address: null,
        commune_code: p.communeCode ?? null,
        now: at,
      };
    reply.type('application/json');
    return write(row(b, at, { entranceId: v.e, venueId: v.v }, personId, newPerson), reply);
  });

  app.addHook('onClose', async () => {
    await batcher.drain();
  });
  // the routes' group commit figures (statements, rows, send→commit), for the bench's lines
  return batcher.stats;
}
