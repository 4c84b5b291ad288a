// Which inbound CallSids the TwiML provider has answered, shared through PostgreSQL by every app process on the
// database (a replay to another process is refused too), bounded by age: kept TWIML_SEEN_DAYS, purged hourly.
import { sql } from 'kysely';
import type { Db } from '../../../platform/db/types';
import { purgeInChunks, retentionCutoff } from '../../../platform/purge';

/** How long an answered inbound CallSid is remembered (a replay after that is answered as a new call). */
export const TWIML_SEEN_DAYS = 90;

/** claim(callSid): true the first time any process sees it, false for a replay. */
export function sharedInboundSeen(db: Db, clock: () => Date): (callSid: string) => Promise<boolean> {
  return async (callSid) => {
    const r = await sql<{ call_sid: string }>`insert into call_twiml_inbound_seen (call_sid, seen_at) values (${callSid}, ${clock()})
      on conflict (call_sid) do nothing returning call_sid`.execute(db);
    return r.rows.length === 1;
  };
}

/** Forgets the CallSids older than TWIML_SEEN_DAYS; the number removed. */
export function purgeInboundSeen(db: Db, now: Date): Promise<number> {
  return purgeInChunks(db, 'call_twiml_inbound_seen', sql`seen_at < ${retentionCutoff(now, TWIML_SEEN_DAYS)}`, { chunk: 5000, key: ['call_sid'] });
}
