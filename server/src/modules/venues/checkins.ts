/**
 * The check-in hot path: POST /api/checkins (citizens' phones and staff gates), as a pipeline per item:
 *
 *   1. resolveEntrance: the venue QR's signature (once per token string), the entrance and its venue from cache
 *      (entrances.ts; re-read within STATUS_TTL_MS so a suspension applies within seconds), the venue's state and
 *      validity at the item's time, and the signed-in user's gate rights;
 *   2. resolvePeople: personal/device tokens (verified once, cached), or the first-visit form → findOrCreate;
 *   3. the write: the group-commit batcher (platform/batcher) writes concurrent requests in one statement and
 *      resolves each request after it committed. Acknowledged = durable.
 *
 * The warm path (warmSingle): a citizen's check-in whose poster and device token this process has seen, with every
 * cached answer still valid, is checked in one synchronous pass (one look-up per token, one clock read, the same
 * checks: time, venue state and window, key retirement, device revocation and idleness) up to the batcher, and a
 * plain "created" is answered as JSON text written directly. Anything else (a duplicate, a reused client id, a
 * person no longer registered) is answered by the general code from the batch's answer; a request the warm path
 * cannot vouch for goes through `single` whole.
 */
import type { Db } from '../../platform/db/types';
import type { Access } from '../../platform/auth/access';
import type { AuthUser } from '../../platform/auth/service';
import { AppError, invalidField } from '../../platform/http/errors';
import type { KeyRing, VerifyPool } from '../../platform/signing';
import { Batcher, BatcherFullError, mapLimit } from '../../platform/batcher';
import { retentionCutoff } from '../../platform/purge';
import type { ChangeFeed } from '../../platform/change-feed';
import { EntranceCache, type EntranceInfo } from './entrances';
import type pg from 'pg';
import { insertCheckins, insertCheckinsPrepared, type InsertedCheckin, type NewCheckin } from './checkin-insert';
import { checkoutPerson, existingByClient } from './checkin-queries';
import { isOperator, MAX_STAY_MS } from './queries';
import type { CheckinItem, CheckinPerson, CheckinResultItem, PersonRef } from './schema';
import { isOwnOnly } from './service';
import type { PeoplePort } from './people-port';
import { CheckinPeople, personUnknown, type ResolvedPerson } from './checkin-people';

export { PERSON_TOKEN_TTL_MS, REF_MISSES_ALLOWED } from './checkin-people';
/** Clock skew tolerated for times sent by devices. */
const FUTURE_SKEW_MS = 2 * 60_000;
/** Citizens' phones may send a slightly delayed time (flaky network), not an arbitrary one. */
const PUBLIC_PAST_MS = 60 * 60_000;

export interface CheckinEngineOptions {
  db: Db;
  /** With a pool, the batch insert is a named prepared statement (see insertCheckinsPrepared). */
  pool?: pg.Pool;
  keys: KeyRing;
  /** worker threads for the signatures of first-seen QR codes (platform/signing verifyAsync); none: on the event loop */
  verifyPool?: VerifyPool | null;
  access: Access;
  people: PeoplePort;
  clock: () => Date;
  /** The process's shared change-feed poller (platform/change-feed); a private one when not given. */
  feed?: ChangeFeed;
  retentionDays: number;
  batch?: { maxRows?: number; maxWaitMs?: number; maxConcurrent?: number; maxQueuedRows?: number; eager?: boolean };
}

/** Gate rights of the signed-in user per venue id, worked out once per request. */
type GateRights = Map<string, Promise<boolean>>;

/** Items of one gate batch prepared at once (each may hold a database connection: a new person, a gate check). */
const BATCH_PREPARE_CONCURRENCY = 4;

/**
 * Whether a failed batch insert may be the fault of some rows only (PostgreSQL data exception or integrity
 * violation, SQLSTATE classes 22 and 23): then the batcher retries it in halves so only those rows' callers fail.
 * Anything else (connection lost, timeout, database shutting down) fails the whole batch at once.
 */
export function rowCaused(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^2[23]/.test(code);
}

interface Prepared {
  index: number;
  prefix: string;
  clientId: string;
  action: 'in' | 'out';
  at: Date;
  entrance: EntranceInfo | null;
  people: ResolvedPerson[];
  /** The signed-in user when they are staff of this venue's gate (the row is a gate scan they recorded). */
  staff: AuthUser | null;
  /** Citizen check-out: only the stay this phone's check-in (its client id) started. */
  checkinClientId?: string;
}

