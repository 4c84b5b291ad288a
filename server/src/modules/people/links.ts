// Linking a citizen account, or a dependant, to an existing registry record. Typed-in details never do it (anyone
// can type a neighbour's name and phone): it takes proof that the citizen holds the record.
//
//   proof at once     a LinkProofMethod checked here: 'personal_qr' (personalQrProof), the signed code of the person's
//                     QR card. The methods accepted are listed where the app is wired (server/src/modules.ts, the
//                     people module's `linkProofs`), not registered into a process-global table; a later method (a
//                     one-time code to the record's phone) is added to that list; a method that takes two steps keeps
//                     its state in a link request (challenge_hash, attempts, expires_at).
//   proof by officer  a link request (method 'officer'): an officer of the area compares the typed-in record with
//                     the registry and approves the link to one record, or rejects it.
//
// Either way the link is completed by completeLink(): the record the citizen typed in (the "claimant": their own, or
// a dependant's) is merged into the proven record, so the account, household links and declarations move there.
// Without a claimant (a first registration by QR) the account / household link points at the record directly.
// Takes a Db (or transaction) and plain values; no HTTP types.
import { forgetUserSessions } from '../../platform/auth/session-registry';
import type { DbOrTx } from '../../platform/db/types';
import type { Events } from '../../platform/events';
import { AppError, conflict, forbidden, invalidField, notFound } from '../../platform/http/errors';
import { SignatureError, type KeyRing } from '../../platform/signing';
import { mergePersons } from './merge';
import { verifyPersonalQr } from './qr';
import {
  decideLinkRequest,
  findLinkRequest,
  findPersonById,
  insertLinkRequest,
  isManager,
  linkCandidates,
  pendingLinkRequestOf,
  resolveLiveId,
  userOfPerson,
  type LinkRequestRow,
} from './queries';
import type { LinkProof, RelationshipValue } from './schema';
import { addDependant } from './households';
import { inTransaction } from './service';

export type LinkKind = 'self' | 'dependant';

export interface LinkActor {
  id: string;
  username: string;
}

/** A way to prove possession of a record that completes at once. Returns the record's id; throws a 4xx naming `path`. */
export interface LinkProofMethod {
  method: string;
  designate(proof: Record<string, unknown>, ctx: { keys: KeyRing; now: Date; path: string }): Promise<string> | string;
}

/** The link proof methods an app accepts, by name (built once from the people module's `linkProofs`). */
export type LinkProofMethods = ReadonlyMap<string, LinkProofMethod>;

export function linkProofMethods(methods: readonly LinkProofMethod[]): LinkProofMethods {
  const byName = new Map<string, LinkProofMethod>();
  for (const m of methods) {
    if (byName.has(m.method)) throw new Error(`link proof method "${m.method}" is listed twice`);
    byName.set(m.method, m);
  }
  return byName;
}

/** Proof by the signed code of the person's QR card. Its schema is in LinkProof (schema.ts), like any method's. */
export const personalQrProof: LinkProofMethod = {
  method: 'personal_qr',
  designate: (proof, { keys, now, path }) => {
    try {
      return verifyPersonalQr(keys, String(proof.token ?? ''), now);
    } catch (err) {
      if (err instanceof SignatureError) {
        if (err.reason === 'retired_key' || err.reason === 'expired')
          throw new AppError(410, 'PERSON_QR_REVOKED', `${path}.token: this card was revoked; ask your health station for a new one`, [{ path: `${path}.token`, message: 'was revoked' }]);
        throw new AppError(400, 'PERSON_QR_INVALID', `${path}.token: is not a valid personal QR code`, [{ path: `${path}.token`, message: 'is not a valid personal QR code' }]);
      }
      throw err;
    }
  },
};

