// Site-day routes: scan a personal QR, screening, dose, observation, AEFI, voiding a dose entered in error.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import { AppError, forbidden, notFound } from '../../platform/http/errors';
import type { AppContext } from '../../platform/module';
import { SignatureError } from '../../platform/signing';
import { localDay, startOfLocalDay } from '../../platform/time';
import { recordAudit } from '../../platform/audit';
import { auditActor } from '../../platform/auth/routes';
import type { AuthUser } from '../../platform/auth/service';
import { LruCache } from '../../platform/cache';
import { invalidField } from '../../platform/http/errors';
import { getPersonBrief, verifyPersonalQr, type PersonBrief } from '../people';
import { routeKit } from './kit';
import { ageOn, classify } from './rules';
import { SitePersonParam, AefiBody, DoseBody, DoseResponse, IdParam, ObservationBody, ScanBody, ScanResponse, ScreeningBody, ScreeningResponse, VoidBody } from './schema';
import { endObservation, findDose, findSite, recordAefi, recordDose, recordScreening, voidDose, type SiteRow } from './siteday';
import { siteDayView } from './views';

const tags = ['vaccination'];

export const personCard = (b: PersonBrief, today: string) => ({
  id: b.id,
  fullName: b.fullName,
  birthYear: b.birthYear,
  sex: b.sex,
  age: ageOn(today, b.birthDate, b.birthYear),
  phoneMasked: b.phoneMasked,
  communeCode: b.communeCode,
});

