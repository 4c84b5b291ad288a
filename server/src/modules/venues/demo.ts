// Demo venues and check-ins for `vigil demo` / the first `npm start`: a handful of venues in Vinh (Nghệ An) of
// several types and statuses, the demo venue operator's own market, and a few days of check-ins. Idempotent.
import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { AppContext } from '../../platform/module';
import { insertCheckins, type NewCheckin } from './checkin-insert';
import { DEFAULT_ENTRANCE_NAME } from './service';
import type { PeoplePort } from './people-port';

const VENUES = [
  { code: 'DEMO-CHO-VINH', name: 'Chợ Vinh', type: 'market', stay: 60, entrances: ['Cổng Cao Thắng', 'Cổng Hồng Bàng', 'Khu hàng khô'], operator: true },
  { code: 'DEMO-BV-NGHEAN', name: 'Bệnh viện Hữu nghị Đa khoa Nghệ An', type: 'hospital', stay: 120, entrances: ['Khoa Khám bệnh', 'Khoa Cấp cứu'] },
  { code: 'DEMO-BX-BAC', name: 'Bến xe Bắc Vinh', type: 'station', stay: 45, entrances: [DEFAULT_ENTRANCE_NAME] },
  { code: 'DEMO-SIEUTHI', name: 'Siêu thị Big C Vinh', type: 'supermarket', stay: 60, entrances: ['Lối vào chính', 'Lối vào bãi xe'] },
  { code: 'DEMO-THPT-HP', name: 'Trường THPT Huỳnh Thúc Kháng', type: 'school', stay: 300, entrances: ['Cổng trường'] },
  { code: 'DEMO-NH-SEN', name: 'Nhà hàng Sen Vàng', type: 'restaurant', stay: 90, entrances: [DEFAULT_ENTRANCE_NAME], status: 'suspended', reason: 'Có ca F0 đến ngày 28/7; tạm dừng để khử khuẩn' },
  { code: 'DEMO-KS-MUONGTHANH', name: 'Khách sạn Mường Thanh', type: 'hotel', stay: 720, entrances: ['Sảnh lễ tân'], status: 'pending' },
  { code: 'DEMO-HOICHO', name: 'Hội chợ nông sản Vinh', type: 'event', stay: 120, entrances: ['Cổng A', 'Cổng B'], eventDays: 5 },
] as const;

const NAMES = ['Nguyễn Văn An', 'Trần Thị Bình', 'Lê Văn Cường', 'Phạm Thị Dung', 'Hoàng Văn Em', 'Võ Thị Giang', 'Đặng Văn Hải', 'Bùi Thị Hoa', 'Ngô Văn Khánh', 'Đỗ Thị Lan', 'Hồ Văn Minh', 'Dương Thị Nga'];

export async function seedVenuesDemo(ctx: AppContext, people: PeoplePort) {
  const db = ctx.db;
  if (await db.selectFrom('venues').select('id').where('code', '=', VENUES[0].code).executeTakeFirst()) return;
  const communes = (await db.selectFrom('admin_units').select('code').where('parent_code', '=', '412').orderBy('code').limit(8).execute()).map((c) => c.code);
  if (!communes.length) return;
  const now = ctx.config.clock();
  const operator = await db.selectFrom('users').select('id').where('username', '=', 'diadiem').executeTakeFirst();
  const cdc = await db.selectFrom('users').select('id').where('username', '=', 'cdc.nghean').executeTakeFirst();
  const venueIds: { id: string; stay: number; entrances: string[] }[] = [];
  await db.transaction().execute(async (tx) => {
    for (const [i, v] of VENUES.entries()) {
      const status = 'status' in v ? v.status : 'approved';
      const row = await tx
        .insertInto('venues')
        .values({
          code: v.code,
          name: v.name,
          type: v.type,
          commune_code: communes[i % communes.length]!,
          address: `${10 + i * 7} đường Lê Lợi`,
          contact_name: 'Ban quản lý',
          contact_phone: `+8423838${String(1000 + i).padStart(4, '0')}`,
          default_stay_minutes: v.stay,
          valid_from: 'eventDays' in v ? new Date(now.getTime() - 86400_000) : null,
          valid_until: 'eventDays' in v ? new Date(now.getTime() + v.eventDays * 86400_000) : null,
          status,
          status_reason: 'reason' in v ? v.reason : null,
          status_changed_at: status === 'pending' ? null : now,
          status_changed_by: status === 'pending' ? null : (cdc?.id ?? null),
          created_by: 'operator' in v ? (operator?.id ?? null) : (cdc?.id ?? null),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const entrances = await tx
        .insertInto('venue_entrances')
        .values(v.entrances.map((name) => ({ venue_id: row.id, name, kind: name.startsWith('Khoa') || name.startsWith('Sảnh') ? 'room' : 'entrance' })))
        .returning('id')
        .execute();
      if ('operator' in v && operator) await tx.insertInto('venue_operators').values({ user_id: operator.id, venue_id: row.id }).execute();
      if (status === 'approved') venueIds.push({ id: row.id, stay: v.stay, entrances: entrances.map((e) => e.id) });
    }
  });

  // people and three days of check-ins (08:00–20:00 local), within the retention period
  const persons: string[] = [];
  for (const [i, name] of NAMES.entries()) {
    const r = await people.findOrCreate(
      db,
      { fullName: name, phone: `+849120000${String(10 + i).padStart(2, '0')}`, birthYear: 1960 + i * 4, communeCode: communes[i % communes.length]! },
      { prefix: 'demo', source: 'checkin', now },
    );
    persons.push(r.id);
  }
  const rows: NewCheckin[] = [];
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let day = 2; day >= 0; day--) {
    for (const person of persons) {
      let t = new Date(now.getTime() - day * 86400_000 - 12 * 3600_000 + rand() * 2 * 3600_000);
      for (let k = 0; k < 3; k++) {
        if (t >= now) break;
        const v = venueIds[Math.floor(rand() * venueIds.length)]!;
        const stay = Math.min(v.stay, 720) * 60_000;
        const explicit = rand() < 0.5 ? new Date(t.getTime() + rand() * stay) : null;
        rows.push({
          clientId: crypto.randomUUID(),
          personId: person,
          venueId: v.id,
          entranceId: v.entrances[Math.floor(rand() * v.entrances.length)]!,
          checkinAt: t,
          autoCheckoutAt: new Date(t.getTime() + stay),
          checkoutAt: explicit && explicit < now ? explicit : null,
          source: rand() < 0.8 ? 'qr' : 'gate',
          recordedBy: null,
        });
        t = new Date(t.getTime() + stay + rand() * 3 * 3600_000);
      }
    }
  }
  rows.sort((a, b) => a.checkinAt.getTime() - b.checkinAt.getTime());
  for (let i = 0; i < rows.length; i += 200) await insertCheckins(db, rows.slice(i, i + 200));
  await sql`analyze venues`.execute(db);
}