export class CheckinEngine {
  readonly entrances: EntranceCache;
  /** tokens, the first-visit form, card references (checkin-people.ts) */
  private readonly people: CheckinPeople;
  readonly batcher: Batcher<NewCheckin, InsertedCheckin>;
  /** Check-ins taken by the warm path (diagnostics, tests). */
  warmCount = 0;

  constructor(private readonly o: CheckinEngineOptions) {
    this.people = new CheckinPeople(o);
    this.entrances = new EntranceCache(o);
    this.batcher = new Batcher<NewCheckin, InsertedCheckin>({
      ...o.batch,
      isolatable: rowCaused,
      write: (rows) => (o.pool ? insertCheckinsPrepared(o.pool, rows) : insertCheckins(o.db, rows)),
    });
  }

  /** Stops background work (the app is closing). */
  close() {
    this.entrances.close();
  }

  invalidatePerson(personId: string) {
    this.people.invalidatePerson(personId);
  }

  /** Person id of a personal QR token (see CheckinPeople.personOfToken). */
  personOfToken(token: string, path: string, resolve = false): Promise<string> {
    return this.people.personOfToken(token, path, resolve);
  }

  // ── requests ──────────────────────────────────────────────────────────────

  /** `staff`: a gate's scans may have waited in an offline queue for days; a citizen's phone sends its time at once. */
  private parseAt(at: string | undefined, staff: boolean, now: Date, path: string): Date {
    if (!at) return now;
    const t = new Date(at);
    if (Number.isNaN(t.getTime())) throw invalidField(path, 'is not a date-time');
    if (t.getTime() > now.getTime() + FUTURE_SKEW_MS) throw invalidField(path, 'is in the future');
    const oldest = staff ? retentionCutoff(now, this.o.retentionDays).getTime() : now.getTime() - PUBLIC_PAST_MS;
    if (t.getTime() < oldest) throw invalidField(path, staff ? `is older than the ${this.o.retentionDays}-day retention` : 'is too far in the past');
    return t > now ? now : t;
  }

  /**
   * One check-in item, read as a pipeline: the entrance (signature, cache, venue state, time window, gate rights),
   * then the people; the write follows in checkIn / checkOut. Throws a 4xx AppError naming the field.
   */
  private async prepare(item: CheckinItem, index: number, prefix: string, user: AuthUser | null, gates?: GateRights): Promise<Prepared> {
    const now = this.o.clock();
    if (!item.clientId) throw invalidField(`${prefix}.clientId`, 'is required (a uuid generated by the device)');
    const action = item.action ?? 'in';
    // first-seen personal QR codes' signatures checked while the poster's is (one signature worker round trip, not two)
    if (item.people) for (const ref of item.people) this.people.prefetch(ref.token);
    if (user && item.personQr) this.people.prefetch(item.personQr);
    const { entrance, at, staff } = await this.resolveEntrance(item, action, prefix, user, now, gates);
    const people = await this.resolvePeople(item, action, prefix, user, now);
    return { index, prefix, clientId: item.clientId.toLowerCase(), action, at, entrance, people, staff: staff ? user : null };
  }

  /**
   * The entrance an item names, checked: its QR's signature (or, for staff, the entrance id), the cached venue, the
   * venue's state and validity at the item's time (not for an exit: it only ends a stay), and whether the signed-in
   * user is staff of this venue's gate. Anyone else signed in (a citizen's account, an officer of another area) is
   * treated like an anonymous phone, including how old a time they may send.
   */
  private async resolveEntrance(item: CheckinItem, action: 'in' | 'out', prefix: string, user: AuthUser | null, now: Date, gates?: GateRights) {
    // the widest window a signed-in user might be allowed; narrowed below unless they are this venue's staff
    const at = this.parseAt(item.at, user !== null, now, `${prefix}.at`);
    let entrance: EntranceInfo;
    let staff = false;
    let where: string;
    if (item.venueToken) {
      where = `${prefix}.venueToken`;
      entrance = await this.entrances.entranceOf(item.venueToken, where);
      if (user && (item.personQr || item.personRef)) {
        await this.requireGate(user, entrance, where, gates);
        staff = true;
      } else if (user) staff = await this.isGate(user, entrance, gates);
    } else if (item.entranceId) {
      if (!user) throw invalidField(`${prefix}.venueToken`, 'is required (scan the venue QR code)');
      where = `${prefix}.entranceId`;
      const e = await this.entrances.entrance(item.entranceId.toLowerCase());
      if (!e) throw invalidField(where, 'unknown entrance');
      await this.requireGate(user, e, where, gates);
      staff = true;
      entrance = e;
    } else {
      throw invalidField(`${prefix}.venueToken`, 'is required (scan the venue QR code)');
    }
    if (user && !staff) this.parseAt(item.at, false, now, `${prefix}.at`);
    if (action === 'in') this.entrances.checkOpen(entrance, at, where, { staffScan: staff });
    return { entrance, at, staff };
  }

