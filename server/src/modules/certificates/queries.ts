// SQL of the certificates module: the only place that knows the table's shape.
import { sql, type Generated, type Selectable } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';

export interface CertificateTable {
  id: Generated<string>;
  person_id: string;
  kind: 'v' | 't' | 'r';
  source_id: string;
  uvci: string;
  hc1: string;
  kid: string;
  commune_code: string | null;
  issued_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  revoked_reason: string | null;
}

declare module '../../platform/db/types' {
  interface Database {
    dcc_certificates: CertificateTable;
  }
}

export type CertificateRow = Selectable<CertificateTable>;
export type NewCertificate = Omit<CertificateRow, 'id' | 'revoked_at' | 'revoked_reason'>;

export async function insertCertificate(db: DbOrTx, row: NewCertificate): Promise<CertificateRow> {
  return db.insertInto('dcc_certificates').values(row).returningAll().executeTakeFirstOrThrow();
}

/** Revokes the live certificate(s) of a source (a dose); returns how many. */
export async function revokeBySource(db: DbOrTx, kind: CertificateRow['kind'], sourceId: string, at: Date, reason: string): Promise<number> {
  const r = await db
    .updateTable('dcc_certificates')
    .set({ revoked_at: at, revoked_reason: reason })
    .where('kind', '=', kind)
    .where('source_id', '=', sourceId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function liveBySource(db: DbOrTx, kind: CertificateRow['kind'], sourceId: string): Promise<CertificateRow | undefined> {
  return db.selectFrom('dcc_certificates').selectAll().where('kind', '=', kind).where('source_id', '=', sourceId).where('revoked_at', 'is', null).executeTakeFirst();
}

export async function certificatesOfPerson(db: DbOrTx, personId: string): Promise<CertificateRow[]> {
  return db.selectFrom('dcc_certificates').selectAll().where('person_id', '=', personId).orderBy('issued_at', 'desc').execute();
}

export async function certificateById(db: DbOrTx, id: string): Promise<CertificateRow | undefined> {
  return db.selectFrom('dcc_certificates').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function revocationOf(db: DbOrTx, uvci: string): Promise<Pick<CertificateRow, 'revoked_at' | 'kind' | 'source_id'> | undefined> {
  return db.selectFrom('dcc_certificates').select(['revoked_at', 'kind', 'source_id']).where('uvci', '=', uvci).executeTakeFirst();
}

export async function repointPerson(db: DbOrTx, fromId: string, toId: string): Promise<void> {
  await db.updateTable('dcc_certificates').set({ person_id: toId }).where('person_id', '=', fromId).execute();
}

/** For the people registry's purge: which of `ids` hold certificates. */
export async function personsWithCertificates(db: DbOrTx, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('dcc_certificates').select('person_id').distinct().where('person_id', 'in', ids).execute();
  return rows.map((r) => r.person_id);
}

export interface SignerStateTable {
  id: boolean;
  version: string;
  changed_at: Date;
}
declare module '../../platform/db/types' {
  interface Database {
    dcc_signer_state: SignerStateTable;
  }
}

/** The shared signer version (servers and the CLI on one database). */
export const signerSyncOf = (db: DbOrTx) => ({
  version: async () => String((await db.selectFrom('dcc_signer_state').select('version').executeTakeFirstOrThrow()).version),
  bump: async () => {
    await sql`update dcc_signer_state set version = version + 1, changed_at = now()`.execute(db);
  },
});
