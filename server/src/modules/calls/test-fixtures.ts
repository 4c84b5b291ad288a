// Test helpers (not imported by production code): what tests outside the module and the benchmarks use (the lint
// rule lets them import only a module's index.ts or this file) — the telephony pieces, the dialer's pieces, a daily
// health-check script, F1/F2 contacts under monitoring written straight into the cases module's tables.
export { SipProvider, freeUdpPort, type SipProviderOptions } from './sip/ua';
export { mediaClock } from './media/clock';
export { PEER_ADDRESS, Peer, freeTcpPort, startBaresip, startKamailio } from './sip/testing/peers';
export { dialerDeps, prepareDay } from './service';
export { silentRenderer } from './sim-render';
export { planDay } from './plan';
export { syncAudience } from './audience';
export { createCampaign, saveScript } from './store';
export { dailyHealthCheck } from './default-scripts';
import { sql } from 'kysely';
import type { Db } from '../../platform/db/types';
import type { CallScript } from './types';

const ask = (text: string, field: string, next: string, extra: Record<string, unknown> = {}) => ({
  kind: 'ask' as const,
  text,
  field,
  digits: '12',
  timeoutMs: 8000,
  retries: 1,
  branches: { '*': next },
  noInput: 'incomplete',
  ...extra,
});

export const HEALTH_CHECK: CallScript = {
  name: 'Kiểm tra sức khỏe hằng ngày',
  language: 'vi',
  start: 'identity',
  states: {
    identity: ask('Xin chào, đây là Trung tâm Kiểm soát bệnh tật. Có phải {name} không? Bấm 1 nếu đúng, 2 nếu không.', 'identity', 'fever', { branches: { '1': 'fever', '2': 'wrong' } }),
    fever: ask('Hôm nay bạn có sốt không? Bấm 1 nếu có, 2 nếu không.', 'fever', 'cough'),
    cough: ask('Bạn có ho không? Bấm 1 nếu có, 2 nếu không.', 'cough', 'breathing'),
    breathing: ask('Bạn có khó thở không? Bấm 1 nếu có, 2 nếu không.', 'breathing', 'taste_smell'),
    taste_smell: ask('Bạn có mất vị giác hoặc khứu giác không? Bấm 1 nếu có, 2 nếu không.', 'taste_smell', 'address'),
    address: ask('Bạn vẫn ở địa chỉ cách ly không? Bấm 1 nếu có, 2 nếu không.', 'at_address', 'done'),
    done: { kind: 'end', text: 'Cảm ơn bạn. Chúc bạn nhiều sức khỏe.', outcome: 'completed' },
    wrong: { kind: 'end', text: 'Xin lỗi đã làm phiền.', outcome: 'wrong-person' },
    incomplete: { kind: 'end', outcome: 'incomplete' },
  },
};

let seq = 0;

/** A confirmed case in `commune` and contacts (level 1 or 2) under monitoring from `day`, with their phones. */
export async function monitoredContacts(db: Db, commune: string, day: string, people: { name: string; phone: string | null; level?: number }[]): Promise<string[]> {
  const src = await db.insertInto('persons').values({ full_name: 'Nguồn bệnh', name_key: 'nguon benh', commune_code: commune, source: 'officer' } as never).returning('id').executeTakeFirstOrThrow();
  const c = await sql<{ id: string }>`insert into cases (code, person_id, province_code, commune_code, confirmed_at, source)
    values (${`BN-T${process.pid}-${++seq}`}, ${(src as { id: string }).id}, '40', ${commune}, now(), 'community') returning id`.execute(db);
  const ids: string[] = [];
  for (const p of people) {
    const r = await db
      .insertInto('persons')
      .values({ full_name: p.name, name_key: p.name.toLowerCase(), phone: p.phone, commune_code: commune, source: 'officer' } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    const id = (r as { id: string }).id;
    ids.push(id);
    const level = p.level ?? 1;
    await sql`insert into case_contacts (case_id, person_id, level, unit_code, order_kind, order_start, order_end, origin)
      values (${c.rows[0]!.id}, ${id}, ${level}, ${commune}, ${level === 1 ? 'quarantine' : 'monitoring'}, ${day}::date - 2, ${day}::date + 10, 'manual')`.execute(db);
  }
  return ids;
}

export async function vinhCommune(db: Db): Promise<string> {
  const r = await db.selectFrom('admin_units').select('code').where('level', '=', 'commune').where('path', 'like', '/VN/40/%').orderBy('code').executeTakeFirstOrThrow();
  return r.code;
}