  /** The people of an item (tokens, first-visit forms, a scanned personal QR, dependants), each once. */
  private async resolvePeople(item: CheckinItem, action: 'in' | 'out', prefix: string, user: AuthUser | null, now: Date): Promise<CheckinPerson[]> {
    const refs: { ref: PersonRef; path: string }[] = (item.people ?? []).map((ref, i) => ({ ref, path: `${prefix}.people.${i}` }));
    if (item.personQr) {
      if (!user) throw new AppError(403, 'FORBIDDEN', `${prefix}.personQr: scanning personal QR codes is for venue staff; sign in`, [{ path: `${prefix}.personQr`, message: 'needs a signed-in gate user' }]);
      refs.push({ ref: { token: item.personQr }, path: `${prefix}.personQr` });
    }
    if (item.personRef && !user)
      throw new AppError(403, 'FORBIDDEN', `${prefix}.personRef: card references are for venue staff; sign in`, [{ path: `${prefix}.personRef`, message: 'needs a signed-in gate user' }]);
    if (!refs.length && !item.personRef) throw invalidField(`${prefix}.people`, 'is required: who is checking in');
    const people: ResolvedPerson[] = [];
    // a check-in's forms are written by its batch (not with dependants: they need their manager's id first)
    const defer = action === 'in' && !item.dependants?.length;
    for (const { ref, path } of refs) people.push(await this.people.person(ref, path, now, action === 'out', defer));
    if (item.personRef) people.push(await this.people.personOfReference(item.personRef, `${prefix}.personRef`, user!.id));
    if (item.dependants?.length) {
      const manager = people[0]!.personId;
      for (const [i, raw] of item.dependants.entries()) {
        const d = raw.toLowerCase();
        const live = await this.o.people.resolveLiveId(this.o.db, d);
        if (!live || !(await this.o.people.isManagerOf(this.o.db, manager, live)))
          throw new AppError(403, 'FORBIDDEN', `${prefix}.dependants.${i}: is not a dependant of this person`, [{ path: `${prefix}.dependants.${i}`, message: 'is not a dependant of this person' }]);
        people.push({ personId: live, token: await this.o.people.deviceToken(live, 'household', now), name: null, created: false });
      }
    }
    return uniquePeople(people);
  }

  /**
   * Whether the user may run this venue's gate: its operator, or gate staff of the area. `gates`: answers already
   * worked out for this request (a gate's batch names the same venue in every item: asked once, not per scan).
   */
  private isGate(user: AuthUser, e: EntranceInfo, gates?: GateRights): Promise<boolean> {
    let answer = gates?.get(e.venueId);
    if (!answer) {
      answer = this.askGate(user, e);
      gates?.set(e.venueId, answer);
    }
    return answer;
  }

  private async askGate(user: AuthUser, e: EntranceInfo): Promise<boolean> {
    return (
      (user.permissions.has('venues.own') && (await isOperator(this.o.db, user.id, e.venueId))) ||
      (!isOwnOnly(user) && user.permissions.has('checkins.gate') && (await this.o.access.can(user, 'checkins.gate', { unitCode: e.communeCode })))
    );
  }

  private async requireGate(user: AuthUser, e: EntranceInfo, path: string, gates?: GateRights) {
    if (!(await this.isGate(user, e, gates))) throw new AppError(403, 'FORBIDDEN', `${path}: you are not staff of venue "${e.venueName}"`, [{ path, message: 'not your venue' }]);
  }

  private resultBase(p: Prepared): CheckinResultItem {
    return {
      clientId: p.clientId,
      status: 'created',
      action: p.action,
      checkinIds: [],
      venue: p.entrance ? venueOf(p.entrance) : null,
      people: p.people,
      at: p.at.toISOString(),
      autoCheckoutAt: null,
    };
  }