export async function siteDayRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const k = routeKit(ctx);
  const { db, access } = k;
  const today = () => localDay(k.now(), k.tz);

  // The site day waits on every round trip: a site (never edited: code, name, commune) is kept in memory, the
  // person and the scan of today are read at once, and writes that do not depend on each other go out together.
  const sites = new LruCache<string, SiteRow>(10_000, 5 * 60_000);
  const siteAt = async (user: AuthUser, siteId: string, path = 'body.siteId') => {
    let s = sites.get(siteId);
    if (!s) {
      s = (await findSite(db, siteId)) ?? undefined;
      if (!s) throw invalidField(path, 'is not a known vaccination site');
      sites.set(siteId, s);
    }
    await access.authorize(user, 'vaccination.write', { unitCode: s.commune_code });
    return s;
  };
  // A scan is never taken back: once this process has written or read one for (site, person, day), the screening and
  // the dose of that person need not read it again (a scan made by another process is read once, then known).
  const scans = new LruCache<string, true>(50_000, 24 * 3600_000);
  const scannedToday = async (siteId: string, personId: string) => {
    const key = `${today()} ${siteId} ${personId}`;
    if (scans.get(key)) return true;
    const found = (await sql`select 1 from vaccination_scans where site_id = ${siteId} and person_id = ${personId} and scanned_at >= ${startOfLocalDay(today(), k.tz)} limit 1`.execute(db)).rows.length > 0;
    if (found) scans.set(key, true);
    return found;
  };

  /**
   * A person the staff member at `site` may work on: scanned at this site today (the person showed their QR), or
   * living in the staff member's area. Anyone else's id answers 404, like an unknown one.
   */
  const personAtSite = async (req: FastifyRequest, personId: string, site: SiteRow) => {
    const [brief, scannedAsAsked] = await Promise.all([getPersonBrief(db, personId), scannedToday(site.id, personId)]); // the brief follows merges
    if (!brief) throw notFound('Person');
    const scanned = brief.id === personId ? scannedAsAsked : await scannedToday(site.id, brief.id);
    if (scanned || (await access.can(req.user!, 'vaccination.write', { unitCode: brief.communeCode }))) return brief;
    throw notFound('Person');
  };

  app.post('/api/vaccination/scan', { config: { permission: 'vaccination.write', audit: 'handler' }, schema: { tags, body: ScanBody, response: { 200: ScanResponse } } }, async (req) => {
    const site = await siteAt(req.user!, req.body.siteId);
    let id: string;
    try {
      id = verifyPersonalQr(ctx.keys, req.body.qr, k.now());
    } catch (e) {
      if (e instanceof SignatureError)
        throw new AppError(400, 'QR_INVALID', `body.qr: not a valid personal QR (${e.reason})`, [{ path: 'body.qr', message: e.reason }]);
      throw e;
    }
    const brief = await getPersonBrief(db, id); // follows merges
    if (!brief) throw notFound('Person');
    const [, , view] = await Promise.all([
      sql`insert into vaccination_scans (site_id, person_id, scanned_at, scanned_by) values (${site.id}, ${brief.id}, ${k.now()}, ${req.user!.id}) on conflict do nothing`
        .execute(db)
        .then(() => scans.set(`${today()} ${site.id} ${brief.id}`, true)),
      k.audit(req, { action: 'vaccination.scan', subjectType: 'person', subjectId: brief.id, details: { site: site.code } }),
      personView(brief, site.id),
    ]);
    return view;
  });

  const personView = async (brief: PersonBrief, siteId: string) => {
    const { doses, appointments, registered, lots } = await siteDayView(db, brief.id, siteId, today());
    return { person: personCard(brief, today()), registered, doses, appointments, nextDoseNumber: doses.length + 1, lots };
  };

  app.get('/api/vaccination/sites/:id/people/:personId', { config: { permission: 'vaccination.write', audit: 'handler' }, schema: { tags, params: SitePersonParam, response: { 200: ScanResponse } } }, async (req) => {
    const p = req.params;
    const site = await siteAt(req.user!, p.id, 'params.id');
    const brief = await personAtSite(req, p.personId, site);
    await k.audit(req, { action: 'vaccination.person.read', subjectType: 'person', subjectId: brief.id, details: { site: site.code } });
    return personView(brief, site.id);
  });

  app.post('/api/vaccination/screenings', { config: { permission: 'vaccination.write' }, schema: { tags, body: ScreeningBody, response: { 201: ScreeningResponse } } }, async (req, reply) => {
    const b = req.body;
    const site = await siteAt(req.user!, b.siteId);
    const brief = await personAtSite(req, b.personId, site);
    const age = ageOn(today(), brief.birthDate, brief.birthYear);
    const outcome = classify(b.answers, { age, temperature: b.temperature }).outcome;
    const [r] = await Promise.all([
      recordScreening(db, {
        personId: brief.id,
        siteId: site.id,
        answers: b.answers,
        temperature: b.temperature,
        age,
        consent: b.consent,
        consentBy: b.consent ? (b.consentBy ?? 'self') : null,
        by: req.user!.id,
        now: k.now(),
      }),
      k.audit(req, { action: 'vaccination.screen', subjectType: 'person', subjectId: brief.id, details: { outcome } }),
    ]);
    return reply.code(201).send(r);
  });

  app.post('/api/vaccination/doses', { config: { permission: 'vaccination.write' }, schema: { tags, body: DoseBody, response: { 201: DoseResponse } } }, async (req, reply) => {
    const b = req.body;
    const site = await siteAt(req.user!, b.siteId);
    const brief = await personAtSite(req, b.personId, site);
    const actor = await auditActor(access, req.user!);
    const r = await recordDose(
      db,
      ctx.events,
      {
        personId: brief.id,
        siteId: site.id,
        lotId: b.lotId,
        doseNumber: b.doseNumber,
        vaccinator: b.vaccinator,
        screeningId: b.screeningId,
        acknowledgeWarnings: b.acknowledgeWarnings === true,
        age: ageOn(today(), brief.birthDate, brief.birthYear),
        by: req.user!.id,
        now: k.now(),
        timeZone: k.tz,
      },
      site,
      // the audit row is written in the dose's transaction (one commit for both)
      (tx, d) => recordAudit(tx, { actor, ip: req.ip, at: k.now(), action: 'vaccination.dose.record', subjectType: 'person', subjectId: brief.id, details: { dose: d.id, warnings: d.warnings } }),
    );
    return reply.code(201).send({ id: r.id, warnings: r.warnings, observeUntil: r.observeUntil.toISOString() });
  });

  /** A dose the caller may act on: staff with vaccination.write over the commune of the site that gave it. */
  const doseFor = async (req: FastifyRequest, id: string) => {
    const d = await findDose(db, id);
    if (!d) throw notFound('Dose');
    if (!(await access.can(req.user!, 'vaccination.write', { unitCode: d.commune_code }))) {
      if (req.user!.permissions.has('vaccination.write')) throw forbidden('That record is outside your jurisdiction');
      throw notFound('Dose');
    }
    return d;
  };

  app.post('/api/vaccination/doses/:id/observation', { config: { permission: 'vaccination.write' }, schema: { tags, params: IdParam, body: ObservationBody } }, async (req) => {
    const d = await doseFor(req, req.params.id);
    await endObservation(db, d, req.body.note ?? null, k.now(), req.body.early === true);
    await k.audit(req, { action: 'vaccination.observation.end', subjectType: 'person', subjectId: d.person_id, details: { dose: d.id, early: req.body.early === true } });
    return { ok: true };
  });

  app.post('/api/vaccination/doses/:id/aefi', { config: { permission: 'vaccination.write' }, schema: { tags, params: IdParam, body: AefiBody } }, async (req, reply) => {
    const d = await doseFor(req, req.params.id);
    if (d.status !== 'valid') throw new AppError(409, 'CONFLICT', 'This dose was voided');
    const b = req.body;
    const id = await recordAefi(db, { doseId: d.id, severity: b.severity, symptoms: b.symptoms, onsetAt: new Date(b.onsetAt), outcome: b.outcome, hospitalised: b.hospitalised === true, notes: b.notes ?? '', by: req.user!.id, now: k.now() });
    await k.audit(req, { action: 'vaccination.aefi.record', subjectType: 'person', subjectId: d.person_id, details: { dose: d.id, severity: b.severity } });
    return reply.code(201).send({ id });
  });

  app.post('/api/vaccination/doses/:id/void', { config: { permission: 'vaccination.manage' }, schema: { tags, params: IdParam, body: VoidBody } }, async (req) => {
    const d = await findDose(db, req.params.id);
    if (!d) throw notFound('Dose');
    await access.authorize(req.user!, 'vaccination.manage', { unitCode: d.commune_code });
    await voidDose(db, ctx.events, d, req.body.reason, k.now());
    await k.audit(req, { action: 'vaccination.dose.void', subjectType: 'person', subjectId: d.person_id, details: { dose: d.id } });
    return { ok: true };
  });
}
