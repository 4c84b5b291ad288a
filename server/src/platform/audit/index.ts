// Append-only audit of personal-data access and changes: who, when, what, why.
import { purgeInChunks } from '../purge';
import { sql, type Generated } from 'kysely';
import type { Db, DbOrTx } from '../db/types';

export interface AuditTable {
  id: Generated<string>;
  at: Generated<Date>;
  actor_id: string | null;
  actor_username: string | null;
  actor_scope_path: string | null;
  action: string;
  subject_type: string;
  subject_id: string | null;
  reason: string | null;
  ip: string | null;
  details: unknown;
  area_path: string | null;
}

declare module '../db/types' {
  interface Database {
    audit_log: AuditTable;
  }
}

export interface AuditActor {
  id: string;
  username: string;
  /** materialized path of the actor's jurisdiction, so scoped auditors see their own staff's actions */
  scopePath?: string | null;
}

export interface AuditEntry {
  actor: AuditActor | null;
  /** e.g. 'person.read', 'person.update', 'person.merge', 'checkins.export', 'user.create' */
  action: string;
  subjectType: string;
  subjectId?: string | null;
  reason?: string | null;
  ip?: string | null;
  /** Never the personal data itself: field names changed, counts, filters. */
  details?: Record<string, unknown> | null;
  at?: Date;
  /**
   * Materialized path of the administrative area the change affects ('/' = the whole country), for changes whose
   * effect reaches beyond the actor's own area (e.g. nationwide configuration): auditors of every unit inside that
   * area, and of every unit containing it, see the entry.
   */
  areaPath?: string | null;
}

/** The audit_log columns of an entry (`at` absent: the database's now()). */
const auditRow = (x: AuditEntry) => ({
  ...(x.at && { at: x.at }),
  actor_id: x.actor?.id ?? null,
  actor_username: x.actor?.username ?? null,
  actor_scope_path: x.actor?.scopePath ?? null,
  action: x.action,
  subject_type: x.subjectType,
  subject_id: x.subjectId ?? null,
  reason: x.reason ?? null,
  ip: x.ip ?? null,
  details: x.details ? JSON.stringify(x.details) : null,
  area_path: x.areaPath ?? null,
});

export async function recordAudit(db: DbOrTx, e: AuditEntry | AuditEntry[]) {
  const rows = (Array.isArray(e) ? e : [e]).map(auditRow);
  if (rows.length) await db.insertInto('audit_log').values(rows).execute();
}

/**
 * Entries as eleven column arrays, in the order at, actor_id, actor_username, actor_scope_path, action, subject_type,
 * subject_id, reason, ip, details (JSON text), area_path (at null: now()), for a statement or SQL function that
 * writes audit rows together with the rows they are about (e.g. vaccination_book_seats).
 */
export function auditColumns(entries: AuditEntry[]): [(Date | null)[], ...(string | null)[][]] {
  const rows = entries.map(auditRow);
  const col = <K extends keyof ReturnType<typeof auditRow>>(k: K) => rows.map((r) => (r[k] ?? null) as string | null);
  return [
    rows.map((r) => r.at ?? null),
    col('actor_id'),
    col('actor_username'),
    col('actor_scope_path'),
    col('action'),
    col('subject_type'),
    col('subject_id'),
    col('reason'),
    col('ip'),
    col('details'),
    col('area_path'),
  ];
}

export interface AuditQuery {
  actor?: string;
  action?: string;
  subjectType?: string;
  subjectId?: string;
  from?: Date;
  to?: Date;
  /** Only entries made by actors inside this jurisdiction path (null = all). */
  scopePath: string | null;
  limit: number;
  offset: number;
}

export async function searchAudit(db: DbOrTx, q: AuditQuery) {
  let base = db.selectFrom('audit_log');
  if (q.actor) base = base.where('actor_username', '=', q.actor);
  if (q.action) base = base.where('action', 'like', `${q.action.replace(/[%_]/g, '\\$&')}%`);
  if (q.subjectType) base = base.where('subject_type', '=', q.subjectType);
  if (q.subjectId) base = base.where('subject_id', '=', q.subjectId);
  if (q.from) base = base.where('at', '>=', q.from);
  if (q.to) base = base.where('at', '<', q.to);
  if (q.scopePath) {
    const scope = q.scopePath;
    // made by someone inside the auditor's area, or affecting it (a change to a wider area covers theirs)
    base = base.where((eb) =>
      eb.or([
        eb('actor_scope_path', 'like', `${scope}%`),
        eb.and([eb('area_path', 'is not', null), eb.or([sql<boolean>`starts_with(area_path, ${scope})`, sql<boolean>`starts_with(${scope}, area_path)`])]),
      ]),
    );
  }
  const [items, total] = await Promise.all([
    base.selectAll().orderBy('at', 'desc').orderBy('id', 'desc').limit(q.limit).offset(q.offset).execute(),
    base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items, total: Number(total.n) };
}

/**
 * Retention: the only path that deletes audit rows (the trigger refuses any other). In chunks, each its own short
 * transaction, so purging years of rows neither locks the log for long nor builds one huge transaction.
 */
export async function purgeAudit(db: Db, before: Date, chunk = 10_000) {
  return purgeInChunks(db, 'audit_log', sql`at < ${before}`, {
    chunk,
    prelude: async (tx) => void (await sql`select set_config('vigil.audit_purge', 'on', true)`.execute(tx)),
  });
}