  /** Check-ins of several prepared items in one batcher call. */
  private async checkIn(items: Prepared[]): Promise<CheckinResultItem[]> {
    const rows: NewCheckin[] = [];
    for (const p of items) {
      for (const person of p.people) {
        rows.push({
          clientId: p.clientId,
          personId: person.personId,
          venueId: p.entrance!.venueId,
          entranceId: p.entrance!.entranceId,
          checkinAt: p.at,
          autoCheckoutAt: stayEnd(p.entrance, p.at),
          checkoutAt: null,
          source: p.staff ? 'gate' : 'qr',
          recordedBy: p.staff?.id ?? null,
          newPerson: person.form ?? null,
        });
      }
    }
    return this.answers(items, rows, await this.write(rows));
  }

  /** The rows written by the group-commit batcher (resolves once committed); a full queue is a 503. */
  private write(rows: NewCheckin[]): Promise<InsertedCheckin[]> {
    return this.batcher.add(rows).catch(overloaded);
  }

  /** Each item's result from what the batch wrote for its rows (created, duplicate, client id reused, person unknown). */
  private async answers(items: Prepared[], rows: NewCheckin[], written: InsertedCheckin[]): Promise<CheckinResultItem[]> {
    const dupPairs = written.flatMap((w, i) => (w.known && w.id === null ? [{ clientId: rows[i]!.clientId, personId: w.person_id }] : []));
    const existing = dupPairs.length ? await existingByClient(this.o.db, dupPairs) : [];
    const existingRows = new Map(existing.map((r) => [`${r.client_id}|${r.person_id}`, r]));
    // a client id already used for a check-in elsewhere: the answer names what is stored, never the new venue
    const storedAt = new Map<string, EntranceInfo | null>();
    for (const r of existing) if (!storedAt.has(r.entrance_id ?? '')) storedAt.set(r.entrance_id ?? '', r.entrance_id ? await this.entrances.entrance(r.entrance_id) : null);
    let k = 0;
    return items.map((p) => {
      const res = this.resultBase(p);
      let created = 0;
      let reused: (typeof existing)[number] | undefined;
      for (const [j, person] of p.people.entries()) {
        const w = written[k++]!;
        if (!w.known) {
          // the registry no longer has this person (deleted after the token was issued): nothing was written
          if (items.length === 1 && p.people.length === 1) throw personUnknown(`${p.prefix}.people.${j}`);
          continue;
        }
        person.personId = w.person_id;
        if (person.form) {
          // a first visit: the batch found or created the person and wrote the phone's device row
          person.created = w.created === true;
          person.token = this.o.people.deviceIssued(w.person_id, w.deviceId!, person.form.now);
          delete person.form;
        }
        if (w.id) {
          created++;
          res.checkinIds.push(w.id);
        } else {
          const prior = existingRows.get(`${p.clientId}|${w.person_id}`);
          if (prior && prior.venue_id !== p.entrance!.venueId) reused = prior;
          else if (prior) {
            res.checkinIds.push(prior.id);
            res.at = prior.checkin_at.toISOString();
          }
        }
      }
      if (reused) {
        const e = storedAt.get(reused.entrance_id ?? '');
        res.status = 'rejected';
        res.checkinIds = [reused.id];
        res.venue = e ? { id: e.venueId, name: e.venueName, entrance: e.entranceName } : { id: reused.venue_id, name: '', entrance: null };
        res.at = reused.checkin_at.toISOString();
        const where = e ? ` at "${e.venueName}"` : ' at another venue';
        res.error = { code: 'CLIENT_ID_REUSED', message: `this client id was already used for a check-in${where} at ${res.at}; send a new one`, path: `${p.prefix}.clientId` };
        return res;
      }
      // two forms of one item that named the same person: listed once, as when they were resolved before the write
      res.people = p.people = uniquePeople(p.people);
      res.status = created ? 'created' : res.checkinIds.length ? 'duplicate' : 'rejected';
      if (res.status === 'rejected') res.error = { code: 'PERSON_UNKNOWN', message: 'these people are no longer registered; fill in the form again', path: `${p.prefix}.people` };
      res.autoCheckoutAt = stayEnd(p.entrance, p.at).toISOString();
      return res;
    });
  }

