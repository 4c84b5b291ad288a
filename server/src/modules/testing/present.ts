// Rows → API shapes: samples with the people in them (phones masked unless the reader may call people).
import type { DbOrTx } from '../../platform/db/types';
import type { JurisdictionResolver } from '../../platform/auth/jurisdiction';
import { getPersonIdentities, maskPhone } from '../people';
import type { Sample } from './schema';
import type { SampleRow } from './tables';

export async function sampleItems(
  db: DbOrTx,
  resolver: JurisdictionResolver,
  rows: SampleRow[],
  opts: { fullPhone: boolean; created?: Set<string> },
): Promise<Sample[]> {
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const members = await db.selectFrom('sample_members').selectAll().where('sample_id', 'in', ids).orderBy('position').execute();
  const people = await getPersonIdentities(db, members.map((m) => m.person_id));
  const pointIds = [...new Set(rows.map((r) => r.point_id).filter((x): x is string => !!x))];
  const points = pointIds.length ? await db.selectFrom('sampling_points').select(['id', 'code', 'name']).where('id', 'in', pointIds).execute() : [];
  const names = new Map<string, string>();
  for (const c of new Set(rows.map((r) => r.commune_code))) names.set(c, (await resolver.unit(c))?.name ?? c);
  return rows.map((r) => {
    const point = points.find((x) => x.id === r.point_id);
    return {
      id: r.id,
      tubeCode: r.tube_code,
      testType: r.test_type,
      collectedAt: r.collected_at.toISOString(),
      collectedOn: String(r.collected_on),
      point: point ? { code: point.code, name: point.name } : null,
      communeCode: r.commune_code,
      communeName: names.get(r.commune_code) ?? r.commune_code,
      collector: r.collector,
      clientId: r.client_id,
      poolSize: r.pool_size,
      result: r.result,
      resultedAt: r.resulted_at?.toISOString() ?? null,
      labCode: r.lab_code,
      members: members
        .filter((m) => m.sample_id === r.id)
        .map((m) => {
          const p = people.get(m.person_id);
          return {
            personId: m.person_id,
            fullName: p?.fullName ?? '',
            phone: p?.phone ? (opts.fullPhone ? p.phone : maskPhone(p.phone)) : null,
            birthYear: p?.birthYear ?? null,
            ...(opts.created && { created: opts.created.has(m.person_id) }),
          };
        }),
    };
  });
}
