// Venue rules: registration, editing, approval/suspension, entrances, operators, who may see what.
import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Db, DbOrTx } from '../../platform/db/types';
import type { Access } from '../../platform/auth/access';
import type { AuthUser } from '../../platform/auth/service';
import { conflict, forbidden, invalidField, notFound } from '../../platform/http/errors';
import type { KeyRing } from '../../platform/signing';
import { isLoopbackUrl } from '../../platform/public-url';
import {
  entrancesOf,
  findVenue,
  findVenueByCode,
  isOperator,
  listVenues,
  operatorsOf,
  type EntranceRow,
  type VenueRow,
} from './queries';
import type { CreateVenueBody, EntranceItem, UpdateVenueBody, VenueDetail, VenueItem, VenueListQuery } from './schema';
import { checkinUrl, entranceShortCode, shortCheckinUrl, signVenueToken } from './tokens';

export const DEFAULT_ENTRANCE_NAME = 'Lối vào chính';

/** A user who may act only on venues they operate (venue operators), as opposed to officers scoped by area. */
export const isOwnOnly = (u: AuthUser) => u.permissions.has('venues.own') && !u.permissions.has('venues.read');

export interface VenueRights {
  view: boolean;
  edit: boolean;
  approve: boolean;
  readCheckins: boolean;
  gate: boolean;
  manageOperators: boolean;
}

/** What `user` may do with `venue`. Officers: within their jurisdiction; operators: only their venues. */
export async function venueRights(db: DbOrTx, access: Access, user: AuthUser, venue: Pick<VenueRow, 'id' | 'commune_code'>): Promise<VenueRights> {
  const unitCode = venue.commune_code;
  const operator = user.permissions.has('venues.own') ? await isOperator(db, user.id, venue.id) : false;
  const officer = async (p: 'venues.read' | 'venues.manage' | 'venues.approve' | 'checkins.read' | 'checkins.gate') =>
    user.permissions.has(p) && (await access.can(user, p, { unitCode }));
  const [read, manage, approve, checkinsRead, gate] = await Promise.all([
    officer('venues.read'),
    officer('venues.manage'),
    officer('venues.approve'),
    officer('checkins.read'),
    isOwnOnly(user) ? Promise.resolve(false) : officer('checkins.gate'),
  ]);
  return {
    view: read || manage || approve || operator || gate,
    edit: manage || operator,
    approve,
    readCheckins: checkinsRead || operator,
    gate: gate || operator,
    manageOperators: manage,
  };
}

export async function requireVenue(db: DbOrTx, access: Access, user: AuthUser, id: string, right: keyof VenueRights) {
  const venue = await findVenue(db, id);
  if (!venue) throw notFound('Venue');
  const rights = await venueRights(db, access, user, venue);
  if (!rights.view) throw notFound('Venue'); // do not reveal venues outside one's scope
  if (!rights[right]) throw forbidden(right === 'approve' ? 'Only officers of this venue’s area may approve or suspend it' : undefined);
  return { venue, rights };
}

export function toVenueItem(v: VenueRow & { commune_name?: string | null; entrance_count?: string | number | null }): VenueItem {
  return {
    id: v.id,
    code: v.code,
    name: v.name,
    type: v.type,
    commune: { code: v.commune_code, name: v.commune_name ?? v.commune_code },
    address: v.address,
    contactName: v.contact_name,
    contactPhone: v.contact_phone,
    defaultStayMinutes: v.default_stay_minutes,
    validFrom: v.valid_from?.toISOString() ?? null,
    validUntil: v.valid_until?.toISOString() ?? null,
    status: v.status,
    statusReason: v.status_reason,
    statusChangedAt: v.status_changed_at?.toISOString() ?? null,
    entranceCount: Number(v.entrance_count ?? 0),
    createdAt: v.created_at.toISOString(),
    updatedAt: v.updated_at.toISOString(),
  };
}

export function entranceToken(keys: KeyRing, e: Pick<EntranceRow, 'id' | 'venue_id'>, v: Pick<VenueRow, 'valid_until'>) {
  return signVenueToken(keys, e.id, e.venue_id, v.valid_until);
}

export function toEntranceItem(keys: KeyRing, publicUrl: string, e: EntranceRow, v: VenueRow, communePath: string): EntranceItem {
  const shortCode = entranceShortCode(communePath, v.short_code, e.number);
  return {
    id: e.id,
    name: e.name,
    kind: e.kind === 'room' ? 'room' : 'entrance',
    active: e.active,
    checkinUrl: checkinUrl(publicUrl, entranceToken(keys, e, v)),
    shortCode,
    shortUrl: shortCheckinUrl(publicUrl, shortCode),
  };
}

