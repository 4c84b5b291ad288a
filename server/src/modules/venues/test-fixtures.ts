// Shared helpers for the venues tests (not imported by production code).
import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../platform/db/types';
import { anotherApp, testContext } from '../../../test/helpers';

export const uuid = () => crypto.randomUUID();

/** Two communes of Nghệ An in different districts, and one commune of another district for scope tests. */
export async function communes(db: Db) {
  const rows = await db
    .selectFrom('admin_units')
    .select(['code', 'parent_code', 'path'])
    .where('level', '=', 'commune')
    .where('path', 'like', '/VN/40/%')
    .orderBy('code')
    .execute();
  const a = rows[0]!;
  const b = rows.find((r) => r.parent_code !== a.parent_code)!;
  return { a: a.code, aDistrict: a.parent_code!, b: b.code, bDistrict: b.parent_code!, all: rows.map((r) => r.code) };
}

export async function createVenue(app: FastifyInstance, headers: Record<string, string>, body: Record<string, unknown>) {
  const res = await app.inject({ method: 'POST', url: '/api/venues', headers, payload: { name: 'Chợ Vinh', type: 'market', address: '1 Cao Thắng', ...body } });
  if (res.statusCode !== 201) throw new Error(`create venue: ${res.statusCode} ${res.body}`);
  const detail = res.json() as { venue: { id: string; code: string; status: string }; entrances: { id: string; checkinUrl: string; shortCode: string; shortUrl: string }[] };
  return { ...detail, token: detail.entrances[0]!.checkinUrl.split('/c/')[1]! };
}

/** A venue registered by a venue operator (so it awaits approval), then approved by an officer. */
export async function approvedVenue(app: FastifyInstance, operatorHeaders: Record<string, string>, officerHeaders: Record<string, string>, body: Record<string, unknown>) {
  const venue = await createVenue(app, operatorHeaders, body);
  const res = await app.inject({ method: 'POST', url: `/api/venues/${venue.venue.id}/status`, headers: officerHeaders, payload: { status: 'approved' } });
  if (res.statusCode !== 200) throw new Error(`approve venue: ${res.statusCode} ${res.body}`);
  return venue;
}

export const form = (over: Record<string, unknown> = {}) => ({
  fullName: 'Nguyễn Văn An',
  phone: '0912345678',
  birthYear: 1985,
  ...over,
});

/**
 * The two apps of the signature-worker check-in tests: `t` sends every first-seen QR signature to its worker thread
 * (minBatch 1: even one alone in its turn, which by default is checked on the event loop), `onLoop` checks them on the
 * event loop, with the same keys and database; a venue of venue operator `op` in commune a, approved.
 */
export async function signatureWorkerApps() {
  const t = await testContext({ config: { publicCheckinsPerMinute: 1_000_000, signatureWorkers: 1 } });
  let onLoop: Awaited<ReturnType<typeof anotherApp>> | undefined;
  try {
    t.app.vigil.verifyPool.minBatch = 1;
    onLoop = await anotherApp(t, { keys: t.app.vigil.keys, config: { signatureWorkers: 0 } });
    const commune = (await communes(t.db)).a;
    const officer = await t.login('cdc_officer', '40');
    const op = await t.login('venue_operator', commune);
    const venue = await approvedVenue(t.app, op.headers, officer.headers, { communeCode: commune });
    return { t, onLoop, op, commune, venue, entranceId: venue.entrances[0]!.id, venueId: venue.venue.id };
  } catch (err) {
    await onLoop?.close();
    await t.close();
    throw err;
  }
}

/** POST /api/checkins on `app`: one check-in (a clientId added) or a gate batch (`{ items }`). */
export function postCheckin(app: FastifyInstance, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: '/api/checkins', headers, payload: body.items ? body : { clientId: uuid(), ...body } });
}

/** A check-in's answer as '<status> <error code, or the first result's status>[ <the field the error names>]'. */
export async function checkinOutcome(app: FastifyInstance, body: Record<string, unknown>): Promise<string> {
  const res = await postCheckin(app, body);
  const json = res.json();
  return `${res.statusCode} ${json.error?.code ?? json.results?.[0]?.status}${json.error ? ` ${json.error.details?.[0]?.path}` : ''}`;
}
