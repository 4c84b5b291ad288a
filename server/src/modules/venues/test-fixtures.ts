// Shared helpers for the venues tests (not imported by production code).
import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../platform/db/types';

export const uuid = () => crypto.randomUUID();

/** Two communes of Nghệ An in different districts, and one commune of another district for scope tests. */
export async function communes(db: Db) {
  const rows = await db
    .selectFrom('admin_units')
    .select(['code', 'parent_code', 'path'])
    .where('level', '=', 'commune')
    .where('path', 'like', '/VN/40/%')
    .orderBy('code')
    .execute();
  const a = rows[0]!;
  const b = rows.find((r) => r.parent_code !== a.parent_code)!;
  return { a: a.code, aDistrict: a.parent_code!, b: b.code, bDistrict: b.parent_code!, all: rows.map((r) => r.code) };
}

export async function createVenue(app: FastifyInstance, headers: Record<string, string>, body: Record<string, unknown>) {
  const res = await app.inject({ method: 'POST', url: '/api/venues', headers, payload: { name: 'Chợ Vinh', type: 'market', address: '1 Cao Thắng', ...body } });
  if (res.statusCode !== 201) throw new Error(`create venue: ${res.statusCode} ${res.body}`);
  const detail = res.json() as { venue: { id: string; code: string; status: string }; entrances: { id: string; checkinUrl: string; shortCode: string; shortUrl: string }[] };
  return { ...detail, token: detail.entrances[0]!.checkinUrl.split('/c/')[1]! };
}

export const form = (over: Record<string, unknown> = {}) => ({
  fullName: 'Nguyễn Văn An',
  phone: '0912345678',
  birthYear: 1985,
  ...over,
});