export async function venueDetail(db: DbOrTx, keys: KeyRing, publicUrl: string, venue: VenueRow, rights: VenueRights): Promise<VenueDetail> {
  const [entrances, operators, commune] = await Promise.all([
    entrancesOf(db, venue.id),
    operatorsOf(db, venue.id),
    db.selectFrom('admin_units').select(['name', 'path']).where('code', '=', venue.commune_code).executeTakeFirst(),
  ]);
  return {
    venue: toVenueItem({ ...venue, commune_name: commune?.name ?? null, entrance_count: entrances.length }),
    entrances: entrances.map((e) => toEntranceItem(keys, publicUrl, e, venue, commune?.path ?? '')),
    qrAddress: { base: publicUrl, loopback: isLoopbackUrl(publicUrl) },
    operators: operators.map((o) => ({ id: String(o.id), username: o.username, displayName: o.display_name })),
    can: { edit: rights.edit, approve: rights.approve, readCheckins: rights.readCheckins, manageOperators: rights.manageOperators },
  };
}

export async function searchVenues(db: DbOrTx, access: Access, user: AuthUser, q: VenueListQuery) {
  const ownOnly = isOwnOnly(user);
  const r = await listVenues(db, {
    communeCodes: ownOnly ? null : await access.scopeCodes(user),
    operatorUserId: ownOnly ? user.id : undefined,
    q: q.q?.trim() || undefined,
    status: q.status,
    type: q.type,
    communeCode: q.communeCode,
    limit: q.limit,
    offset: q.offset,
  });
  return { items: r.items.map((v) => toVenueItem(v)), total: r.total };
}

// ── validation shared by the API and the importers ─────────────────────────

export async function communeProblem(db: DbOrTx, code: string): Promise<string | null> {
  const u = await db.selectFrom('admin_units').select(['level']).where('code', '=', code).executeTakeFirst();
  if (!u) return `unknown administrative unit "${code}"`;
  if (u.level !== 'commune') return `"${code}" is a ${u.level}, not a commune`;
  return null;
}

/** A venue code unique across the country: "<province>-<6 random>" e.g. "40-K7Q2MX". */
export function generateVenueCode(communePath: string | null): string {
  const province = communePath?.split('/').filter(Boolean)[1] ?? 'VN';
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = crypto.randomBytes(6);
  let s = '';
  for (const b of bytes) s += alphabet[b % alphabet.length];
  return `${province}-${s}`;
}

function parseValidity(from: string | null | undefined, until: string | null | undefined, prefix = 'body') {
  const vf = from ? new Date(from) : null;
  const vu = until ? new Date(until) : null;
  if (vf && vu && vu <= vf) throw invalidField(`${prefix}.validUntil`, 'must be after validFrom');
  return { vf, vu };
}

// ── commands ───────────────────────────────────────────────────────────────

/**
 * A venue is placed only inside the user's area: officers' jurisdiction (venues.manage), and venue operators'
 * own area too (an operator of Vinh registers venues in Vinh, not anywhere in the province).
 */
export async function requireCommuneInArea(access: Access, user: AuthUser, communeCode: string, path = 'body.communeCode') {
  const permission = user.permissions.has('venues.manage') && !isOwnOnly(user) ? 'venues.manage' : 'venues.own';
  if (!(await access.can(user, permission, { unitCode: communeCode }))) throw invalidField(path, 'is outside your area');
}