/** The live record a proof designates (merges followed). */
export async function verifyLinkProof(db: DbOrTx, methods: LinkProofMethods, proof: LinkProof, ctx: { keys: KeyRing; now: Date; path: string }): Promise<string> {
  const m = methods.get(proof.method);
  if (!m) throw invalidField(`${ctx.path}.method`, `unknown proof method "${proof.method}"`);
  const id = await m.designate(proof as unknown as Record<string, unknown>, ctx);
  const live = await resolveLiveId(db, id);
  if (!live) throw new AppError(404, 'PERSON_UNKNOWN', `${ctx.path}: the record on this card no longer exists`, [{ path: ctx.path, message: 'unknown person' }]);
  return live;
}

export interface CompleteLink {
  userId: string;
  kind: LinkKind;
  /** the record the citizen typed in and now proves to be `targetId` (merged into it); null: link directly */
  claimantId: string | null;
  targetId: string;
  /** dependants linked directly */
  relationship?: RelationshipValue;
  /** how it was proven, for the merge history: 'personal_qr', 'officer' … */
  method: string;
  actor: LinkActor;
  now: Date;
  /** for the person.merged event of a merge */
  events: Events;
}

/** Links the account (kind 'self') or the account's household (kind 'dependant') to `targetId`. Returns the record linked. */
export async function completeLink(db: DbOrTx, l: CompleteLink): Promise<{ personId: string; merged: boolean }> {
  return inTransaction(db, async (tx) => {
    const user = await tx.selectFrom('users').select(['id', 'person_id']).where('id', '=', l.userId).forUpdate().executeTakeFirst();
    if (!user) throw notFound('Account');
    const own = user.person_id ? await resolveLiveId(tx, user.person_id) : null;
    const target = await findPersonById(tx, l.targetId);
    if (!target || target.merged_into) throw notFound('Person');
    const claimant = l.claimantId ? await resolveLiveId(tx, l.claimantId) : null;
    if (claimant === target.id) return { personId: target.id, merged: false }; // already one record (merged by an officer)
    const reason = `linked by ${l.method === 'officer' ? 'an officer’s approval' : l.method} (proof of possession)`;
    const merge = (mergedId: string) => mergePersons(tx, l.events, { keptId: target.id, mergedId, reason, fill: false, actor: l.actor, now: l.now });

    if (l.kind === 'self') {
      if (own === target.id) return { personId: target.id, merged: false };
      const holder = await userOfPerson(tx, target.id);
      if (holder && String(holder.id) !== String(user.id))
        throw conflict('This record already belongs to another account; ask your commune health station', [{ path: 'body.proof', message: 'has an account already' }]);
      if (own && (await isManager(tx, target.id, own))) throw conflict('This record manages yours as a dependant; it cannot become your own');
      if (own) {
        const ownRow = await findPersonById(tx, own);
        // only a record the citizen typed in gives way; an account already linked to a registry record stays
        if (ownRow && ownRow.source !== 'citizen')
          throw conflict('Your account is already linked to a registry record; ask your commune health station to correct it', [{ path: 'body.proof', message: 'account already linked' }]);
        if (claimant && claimant !== own) throw conflict('Your account’s record changed since the request; ask again');
        await merge(own);
        return { personId: target.id, merged: true };
      }
      await tx.updateTable('users').set({ person_id: target.id, updated_at: l.now }).where('id', '=', user.id).execute();
      forgetUserSessions(user.id); // cached sessions carry the linked person (platform/auth/session-cache.ts)
      return { personId: target.id, merged: false };
    }

    // dependant
    if (!own) throw conflict('Register your own details first (PUT /api/me/person)');
    if (target.id === own) throw invalidField('body.proof', 'is your own record, not a dependant’s');
    if (await userOfPerson(tx, target.id))
      throw conflict('This person has their own account; they can manage their own declarations', [{ path: 'body.proof', message: 'has their own account' }]);
    if (claimant) {
      if (!(await isManager(tx, own, claimant))) throw forbidden('You may link only your own dependants');
      const row = await findPersonById(tx, claimant);
      if (row && row.source !== 'citizen') throw conflict('This dependant is already a registry record');
      await merge(claimant);
      return { personId: target.id, merged: true };
    }
    await addDependant(tx, own, target.id, l.relationship ?? 'other', l.userId, l.now);
    return { personId: target.id, merged: false };
  });
}

