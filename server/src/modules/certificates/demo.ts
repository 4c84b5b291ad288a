// Demo certificates: when the vaccination module's demo records doses, its dose events issue certificates through
// the subscriber. Until then (or when it seeds none), three residents of Vinh get a two-dose Comirnaty course, so
// the verifier, the QR and the PDF have something to show. The testing demo's latest (up to two) individual negative RT-PCR tubes get
// test certificates, as if their people had asked. Idempotent: each part adds nothing once a certificate of its
// kind exists.
import { sql } from 'kysely';
import type { AppContext } from '../../platform/module';
import type { DoseRecorded } from '../vaccination';
import { testForCertificate } from '../testing';
import { issueForDose, issueForTest } from './service';
import type { SignerRing } from './signer-ring';

const COMIRNATY = { code: 'EU/1/20/1528', name: 'Comirnaty', manufacturerCode: 'ORG-100030215', manufacturerName: 'BioNTech Manufacturing GmbH', prophylaxisCode: '1119349007' };

export async function seedCertificatesDemo(ctx: AppContext, ring: SignerRing): Promise<void> {
  await seedTestCertificates(ctx, ring);
  const db = ctx.db;
  if (await db.selectFrom('dcc_certificates').select('id').where('kind', '=', 'v').limit(1).executeTakeFirst()) return;
  const people = await sql<{ id: string; commune_code: string }>`
    select p.id, p.commune_code from persons p join admin_units u on u.code = p.commune_code and u.parent_code = '412'
    where p.merged_into is null order by p.created_at, p.id limit 3`.execute(db);
  const now = ctx.config.clock();
  const day = (daysAgo: number) => new Date(now.getTime() - daysAgo * 86_400_000).toISOString().slice(0, 10);
  for (const [i, p] of people.rows.entries()) {
    for (const dose of [1, 2]) {
      const event: DoseRecorded = {
        doseId: `demo-${p.id}-${dose}`,
        personId: p.id,
        givenOn: day(dose === 1 ? 70 + i : 49 + i),
        doseNumber: dose,
        seriesDoses: 2,
        product: COMIRNATY,
        lot: `FK${8891 + i}`,
        siteCode: null,
        communeCode: p.commune_code,
        correction: false,
      };
      await issueForDose(db, { ring, clock: () => now }, event);
    }
  }
}

async function seedTestCertificates(ctx: AppContext, ring: SignerRing): Promise<void> {
  const db = ctx.db;
  if (await db.selectFrom('dcc_certificates').select('id').where('kind', '=', 't').limit(1).executeTakeFirst()) return;
  // the testing module's tubes, read only (demo data: which tubes to certify)
  const tubes = await sql<{ id: string }>`select id from samples where pool_size = 1 and result = 'negative' and test_type in ('rt-pcr', 'lamp') order by collected_at desc, id limit 2`.execute(db);
  for (const { id } of tubes.rows) {
    const test = await testForCertificate(db, id);
    if (test) await issueForTest(db, { ring, clock: () => ctx.config.clock(), ratDevice: ctx.config.dccRatDevice }, test, test.personIds[0]!);
  }
}
