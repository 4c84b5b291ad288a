// Demo data for `npm start` on an empty database and `vigil demo`: admin units, one user per role, then each
// module's own demo data (modules that define seedDemo).
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Db } from './platform/db/types';
import { createUser } from './platform/auth/service';
import { seedGeoDemo, NGHE_AN_CODE } from './modules/geo';
import { modules } from './modules';

export const DEMO_PASSWORD = 'vigil-demo-2021';

export const DEMO_USERS = [
  { username: 'admin', role: 'national_admin', unit: 'VN', name: 'Quản trị quốc gia', note: 'whole country' },
  { username: 'cdc.nghean', role: 'cdc_officer', unit: NGHE_AN_CODE, name: 'CDC Nghệ An', note: 'Nghệ An province' },
  { username: 'huyen.vinh', role: 'district_officer', unit: '412', name: 'Trung tâm Y tế TP Vinh', note: 'Vinh city' },
  { username: 'xa.vinh', role: 'commune_officer', unit: 'first-commune-of-412', name: 'Trạm Y tế phường', note: 'a ward of Vinh' },
  { username: 'truyvet', role: 'contact_tracer', unit: NGHE_AN_CODE, name: 'Điều tra viên', note: 'Nghệ An' },
  { username: 'tongdai', role: 'call_supervisor', unit: NGHE_AN_CODE, name: 'Giám sát tổng đài', note: 'Nghệ An' },
  { username: 'diadiem', role: 'venue_operator', unit: '412', name: 'Quản lý chợ Vinh', note: 'venues it registers' },
  { username: 'tiemchung', role: 'vaccination_staff', unit: '412', name: 'Nhân viên tiêm chủng', note: 'Vinh' },
  { username: 'xetnghiem', role: 'lab_staff', unit: NGHE_AN_CODE, name: 'Nhân viên xét nghiệm', note: 'Nghệ An' },
  { username: 'hanoi.cdc', role: 'cdc_officer', unit: '01', name: 'CDC Hà Nội', note: 'Hà Nội (sees no Nghệ An data)' },
  // a resident's own account, linked to a vaccinated demo person (signing up needs a one-time code by SMS, which the
  // demo's console SMS provider does not show): the citizen's pages /me, /health-book, /certificates on a phone
  { username: 'nguoidan', role: 'citizen', unit: 'VN', name: 'Người dân', note: 'a vaccinated resident of Vinh (phone pages)' },
] as const;

export async function hasUsers(db: Db) {
  return !!(await db.selectFrom('users').select('id').limit(1).executeTakeFirst());
}

export async function seedDemo(app: FastifyInstance, onProgress?: (done: number, total: number) => void) {
  const ctx = app.vigil;
  const steps = 2 + modules.filter((m) => m.seedDemo).length;
  let step = 0;
  await seedGeoDemo(ctx.db, ctx.config.adminLevels);
  onProgress?.(++step, steps);
  const commune = await ctx.db.selectFrom('admin_units').select('code').where('parent_code', '=', '412').orderBy('code').executeTakeFirstOrThrow();
  for (const u of DEMO_USERS) {
    const exists = await ctx.db.selectFrom('users').select('id').where('username', '=', u.username).executeTakeFirst();
    if (exists) continue;
    await createUser(ctx.db, ctx.access.resolver, null, {
      username: u.username,
      displayName: u.name,
      password: DEMO_PASSWORD,
      role: u.role,
      jurisdictionCode: u.unit === 'first-commune-of-412' ? commune.code : u.unit,
    });
  }
  onProgress?.(++step, steps);
  for (const m of modules) {
    if (!m.seedDemo) continue;
    await m.seedDemo(ctx);
    onProgress?.(++step, steps);
  }
  await linkDemoCitizen(ctx.db);
}

/**
 * The demo citizen's account becomes the record of a resident with a vaccination certificate (else the most doses),
 * once: the modules' demo data is read-only here (SQL across their tables, as the seeding glue may).
 */
async function linkDemoCitizen(db: Db) {
  const user = await db.selectFrom('users').select(['id', 'person_id']).where('username', '=', 'nguoidan').executeTakeFirst();
  if (!user || user.person_id) return;
  const p = await sql<{ id: string; full_name: string }>`
    select p.id, p.full_name from persons p
    where p.merged_into is null
      and not exists (select 1 from users u where u.person_id = p.id)
      and exists (select 1 from vaccination_doses d where d.person_id = p.id and d.status = 'valid')
    order by exists (select 1 from dcc_certificates c where c.person_id = p.id and c.revoked_at is null) desc,
      (select count(*) from vaccination_doses d where d.person_id = p.id and d.status = 'valid') desc, p.id
    limit 1`.execute(db);
  const person = p.rows[0];
  if (!person) return;
  await db.updateTable('users').set({ person_id: person.id, display_name: person.full_name }).where('id', '=', user.id).where('person_id', 'is', null).execute();
}