export async function createVenue(db: Db, access: Access, user: AuthUser, body: CreateVenueBody, now: Date) {
  const officer = user.permissions.has('venues.manage');
  if (!officer && !user.permissions.has('venues.own')) throw forbidden();
  const problem = await communeProblem(db, body.communeCode);
  if (problem) throw invalidField('body.communeCode', problem);
  await requireCommuneInArea(access, user, body.communeCode);
  const { vf, vu } = parseValidity(body.validFrom, body.validUntil);
  if (vu && vu <= now) throw invalidField('body.validUntil', 'is already in the past');
  if (body.code && (await findVenueByCode(db, body.code))) throw conflict(`Venue code "${body.code}" is taken`, [{ path: 'body.code', message: 'is taken' }]);
  const unit = await access.resolver.unit(body.communeCode);
  // Officers who may approve register approved venues; operators' registrations wait for approval.
  const approved = user.permissions.has('venues.approve') && !isOwnOnly(user);
  return db.transaction().execute(async (tx) => {
    const venue = await tx
      .insertInto('venues')
      .values({
        code: body.code ?? generateVenueCode(unit?.path ?? null),
        name: body.name.trim(),
        type: body.type,
        commune_code: body.communeCode,
        address: body.address?.trim() ?? '',
        contact_name: body.contactName?.trim() || null,
        contact_phone: body.contactPhone?.trim() || null,
        default_stay_minutes: body.defaultStayMinutes,
        valid_from: vf,
        valid_until: vu,
        status: approved ? 'approved' : 'pending',
        status_changed_at: approved ? now : null,
        status_changed_by: approved ? user.id : null,
        status_reason: null,
        created_by: user.id,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const entrances = body.entrances?.length ? body.entrances : [{ name: DEFAULT_ENTRANCE_NAME, kind: 'entrance' as const }];
    await tx
      .insertInto('venue_entrances')
      .values(entrances.map((e) => ({ venue_id: venue.id, name: e.name.trim(), kind: e.kind ?? 'entrance' })))
      .execute();
    if (user.permissions.has('venues.own') && !officer) {
      await tx.insertInto('venue_operators').values({ user_id: user.id, venue_id: venue.id }).execute();
    }
    return venue;
  });
}

export async function updateVenue(db: Db, access: Access, user: AuthUser, venue: VenueRow, patch: UpdateVenueBody, now: Date) {
  if (patch.communeCode !== undefined && patch.communeCode !== venue.commune_code) {
    const problem = await communeProblem(db, patch.communeCode);
    if (problem) throw invalidField('body.communeCode', problem);
    await requireCommuneInArea(access, user, patch.communeCode);
  }
  const { vf, vu } = parseValidity(
    patch.validFrom === undefined ? venue.valid_from?.toISOString() : patch.validFrom,
    patch.validUntil === undefined ? venue.valid_until?.toISOString() : patch.validUntil,
  );
  // An operator's change of what the public sees (name, place) sends an approved venue back to review.
  const significant =
    isOwnOnly(user) &&
    venue.status === 'approved' &&
    ((patch.name !== undefined && patch.name.trim() !== venue.name) || (patch.communeCode !== undefined && patch.communeCode !== venue.commune_code));
  return db
    .updateTable('venues')
    .set({
      ...(patch.name !== undefined && { name: patch.name.trim() }),
      ...(patch.type !== undefined && { type: patch.type }),
      ...(patch.communeCode !== undefined && { commune_code: patch.communeCode }),
      ...(patch.address !== undefined && { address: patch.address.trim() }),
      ...(patch.contactName !== undefined && { contact_name: patch.contactName?.trim() || null }),
      ...(patch.contactPhone !== undefined && { contact_phone: patch.contactPhone?.trim() || null }),
      ...(patch.defaultStayMinutes !== undefined && { default_stay_minutes: patch.defaultStayMinutes }),
      valid_from: vf,
      valid_until: vu,
      ...(significant && { status: 'pending', status_reason: 'changed by operator; awaiting review', status_changed_at: now, status_changed_by: user.id }),
      updated_at: now,
    })
    .where('id', '=', venue.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function setVenueStatus(db: DbOrTx, user: AuthUser, venue: VenueRow, status: 'approved' | 'suspended', reason: string | undefined, now: Date) {
  if (status === 'suspended' && !reason?.trim()) throw invalidField('body.reason', 'is required when suspending a venue');
  return db
    .updateTable('venues')
    .set({ status, status_reason: reason?.trim() || null, status_changed_at: now, status_changed_by: user.id, updated_at: now })
    .where('id', '=', venue.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function addEntrance(db: DbOrTx, venueId: string, name: string, kind: 'entrance' | 'room' = 'entrance') {
  const n = await db.selectFrom('venue_entrances').select((eb) => eb.fn.countAll<string>().as('n')).where('venue_id', '=', venueId).executeTakeFirstOrThrow();
  if (Number(n.n) >= 200) throw conflict('A venue may have at most 200 entrances/rooms');
  return db.insertInto('venue_entrances').values({ venue_id: venueId, name: name.trim(), kind }).returningAll().executeTakeFirstOrThrow();
}

export async function addOperator(db: DbOrTx, venueId: string, username: string) {
  const u = await db
    .selectFrom('users')
    .select(['id', 'role'])
    .where(sql`lower(username)`, '=', username.toLowerCase())
    .executeTakeFirst();
  if (!u) throw invalidField('body.username', `no user "${username}"`);
  if (u.role !== 'venue_operator') throw invalidField('body.username', 'is not a venue operator account');
  await db.insertInto('venue_operators').values({ user_id: u.id, venue_id: venueId }).onConflict((oc) => oc.doNothing()).execute();
  return String(u.id);
}