  async checkOut(p: Prepared): Promise<CheckinResultItem> {
    const res = this.resultBase(p);
    let duplicates = 0;
    for (const [i, person] of p.people.entries()) {
      const row = await checkoutPerson(this.o.db, { personId: person.personId, venueId: p.entrance?.venueId ?? null, at: p.at, checkoutClientId: p.clientId, checkinClientId: p.checkinClientId });
      if (row) {
        res.checkinIds.push(row.id);
        if (row.duplicate) duplicates++;
      } else if (p.people.length === 1) {
        const where = p.entrance ? ` at "${p.entrance.venueName}"` : '';
        throw new AppError(409, 'NO_OPEN_CHECKIN', `${p.prefix}.people.${i}: has no open check-in${where} to check out of`, [
          { path: `${p.prefix}.people.${i}`, message: `has no open check-in${where}` },
        ]);
      }
    }
    if (!res.checkinIds.length) throw new AppError(409, 'NO_OPEN_CHECKIN', `${p.prefix}.people: nobody here has an open check-in to check out of`, [{ path: `${p.prefix}.people`, message: 'no open check-in' }]);
    res.status = duplicates === res.checkinIds.length ? 'duplicate' : 'checked_out';
    return res;
  }

  /** One item (citizen): errors are thrown as 4xx. */
  async single(item: CheckinItem, user: AuthUser | null): Promise<CheckinResultItem> {
    const p = await this.prepare(item, 0, 'body', user);
    if (p.action === 'out') return this.checkOut(p);
    return singleAnswer((await this.checkIn([p]))[0]!);
  }

  /**
   * A citizen's (anonymous) single check-in through the warm path, or null when it does not qualify: one person by
   * token, a venue QR, both seen before with every cached answer still valid (EntranceCache.warmEntrance,
   * DeviceRegistry.warmPerson). Checked synchronously — the time (as parseAt), the venue's state and window
   * (checkOpen) — with the same errors as `single`, thrown; then written. Resolves to the answer's JSON text for a
   * check-in created (the common case), else to the result the general code makes of the batch's answer (a
   * duplicate, a reused client id, a person deleted since).
   */
  warmSingle(item: CheckinItem): Promise<string | CheckinResultItem> | null {
    const people = item.people;
    if (
      people === undefined ||
      people.length !== 1 ||
      !item.clientId ||
      !item.venueToken ||
      (item.action !== undefined && item.action !== 'in') ||
      item.personQr !== undefined ||
      item.personRef !== undefined ||
      item.dependants?.length
    )
      return null;
    const token = people[0]!.token;
    if (!token) return null;
    const now = this.o.clock();
    const nowMs = now.getTime();
    const warm = this.entrances.warmEntrance(item.venueToken, nowMs);
    if (!warm) return null;
    const personId = this.o.people.warmPerson(token, nowMs);
    if (personId === undefined) return null;
    // from here on what `single` would do, in its order: the time, then the venue's state (its errors thrown)
    const at = this.parseAt(item.at, false, now, 'body.at');
    const e = warm.info;
    this.entrances.checkOpen(e, at, 'body.venueToken');
    this.warmCount++;
    const clientId = item.clientId.toLowerCase();
    const end = stayEnd(e, at);
    const row: NewCheckin = { clientId, personId, venueId: e.venueId, entranceId: e.entranceId, checkinAt: at, autoCheckoutAt: end, checkoutAt: null, source: 'qr', recordedBy: null, newPerson: null };
    // (the batcher's promise, with the queue-full refusal in the same step: one promise less than write())
    return this.batcher.add([row]).then((written) => {
      const w = written[0]!;
      if (!w.known || w.id === null) {
        const p: Prepared = { index: 0, prefix: 'body', clientId, action: 'in', at, entrance: e, people: [{ personId, token, name: null, created: false }], staff: null };
        return this.answers([p], [row], written).then((r) => singleAnswer(r[0]!));
      }
      // CheckinResponse for one created check-in, as its serializer writes it (ids and tokens are uuids and
      // base64url by the body's schema and the database; names escaped once per cached entrance)
      return (
        `{"results":[{"clientId":"${clientId}","status":"created","action":"in","checkinIds":["${w.id}"],"venue":${(warm.venueJson ??= venueJson(e))},` +
        `"people":[{"personId":"${w.person_id}","token":"${token}","name":null,"created":false}],"at":"${at.toISOString()}","autoCheckoutAt":"${end.toISOString()}"}],` +
        `"accepted":1,"duplicates":0,"rejected":0}`
      );
    }, overloaded);
  }

