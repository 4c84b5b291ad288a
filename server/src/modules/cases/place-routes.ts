// Quarantine/isolation places over HTTP: list with occupancy (per place and per area), create, edit and close,
// occupants,
// admission and discharge, camera registry and the cameras that are down.
import net from 'node:net';
import { refusal } from '../../platform/net-guard';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import { conflict, invalidField, notFound } from '../../platform/http/errors';
import type { AppContext } from '../../platform/module';
import { getPersonIdentities } from '../people';
import { dayOf } from './days';
import { admitToPlace } from './places';
import { PROBE_REASONS, type ProbeReason } from './cameras';
import { routeKit } from './scope';

const Uuid = Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' });
const Day = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' });
const UnitCode = Type.String({ pattern: '^[A-Za-z0-9_.-]{1,20}$' });
const PlaceKind = Type.Union(['concentrated', 'hotel', 'field_hospital', 'hospital', 'other'].map((k) => Type.Literal(k)));
const Purpose = Type.Union(['quarantine', 'isolation', 'both'].map((k) => Type.Literal(k)));
const StreamUrl = Type.String({ pattern: '^(rtsp|rtsps|http|https)://[^\\s]+$', maxLength: 1000 });

const PlaceBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }), kind: PlaceKind, purpose: Type.Optional(Purpose), communeCode: UnitCode, address: Type.Optional(Type.String({ maxLength: 500 })), capacity: Type.Integer({ minimum: 0, maximum: 100000 }) },
  { additionalProperties: false },
);
const PlaceItem = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  purpose: Type.String(),
  communeCode: Type.String(),
  communeName: Type.String(),
  address: Type.String(),
  capacity: Type.Integer(),
  occupied: Type.Integer(),
  active: Type.Boolean(),
  camerasDown: Type.Integer(),
  cameras: Type.Integer(),
});
const CameraItem = Type.Object({
  id: Type.String(),
  placeId: Type.String(),
  placeName: Type.String(),
  name: Type.String(),
  location: Type.String(),
  streamUrl: Type.String(),
  lastProbeAt: Type.Union([Type.String(), Type.Null()]),
  lastProbeOk: Type.Union([Type.Boolean(), Type.Null()]),
  /** why the last probe failed (a code the page translates, cameras.ts PROBE_REASONS), null when up or not probed */
  lastProbeReason: Type.Union([Type.Union(PROBE_REASONS.map((r) => Type.Literal(r))), Type.Null()]),
  /** what completes the reason: HTTP status, deadline in ms, blocked address, system code */
  lastProbeDetail: Type.Union([Type.String(), Type.Null()]),
});

