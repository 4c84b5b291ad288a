// The electronic health book ("Sổ sức khỏe điện tử") of a person: appointments and doses with AEFI, the next dose
// due. Citizens read their own and their dependants'; staff with vaccination.read read those of their area (audited).
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { AppContext } from '../../platform/module';
import { addDays, localDay } from '../../platform/time';
import { routeKit } from './kit';
import { personCard } from './routes-siteday';
import { AppointmentView, DoseView, PersonCard, RegistrationView, Uuid } from './schema';
import { appointmentsOf, dosesOf, registrationsOf } from './views';
import { sql } from 'kysely';

const BookResponse = Type.Object({
  person: PersonCard,
  doses: Type.Array(DoseView),
  appointments: Type.Array(AppointmentView),
  registrations: Type.Array(RegistrationView),
  nextDose: Type.Union([Type.Object({ doseNumber: Type.Integer(), dueOn: Type.String(), productCode: Type.String() }), Type.Null()]),
});

export async function bookRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const k = routeKit(ctx);
  const { db } = k;

  app.get(
    '/api/vaccination/book/:personId',
    { config: { permission: 'self', audit: 'handler' }, schema: { tags: ['vaccination'], params: Type.Object({ personId: Uuid }), response: { 200: BookResponse } } },
    async (req) => {
      const { brief, self } = await k.personFor(req.user!, req.params.personId, 'vaccination.read', 'params.personId');
      const [doses, appointments, registrations] = await Promise.all([dosesOf(db, brief.id), appointmentsOf(db, brief.id), registrationsOf(db, brief.id)]);
      const today = localDay(k.now(), k.tz);
      const last = doses[doses.length - 1];
      let nextDose = null;
      if (last && last.doseNumber < last.seriesDoses) {
        const p = (await sql<{ interval_days: number }>`select interval_days from vaccine_products where code = ${last.productCode}`.execute(db)).rows[0]!;
        nextDose = { doseNumber: last.doseNumber + 1, dueOn: addDays(last.givenOn, p.interval_days), productCode: last.productCode };
      }
      await k.audit(req, { action: self ? 'vaccination.book.read_own' : 'vaccination.book.read', subjectType: 'person', subjectId: brief.id, details: { doses: doses.length } });
      return { person: personCard(brief, today), doses, appointments, registrations, nextDose };
    },
  );
}