  /**
   * A batch (gate queue sync): every item gets its own result; an invalid item is `rejected` with the error and
   * does not affect the others. Items are applied in order (consecutive check-ins together in one write).
   */
  async batch(items: CheckinItem[], user: AuthUser | null): Promise<CheckinResultItem[]> {
    const results: CheckinResultItem[] = new Array(items.length);
    const gates: GateRights = new Map();
    const prepared = await mapLimit(items, BATCH_PREPARE_CONCURRENCY, (item, i) =>
      this.prepare(item, i, `body.items.${i}`, user, gates).catch((err: unknown) => {
        results[i] = rejected(item, err, `body.items.${i}`);
        return null;
      }),
    );
    let run: Prepared[] = [];
    const flushRun = async () => {
      if (!run.length) return;
      const r = await this.checkIn(run);
      run.forEach((p, j) => (results[p.index] = r[j]!));
      run = [];
    };
    for (const p of prepared) {
      if (!p) continue;
      if (p.action === 'in') {
        run.push(p);
        continue;
      }
      await flushRun();
      try {
        results[p.index] = await this.checkOut(p);
      } catch (err) {
        results[p.index] = rejected(items[p.index]!, err, p.prefix);
      }
    }
    await flushRun();
    return results;
  }

  /** Citizen check-out button: the people's open stay (at the venue of the QR, if given). */
  async checkoutPeople(body: { clientId: string; people: { token: string }[]; venueToken?: string; at?: string; checkinClientId?: string }): Promise<CheckinResultItem> {
    const now = this.o.clock();
    // Only the phone that checked in knows its check-in's client id: a token obtained by typing someone's details
    // can neither end their stay nor learn (from the answer) whether they are somewhere.
    if (!body.checkinClientId) throw invalidField('body.checkinClientId', 'is required: the client id of the check-in to end');
    const at = this.parseAt(body.at, false, now, 'body.at');
    const entrance = body.venueToken ? await this.entrances.entranceOf(body.venueToken, 'body.venueToken') : null;
    const people: CheckinPerson[] = [];
    for (const [i, ref] of body.people.entries()) {
      people.push({ personId: await this.personOfToken(ref.token, `body.people.${i}.token`, true), token: ref.token, name: null, created: false });
    }
    return this.checkOut({ index: 0, prefix: 'body', clientId: body.clientId.toLowerCase(), action: 'out', at, entrance, people, staff: null, checkinClientId: body.checkinClientId.toLowerCase() });
  }
}

/** A write refused because the batcher's queue is full is a 503 with Retry-After; anything else as it is. */
function overloaded(err: unknown): never {
  if (err instanceof BatcherFullError)
    throw new AppError(503, 'OVERLOADED', 'too many check-ins are waiting to be written; try again shortly', undefined, { 'retry-after': String(err.retryAfterSeconds) });
  throw err;
}

/** A single check-in's result; a client id used before for another venue is refused (409), as a request error. */
function singleAnswer(r: CheckinResultItem): CheckinResultItem {
  if (r.error?.code === 'CLIENT_ID_REUSED') throw new AppError(409, r.error.code, `body.clientId: ${r.error.message}`, [{ path: 'body.clientId', message: r.error.message }]);
  return r;
}

/** When a stay that began at `at` ends unless checked out: the venue's usual stay, at most 12 hours. */
function stayEnd(e: EntranceInfo | null, at: Date): Date {
  const minutes = Math.min(e?.defaultStayMinutes ?? 60, 720);
  return new Date(Math.min(at.getTime() + minutes * 60_000, at.getTime() + MAX_STAY_MS));
}

/** A result's `venue` (CheckinResultItem.venue, in the schema's key order). */
function venueOf(e: EntranceInfo): NonNullable<CheckinResultItem['venue']> {
  return { id: e.venueId, name: e.venueName, entrance: e.entranceName };
}

/** The result's `venue` as JSON text (the warm path's answer). */
const venueJson = (e: EntranceInfo) => JSON.stringify(venueOf(e));

/** Each person once (first occurrence); forms still to be written by the batch are all kept. */
function uniquePeople(people: ResolvedPerson[]): ResolvedPerson[] {
  const seen = new Set<string>();
  return people.filter((p) => p.form !== undefined || (!seen.has(p.personId) && seen.add(p.personId)));
}

function rejected(item: CheckinItem, err: unknown, prefix: string): CheckinResultItem {
  if (!(err instanceof AppError)) throw err;
  return {
    clientId: item.clientId ?? '',
    status: 'rejected',
    action: item.action ?? 'in',
    checkinIds: [],
    venue: null,
    people: [],
    at: item.at ?? '',
    autoCheckoutAt: null,
    error: { code: err.code, message: err.message, path: err.details?.[0]?.path ?? prefix },
  };
}
