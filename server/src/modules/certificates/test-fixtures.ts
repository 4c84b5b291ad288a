// Test helpers of the certificates module (not imported by production code): people, simulated dose events (the
// vaccination module's, published by the test inside a transaction as that module will), the trust list.
import type { TestContext } from '../../../test/helpers';
import { findOrCreatePerson } from '../people';
import type { DoseRecorded, DoseVoided } from '../vaccination';
import { parseTrust, type TrustStore } from './trust';

let seq = 0;

/** two communes of Nghệ An (40) in different districts */
export async function communesOf(t: TestContext): Promise<{ commune: string; otherCommune: string }> {
  const rows = await t.db.selectFrom('admin_units').select(['code', 'parent_code']).where('level', '=', 'commune').where('path', 'like', '/VN/40/%').orderBy('code').execute();
  return { commune: rows[0]!.code, otherCommune: rows.find((r) => r.parent_code !== rows[0]!.parent_code)!.code };
}

export async function person(t: TestContext, fullName: string, commune: string, birthDate = '1987-03-09'): Promise<string> {
  const n = ++seq;
  const r = await findOrCreatePerson(
    t.db,
    { fullName, birthDate, birthYear: Number(birthDate.slice(0, 4)), communeCode: commune, phone: `+8498${String(1_000_000 + n * 7919 + (process.pid % 997)).slice(-7)}` },
    { resolver: t.app.vigil.access.resolver, now: t.config.clock(), source: 'import', trust: 'staff' },
  );
  return r.id;
}

export function dose(personId: string, over: Partial<DoseRecorded> = {}): DoseRecorded {
  return {
    doseId: `dose-${process.pid}-${++seq}`,
    personId,
    givenOn: '2021-09-14',
    doseNumber: 1,
    seriesDoses: 2,
    product: { code: 'EU/1/21/1529', name: 'Vaxzevria', manufacturerCode: 'ORG-100001699', manufacturerName: 'AstraZeneca AB', prophylaxisCode: 'J07BX03' },
    lot: 'ABV5300',
    siteCode: null,
    communeCode: null,
    correction: false,
    ...over,
  };
}

export async function publishDose(t: TestContext, d: DoseRecorded): Promise<void> {
  await t.db.transaction().execute((trx) => t.events.publish(trx, 'vaccination.dose-recorded', d));
  await t.events.settled();
}

export async function publishVoid(t: TestContext, v: DoseVoided): Promise<void> {
  await t.db.transaction().execute((trx) => t.events.publish(trx, 'vaccination.dose-voided', v));
  await t.events.settled();
}

/** this deployment's trust list, as an outside verifier downloads it */
export async function trustList(t: TestContext): Promise<{ json: string; store: TrustStore }> {
  const res = await t.app.inject({ method: 'GET', url: '/api/certificates/trust-list' });
  if (res.statusCode !== 200) throw new Error(`trust list: ${res.statusCode} ${res.body}`);
  return { json: res.body, store: parseTrust(res.body) };
}