// ── link requests ───────────────────────────────────────────────────────────

/**
 * A citizen asks officers to link `claimantId` (their own typed-in record, or a dependant's) to the registry
 * record it describes. One pending request per record.
 */
export async function requestLink(
  db: DbOrTx,
  r: { userId: string; ownId: string; claimantId: string; note: string | null; now: Date },
): Promise<LinkRequestRow> {
  return inTransaction(db, async (tx) => {
    const kind: LinkKind = r.claimantId === r.ownId ? 'self' : 'dependant';
    if (kind === 'dependant' && !(await isManager(tx, r.ownId, r.claimantId))) throw forbidden('You may ask only for yourself and your dependants');
    const p = await findPersonById(tx, r.claimantId);
    if (!p || p.merged_into) throw notFound('Person');
    if (p.source !== 'citizen')
      throw conflict('This record is already a registry record; nothing to link', [{ path: 'body.personId', message: 'is already a registry record' }]);
    if (await pendingLinkRequestOf(tx, p.id))
      throw conflict('A request for this record is already waiting for an officer', [{ path: 'body.personId', message: 'has a pending request' }]);
    return insertLinkRequest(tx, {
      user_id: r.userId,
      claimant_id: p.id,
      kind,
      method: 'officer',
      note: r.note?.trim() || null,
      commune_code: p.commune_code,
      target_id: null,
      challenge_hash: null,
      expires_at: null,
      created_at: r.now,
      decided_at: null,
      decided_by: null,
      decided_by_username: null,
      decision_note: null,
    });
  });
}

/** An officer approves a pending request, naming the registry record it is (checked for jurisdiction by the caller). */
export async function approveLinkRequest(db: DbOrTx, a: { id: string; targetId: string; note: string | null; officer: LinkActor; now: Date; events: Events }) {
  return inTransaction(db, async (tx) => {
    const req = await findLinkRequest(tx, a.id, true);
    if (!req) throw notFound('Link request');
    if (req.status !== 'pending') throw conflict(`This request was already ${req.status}`);
    const done = await completeLink(tx, {
      userId: req.user_id,
      kind: req.kind as LinkKind,
      claimantId: req.claimant_id,
      targetId: a.targetId,
      method: 'officer',
      actor: a.officer,
      now: a.now,
      events: a.events,
    });
    await decideLinkRequest(tx, req.id, {
      status: 'approved',
      target_id: done.personId,
      decided_at: a.now,
      decided_by: a.officer.id,
      decided_by_username: a.officer.username,
      decision_note: a.note?.trim() || null,
    });
    return { request: req, ...done };
  });
}

export async function closeLinkRequest(db: DbOrTx, c: { id: string; status: 'rejected' | 'cancelled'; note: string | null; by: LinkActor; now: Date }) {
  const r = await decideLinkRequest(db, c.id, {
    status: c.status,
    decided_at: c.now,
    decided_by: c.by.id,
    decided_by_username: c.by.username,
    decision_note: c.note?.trim() || null,
  });
  if (!Number(r.numUpdatedRows)) {
    const req = await findLinkRequest(db, c.id);
    if (!req) throw notFound('Link request');
    throw conflict(`This request was already ${req.status}`);
  }
}

// ── proof by a one-time code sent to the record's phone (method 'sms_code') ─────────────────────────────────────
// The messaging module sends and checks the code (attempts, expiry); the registry picks the record and its phone,
// and completes the link once the code is right. The citizen never learns the record's phone (it is masked).

export interface CodeLinkTarget {
  requestId: string;
  /** E.164 of the record, or of its guardian for a dependant without a phone */
  phone: string;
  toGuardian: boolean;
  targetName: string;
}

/**
 * Opens an 'sms_code' link request for `claimantId` (the account's own typed-in record or a dependant's): the one
 * registry record it describes, reachable by its phone or its guardian's. An earlier code request for the same
 * record is cancelled (asking again sends a new code). Throws a 4xx when no record, or more than one, fits.
 */