export async function placeRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, access, now, audit, scopeFor, tz } = routeKit(ctx);
  const tags = ['places'];

  const places = async (scope: string[] | null, ids?: string[]) => {
    const r = await sql<{ id: string; name: string; kind: string; purpose: string; commune_code: string; address: string; capacity: number; active: boolean; occupied: number; cameras: number; down: number }>`
      select p.id, p.name, p.kind, p.purpose, p.commune_code, p.address, p.capacity, p.active,
        (select count(*)::int from place_stays s where s.place_id = p.id and s.discharged_on is null) as occupied,
        (select count(*)::int from place_cameras c where c.place_id = p.id) as cameras,
        (select count(*)::int from place_cameras c where c.place_id = p.id and c.last_probe_ok = false) as down
      from quarantine_places p
      where (${scope}::text[] is null or p.commune_code = any(${scope}::text[]))
        and (${ids ?? null}::uuid[] is null or p.id = any(${ids ?? null}::uuid[]))
      order by p.name limit 1000`.execute(db);
    const names = new Map<string, string>();
    for (const c of new Set(r.rows.map((x) => x.commune_code))) names.set(c, (await access.resolver.unit(c))?.name ?? c);
    return r.rows.map((p) => ({
      id: p.id,
      name: p.name,
      kind: p.kind,
      purpose: p.purpose,
      communeCode: p.commune_code,
      communeName: names.get(p.commune_code) ?? p.commune_code,
      address: p.address,
      capacity: p.capacity,
      occupied: p.occupied,
      active: p.active,
      cameras: p.cameras,
      camerasDown: p.down,
    }));
  };

  const loadPlace = async (id: string, perm: 'cases.read' | 'places.manage' | 'cases.write', user: Parameters<typeof access.authorize>[0]) => {
    const p = await db.selectFrom('quarantine_places').selectAll().where('id', '=', id).executeTakeFirst();
    if (!p) throw notFound('Place');
    await access.authorize(user, perm, { unitCode: p.commune_code });
    return p;
  };

  app.get(
    '/api/places',
    { config: { permission: 'cases.read' }, schema: { tags, querystring: Type.Object({ unit: Type.Optional(UnitCode) }), response: { 200: Type.Object({ items: Type.Array(PlaceItem), byArea: Type.Array(Type.Object({ code: Type.String(), name: Type.String(), capacity: Type.Integer(), occupied: Type.Integer() })) }) } } },
    async (req) => {
      const items = await places(await scopeFor(req.user!, 'cases.read', req.query.unit));
      // occupancy per district (the level below the province)
      const byArea = new Map<string, { code: string; name: string; capacity: number; occupied: number }>();
      for (const p of items) {
        const u = await access.resolver.unit(p.communeCode);
        const code = u?.path.split('/').filter(Boolean)[2] ?? p.communeCode;
        const a = byArea.get(code) ?? { code, name: (await access.resolver.unit(code))?.name ?? code, capacity: 0, occupied: 0 };
        a.capacity += p.active ? p.capacity : 0; // a closed place offers no beds
        a.occupied += p.occupied;
        byArea.set(code, a);
      }
      return { items, byArea: [...byArea.values()] };
    },
  );

  app.post('/api/places', { config: { permission: 'places.manage' }, schema: { tags, body: PlaceBody, response: { 201: PlaceItem } } }, async (req, reply) => {
    const b = req.body;
    if (!(await access.resolver.unit(b.communeCode))) throw invalidField('body.communeCode', `is not a known administrative unit ("${b.communeCode}")`);
    await access.authorize(req.user!, 'places.manage', { unitCode: b.communeCode });
    const row = await db
      .insertInto('quarantine_places')
      .values({ name: b.name, kind: b.kind, purpose: b.purpose ?? 'quarantine', commune_code: b.communeCode, address: b.address ?? '', capacity: b.capacity, created_by: req.user!.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(req, { action: 'place.create', subjectType: 'place', subjectId: row.id });
    return reply.status(201).send((await places(null, [row.id]))[0]!);
  });

  const PlacePatch = Type.Object(
    {
      name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
      kind: Type.Optional(PlaceKind),
      purpose: Type.Optional(Purpose),
      address: Type.Optional(Type.String({ maxLength: 500 })),
      capacity: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
      /** false closes the place (no admissions; refused while people are still in it), true reopens it */
      active: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false, minProperties: 1 },
  );
  app.patch(
    '/api/places/:id',
    { config: { permission: 'places.manage' }, schema: { tags, params: Type.Object({ id: Uuid }), body: PlacePatch, response: { 200: PlaceItem } } },
    async (req) => {
      const b = req.body;
      const changed = await db.transaction().execute(async (tx) => {
        // lock the place so an admission cannot slip in between the occupancy check and the change
        const locked = await sql<{ id: string; commune_code: string; capacity: number; active: boolean }>`
          select id, commune_code, capacity, active from quarantine_places where id = ${req.params.id} for update`.execute(tx);
        const p = locked.rows[0];
        if (!p) throw notFound('Place');
        await access.authorize(req.user!, 'places.manage', { unitCode: p.commune_code });
        const occ = await tx.selectFrom('place_stays').select((eb) => eb.fn.countAll<string>().as('n')).where('place_id', '=', p.id).where('discharged_on', 'is', null).executeTakeFirstOrThrow();
        const occupied = Number(occ.n);
        if (b.capacity !== undefined && b.capacity < occupied)
          throw conflict('Capacity below the current occupancy', [{ path: 'body.capacity', message: `${occupied} people are in the place now; discharge or move them first` }]);
        if (b.active === false && p.active && occupied > 0)
          throw conflict('The place still has occupants', [{ path: 'body.active', message: `${occupied} people are in the place now; discharge or move them before closing it` }]);
        const set = {
          ...(b.name !== undefined && { name: b.name }),
          ...(b.kind !== undefined && { kind: b.kind }),
          ...(b.purpose !== undefined && { purpose: b.purpose }),
          ...(b.address !== undefined && { address: b.address }),
          ...(b.capacity !== undefined && { capacity: b.capacity }),
          ...(b.active !== undefined && { active: b.active }),
        };
        await tx.updateTable('quarantine_places').set(set).where('id', '=', p.id).execute();
        return { id: p.id, before: { capacity: p.capacity, active: p.active }, fields: Object.keys(set) };
      });
      const action = b.active === false && changed.before.active ? 'place.close' : b.active === true && !changed.before.active ? 'place.reopen' : 'place.update';
      await audit(req, { action, subjectType: 'place', subjectId: changed.id, details: { fields: changed.fields, capacityBefore: changed.before.capacity, capacity: b.capacity ?? changed.before.capacity } });
      return (await places(null, [changed.id]))[0]!;
    },
  );

  const Occupant = Type.Object({ stayId: Type.String(), personId: Type.String(), fullName: Type.String(), kind: Type.String(), admittedOn: Type.String(), plannedDischargeOn: Type.Union([Type.String(), Type.Null()]) });
  app.get(
    '/api/places/:id',
    { config: { audit: 'handler', permission: 'cases.read' }, schema: { tags, params: Type.Object({ id: Uuid }), response: { 200: Type.Object({ place: PlaceItem, occupants: Type.Array(Occupant), cameras: Type.Array(CameraItem) }) } } },
    async (req) => {
      const p = await loadPlace(req.params.id, 'cases.read', req.user!);
      const stays = await db.selectFrom('place_stays').selectAll().where('place_id', '=', p.id).where('discharged_on', 'is', null).orderBy('admitted_on').execute();
      const people = await getPersonIdentities(db, stays.map((s) => s.person_id));
      const cams = await db.selectFrom('place_cameras').selectAll().where('place_id', '=', p.id).orderBy('name').execute();
      await audit(req, { action: 'place.occupants.read', subjectType: 'place', subjectId: p.id, details: { rows: stays.length } });
      return {
        place: (await places(null, [p.id]))[0]!,
        occupants: stays.map((s) => ({ stayId: s.id, personId: s.person_id, fullName: people.get(s.person_id)?.fullName ?? '—', kind: s.case_id ? 'case' : 'contact', admittedOn: s.admitted_on, plannedDischargeOn: s.planned_discharge_on })),
        cameras: cams.map((c) => cameraView(c, p.name)),
      };
    },
  );

  app.post(
    '/api/places/:id/admit',
    { config: { permission: 'cases.write' }, schema: { tags, params: Type.Object({ id: Uuid }), body: Type.Object({ contactId: Type.Optional(Uuid), caseId: Type.Optional(Uuid), admittedOn: Type.Optional(Day) }, { additionalProperties: false }), response: { 201: Type.Object({ stayId: Type.String() }) } } },
    async (req, reply) => {
      const p = await loadPlace(req.params.id, 'cases.write', req.user!);
      const b = req.body;
      if (!b.contactId === !b.caseId) throw invalidField('body.contactId', 'give a contactId or a caseId');
      let personId: string;
      let plannedDischargeOn: string | null = null;
      if (b.contactId) {
        const c = await db.selectFrom('case_contacts').selectAll().where('id', '=', b.contactId).executeTakeFirst();
        if (!c) throw notFound('Contact');
        await access.authorize(req.user!, 'cases.write', { unitCode: c.unit_code });
        personId = c.person_id;
        plannedDischargeOn = c.order_end;
      } else {
        const c = await db.selectFrom('cases').selectAll().where('id', '=', b.caseId!).executeTakeFirst();
        if (!c) throw notFound('Case');
        await access.authorize(req.user!, 'cases.write', { unitCode: c.commune_code });
        personId = c.person_id;
        await db.updateTable('cases').set({ place_id: p.id, isolation: p.kind === 'hospital' || p.kind === 'field_hospital' ? 'hospital' : 'facility' }).where('id', '=', c.id).execute();
      }
      const stayId = await admitToPlace(db, { placeId: p.id, personId, caseId: b.caseId ?? null, contactId: b.contactId ?? null, admittedOn: b.admittedOn ?? dayOf(now(), tz), plannedDischargeOn });
      await audit(req, { action: 'place.admit', subjectType: 'person', subjectId: personId, details: { placeId: p.id } });
      return reply.status(201).send({ stayId });
    },
  );

  app.post(
    '/api/place-stays/:id/discharge',
    { config: { permission: 'cases.write' }, schema: { tags, params: Type.Object({ id: Uuid }), body: Type.Object({ dischargedOn: Type.Optional(Day) }, { additionalProperties: false }), response: { 200: Type.Object({ ok: Type.Boolean() }) } } },
    async (req) => {
      const s = await db.selectFrom('place_stays').selectAll().where('id', '=', req.params.id).executeTakeFirst();
      if (!s || s.discharged_on) throw notFound('Open stay');
      await loadPlace(s.place_id, 'cases.write', req.user!);
      const day = req.body.dischargedOn ?? dayOf(now(), tz);
      if (day < s.admitted_on) throw invalidField('body.dischargedOn', 'is before the admission');
      await db.updateTable('place_stays').set({ discharged_on: day }).where('id', '=', s.id).execute();
      await audit(req, { action: 'place.discharge', subjectType: 'person', subjectId: s.person_id, details: { placeId: s.place_id } });
      return { ok: true };
    },
  );

  app.post(
    '/api/places/:id/cameras',
    { config: { permission: 'places.manage' }, schema: { tags, params: Type.Object({ id: Uuid }), body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 120 }), location: Type.Optional(Type.String({ maxLength: 200 })), streamUrl: StreamUrl }, { additionalProperties: false }), response: { 201: CameraItem } } },
    async (req, reply) => {
      const p = await loadPlace(req.params.id, 'places.manage', req.user!);
      // an address the probe would refuse is refused now (names are resolved when probing: they may move)
      const host = new URL(req.body.streamUrl).hostname.replace(/^\[|\]$/g, '');
      const why = net.isIP(host) ? refusal(host, { allowPrivate: ctx.config.cameraAllowPrivate, allowNets: ctx.config.cameraAllowNets }) : null;
      if (why) throw invalidField('body.streamUrl', why);
      const row = await db.insertInto('place_cameras').values({ place_id: p.id, name: req.body.name, location: req.body.location ?? '', stream_url: req.body.streamUrl }).returningAll().executeTakeFirstOrThrow();
      await audit(req, { action: 'camera.create', subjectType: 'place', subjectId: p.id });
      return reply.status(201).send(cameraView(row, p.name));
    },
  );

  app.get('/api/cameras/down', { config: { permission: 'cases.read' }, schema: { tags, response: { 200: Type.Object({ items: Type.Array(CameraItem) }) } } }, async (req) => {
    const scope = await access.scopeCodes(req.user!);
    let q = db.selectFrom('place_cameras as c').innerJoin('quarantine_places as p', 'p.id', 'c.place_id').selectAll('c').select('p.name as place_name').where('c.last_probe_ok', '=', false);
    if (scope) q = q.where('p.commune_code', 'in', scope.length ? scope : ['-']);
    return { items: (await q.orderBy('p.name').execute()).map((c) => cameraView(c, c.place_name)) };
  });
}

const cameraView = (c: { id: string; place_id: string; name: string; location: string; stream_url: string; last_probe_at: Date | null; last_probe_ok: boolean | null; last_probe_reason: string | null; last_probe_detail: string | null }, placeName: string) => ({
  id: c.id,
  placeId: c.place_id,
  placeName,
  name: c.name,
  location: c.location,
  streamUrl: withoutPassword(c.stream_url),
  lastProbeAt: c.last_probe_at?.toISOString() ?? null,
  lastProbeOk: c.last_probe_ok,
  lastProbeReason: c.last_probe_reason as ProbeReason | null,
  lastProbeDetail: c.last_probe_detail,
});

/**
 * The stream URL as lists show it: a password in it (rtsp://admin:secret@cam/…, as many cameras are set up) is replaced
 * by ••• — every reader of the places of an area (tracers, commune staff) would otherwise read the cameras' passwords,
 * and the page is shown on screens in offices. The probe uses the stored URL.
 */
export function withoutPassword(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)@/i.exec(url);
  if (!m) return url;
  const userinfo = m[2]!;
  const colon = userinfo.indexOf(':');
  return colon < 0 ? url : `${m[1]}${userinfo.slice(0, colon)}:•••@${url.slice(m[0].length)}`;
}