export async function startCodeLink(db: DbOrTx, s: { userId: string; ownId: string; claimantId: string; expiresAt: Date; now: Date }): Promise<CodeLinkTarget> {
  return inTransaction(db, async (tx) => {
    const kind: LinkKind = s.claimantId === s.ownId ? 'self' : 'dependant';
    if (kind === 'dependant' && !(await isManager(tx, s.ownId, s.claimantId))) throw forbidden('You may ask only for yourself and your dependants');
    const p = await findPersonById(tx, s.claimantId);
    if (!p || p.merged_into) throw notFound('Person');
    if (p.source !== 'citizen') throw conflict('This record is already a registry record; nothing to link', [{ path: 'body.personId', message: 'is already a registry record' }]);
    const pending = await pendingLinkRequestOf(tx, p.id);
    if (pending?.method === 'sms_code')
      await decideLinkRequest(tx, pending.id, { status: 'cancelled', decided_at: s.now, decided_by: null, decided_by_username: null, decision_note: 'a new code was asked' });
    else if (pending) throw conflict('A request for this record is already waiting for an officer', [{ path: 'body.personId', message: 'has a pending request' }]);
    const reachable: { target: (typeof candidates)[number]; phone: string; toGuardian: boolean }[] = [];
    const candidates = (await linkCandidates(tx, p, null)).filter((c) => c.source !== 'citizen');
    for (const c of candidates) {
      if (c.phone) reachable.push({ target: c, phone: c.phone, toGuardian: false });
      else {
        const guardian = await tx
          .selectFrom('person_links as l')
          .innerJoin('persons as m', 'm.id', 'l.manager_id')
          .select('m.phone')
          .where('l.dependant_id', '=', c.id)
          .where('m.phone', 'is not', null)
          .orderBy('l.created_at')
          .executeTakeFirst();
        if (guardian?.phone) reachable.push({ target: c, phone: guardian.phone, toGuardian: true });
      }
    }
    if (!reachable.length)
      throw new AppError(404, 'NO_RECORD_PHONE', 'No registry record with a phone matches these details; ask your commune health station (link request)', [{ path: 'body.personId', message: 'no record to send a code to' }]);
    if (reachable.length > 1)
      throw conflict('Several registry records match these details; ask your commune health station (link request)', [{ path: 'body.personId', message: 'matches several records' }]);
    const { target, phone, toGuardian } = reachable[0]!;
    const req = await insertLinkRequest(tx, {
      user_id: s.userId,
      claimant_id: p.id,
      kind,
      method: 'sms_code',
      note: null,
      commune_code: target.commune_code,
      target_id: target.id,
      challenge_hash: null,
      expires_at: s.expiresAt,
      created_at: s.now,
      decided_at: null,
      decided_by: null,
      decided_by_username: null,
      decision_note: null,
    });
    return { requestId: req.id, phone, toGuardian, targetName: target.full_name };
  });
}

/** Completes an 'sms_code' request of `userId` once its code was proven (by the messaging module). */
export async function finishCodeLink(db: DbOrTx, f: { requestId: string; userId: string; actor: LinkActor; now: Date; events: Events }) {
  return inTransaction(db, async (tx) => {
    const req = await findLinkRequest(tx, f.requestId, true);
    if (!req || String(req.user_id) !== String(f.userId) || req.method !== 'sms_code') throw notFound('Link request');
    if (req.status !== 'pending') throw conflict(`This request was already ${req.status}`);
    if (req.expires_at && req.expires_at < f.now) throw new AppError(410, 'LINK_REQUEST_EXPIRED', 'This code has expired; ask a new one');
    const done = await completeLink(tx, {
      userId: f.userId,
      kind: req.kind as LinkKind,
      claimantId: req.claimant_id,
      targetId: req.target_id!,
      method: 'sms_code',
      actor: f.actor,
      now: f.now,
      events: f.events,
    });
    await decideLinkRequest(tx, req.id, { status: 'approved', target_id: done.personId, decided_at: f.now, decided_by: null, decided_by_username: null, decision_note: 'one-time code to the record’s phone' });
    return done;
  });
}
