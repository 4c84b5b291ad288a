// Daily follow-up of contacts under an order and of cases isolating at home: the grid of days, a person's
// temperature series, the non-reporting list (a tracer's list of people to reach, by area), recording a day
// (symptoms or ≥ 38.0 °C flag the person and open a test-referral task), test-referral tasks.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';
import { invalidField, notFound } from '../../platform/http/errors';
import type { AppContext } from '../../platform/module';
import { getPersonIdentities } from '../people';
import { dayOf, dayRange, daysBetween, plusDays } from './days';
import { phoneFor, routeKit } from './scope';
import { findUserById } from '../../platform/auth/queries';
import { toAuthUser, type AuthUser } from '../../platform/auth/service';
import type { Permission } from '../../platform/auth/roles';

export const FEVER_C = 38.0;
const Day = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' });
const Uuid = Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' });
const UnitCode = Type.String({ pattern: '^[A-Za-z0-9_.-]{1,20}$' });

export const SYMPTOMS = ['fever', 'cough', 'sore_throat', 'shortness_of_breath', 'loss_of_taste_smell', 'fatigue', 'diarrhea', 'headache'] as const;

export const FollowUpBody = Type.Object(
  {
    personId: Uuid,
    day: Day,
    symptoms: Type.Boolean(),
    temperature: Type.Optional(Type.Union([Type.Number({ minimum: 30, maximum: 45 }), Type.Null()])),
    symptomList: Type.Optional(Type.Array(Type.Union(SYMPTOMS.map((x) => Type.Literal(x))), { maxItems: SYMPTOMS.length, uniqueItems: true })),
    channel: Type.Union([Type.Literal('tracer'), Type.Literal('robot_call'), Type.Literal('self')]),
    note: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);

const GridQuery = Type.Object({ unit: Type.Optional(UnitCode), from: Type.Optional(Day), to: Type.Optional(Day), limit: Type.Integer({ minimum: 1, maximum: 1000, default: 200 }), offset: Type.Integer({ minimum: 0, default: 0 }) });
const DueQuery = Type.Object({
  unit: Type.Optional(UnitCode),
  day: Type.Optional(Day),
  /** only the people assigned to the caller (a tracer's own list for the day) */
  mine: Type.Optional(Type.Boolean()),
});
const AssignBody = Type.Object(
  {
    /** a user with role contact_tracer whose area covers every person; null takes the people off any tracer's list */
    tracerUserId: Type.Union([Type.String({ pattern: '^[0-9]{1,18}$' }), Type.Null()]),
    personIds: Type.Array(Uuid, { minItems: 1, maxItems: 500, uniqueItems: true }),
  },
  { additionalProperties: false },
);

export const Cell = Type.Object({ day: Type.String(), state: Type.Union([Type.Literal('well'), Type.Literal('symptoms'), Type.Literal('fever'), Type.Literal('missing'), Type.Literal('out')]), temperature: Type.Union([Type.Number(), Type.Null()]) });
export const Subject = Type.Object({
  personId: Type.String(),
  fullName: Type.String(),
  phone: Type.Union([Type.String(), Type.Null()]),
  kind: Type.Union([Type.Literal('contact'), Type.Literal('case')]),
  level: Type.Union([Type.Integer(), Type.Null()]),
  unitCode: Type.String(),
  unitName: Type.String(),
  start: Type.String(),
  end: Type.Union([Type.String(), Type.Null()]),
  flagged: Type.Boolean(),
  /** the tracer the person is assigned to (display name), or null */
  tracer: Type.Union([Type.String(), Type.Null()]),
  cells: Type.Array(Cell),
  /** today (the deployment's local day): what was reported, 'missing' when nothing yet, 'out' outside the order */
  today: Cell,
  /** the latest temperature taken, any day */
  lastTemperature: Type.Union([Type.Object({ day: Type.String(), value: Type.Number() }), Type.Null()]),
  /** days of the order left after today (0 on its last day); null for a case (no end) */
  daysLeft: Type.Union([Type.Integer(), Type.Null()]),
});
export type Subject = Static<typeof Subject>;
export const GridResponse = Type.Object({ days: Type.Array(Type.String()), items: Type.Array(Subject), total: Type.Integer() });

interface SubjectRow {
  person_id: string;
  kind: 'contact' | 'case';
  level: number | null;
  unit_code: string;
  start: string;
  end: string | null;
  flagged: boolean;
}

/**
 * People under follow-up on some day in [from, to], inside `scope` (null = everywhere): contacts under an order
 * (a person who is F1 of one case and F2 of another is followed once, as F1) and active cases isolating at home.
 */
export async function subjects(db: DbOrTx, scope: string[] | null, from: string, to: string, timeZone: string): Promise<SubjectRow[]> {
  const units = scope ?? null;
  const r = await sql<SubjectRow>`
    select distinct on (person_id) person_id, kind, level, unit_code, start, "end", flagged from (
      select person_id, 'contact' as kind, level, unit_code, order_start::text as start, order_end::text as "end", flagged
      from case_contacts
      where status = 'monitoring' and order_start <= ${to}::date and order_end >= ${from}::date
        and (${units}::text[] is null or unit_code = any(${units}::text[]))
      union all
      select person_id, 'case', null, commune_code, (confirmed_at at time zone ${timeZone})::date::text, null, false
      from cases
      where status = 'active' and isolation = 'home'
        and (${units}::text[] is null or commune_code = any(${units}::text[]))
    ) x
    order by person_id, (kind = 'case') desc, level nulls first, "end" desc`.execute(db);
  return r.rows;
}

export async function recordFollowUp(db: DbOrTx, b: Static<typeof FollowUpBody>, unitCode: string, recordedBy: string | null, now: Date) {
  const fever = b.temperature != null && b.temperature >= FEVER_C;
  const symptomList = [...new Set([...(b.symptomList ?? []), ...(fever ? ['fever' as const] : [])])];
  const unwell = b.symptoms || fever || symptomList.length > 0;
  await db
    .insertInto('follow_ups')
    .values({ person_id: b.personId, day: b.day, symptoms: unwell, temperature: b.temperature ?? null, symptom_list: symptomList, channel: b.channel, note: b.note ?? '', recorded_by: recordedBy, recorded_at: now })
    .onConflict((oc) =>
      oc.columns(['person_id', 'day']).doUpdateSet({ symptoms: unwell, temperature: b.temperature ?? null, symptom_list: symptomList, channel: b.channel, note: b.note ?? '', recorded_by: recordedBy, recorded_at: now }),
    )
    .execute();
  let taskCreated = false;
  if (unwell) {
    await db.updateTable('case_contacts').set({ flagged: true, updated_at: now }).where('person_id', '=', b.personId).where('status', '=', 'monitoring').execute();
    const isCase = await db.selectFrom('cases').select('id').where('person_id', '=', b.personId).where('status', '=', 'active').executeTakeFirst();
    if (!isCase) {
      const t = await sql`insert into case_tasks (kind, person_id, unit_code, reason, created_at)
        values ('test_referral', ${b.personId}, ${unitCode}, ${fever ? `temperature ${b.temperature!.toFixed(1)} °C` : `symptoms: ${symptomList.join(', ') || 'reported'}`}, ${now})
        on conflict do nothing`.execute(db);
      taskCreated = Number(t.numAffectedRows ?? 0) > 0;
    }
  }
  return { fever, unwell, taskCreated };
}

/** One follow-up of a batch (robot calls): a person's day, what they reported, the unit that follows them. */
export interface FollowUpItem {
  personId: string;
  day: string;
  symptoms: boolean;
  symptomList: string[];
  channel: 'tracer' | 'robot_call' | 'self';
  note: string;
  unitCode: string;
  at: Date;
}

/**
 * recordFollowUp for many people at once, set-based (the robot-call dialer writes its outcomes in batches of up to
 * hundreds): one upsert of the follow-ups, one update flagging the unwell people's open contacts, one insert of the
 * test referrals of those who are not a case. Same rules as recordFollowUp (no temperature: robot calls and self
 * reports give symptoms only); a person's later item of the batch wins.
 */
export async function recordFollowUps(db: DbOrTx, items: FollowUpItem[], recordedBy: string | null): Promise<void> {
  if (!items.length) return;
  const last = new Map<string, FollowUpItem>();
  for (const x of items) last.set(`${x.personId}|${x.day}`, x);
  const rows = [...last.values()]
    .sort((a, b) => a.personId.localeCompare(b.personId) || a.day.localeCompare(b.day))
    .map((x) => {
      const list = [...new Set(x.symptomList)];
      return { person_id: x.personId, day: x.day, symptoms: x.symptoms || list.length > 0, symptom_list: list, channel: x.channel, note: x.note.slice(0, 1000), unit_code: x.unitCode, at: x.at.toISOString() };
    });
  const json = JSON.stringify(rows);
  await sql`insert into follow_ups (person_id, day, symptoms, temperature, symptom_list, channel, note, recorded_by, recorded_at)
    select x.person_id, x.day, x.symptoms, null, array(select jsonb_array_elements_text(x.symptom_list)), x.channel, x.note, ${recordedBy}::bigint, x.at
    from jsonb_to_recordset(${json}::jsonb) as x(person_id uuid, day date, symptoms boolean, symptom_list jsonb, channel text, note text, at timestamptz)
    on conflict (person_id, day) do update set symptoms = excluded.symptoms, temperature = null, symptom_list = excluded.symptom_list,
      channel = excluded.channel, note = excluded.note, recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at`.execute(db);
  const unwell = rows.filter((r) => r.symptoms);
  if (!unwell.length) return;
  const uj = JSON.stringify(unwell.map((r) => ({ person_id: r.person_id, unit_code: r.unit_code, at: r.at, reason: `symptoms: ${r.symptom_list.join(', ') || 'reported'}` })));
  await sql`update case_contacts c set flagged = true, updated_at = x.at
    from jsonb_to_recordset(${uj}::jsonb) as x(person_id uuid, at timestamptz)
    where c.person_id = x.person_id and c.status = 'monitoring'`.execute(db);
  await sql`insert into case_tasks (kind, person_id, unit_code, reason, created_at)
    select distinct on (x.person_id) 'test_referral', x.person_id, x.unit_code, x.reason, x.at
    from jsonb_to_recordset(${uj}::jsonb) as x(person_id uuid, unit_code text, at timestamptz, reason text)
    where not exists (select 1 from cases k where k.person_id = x.person_id and k.status = 'active')
    order by x.person_id
    on conflict do nothing`.execute(db);
}

export async function followUpRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, access, now, audit, scopeFor, tz } = routeKit(ctx);
  const tags = ['follow-up'];

  const grid = async (scope: string[] | null, from: string, to: string, limit: number, offset: number, onlyMissingOn?: string, tracerUserId?: string) => {
    let subs = await subjects(db, scope, from, to, tz);
    const assigned = subs.length
      ? await db
          .selectFrom('followup_assignments as a')
          .innerJoin('users as u', 'u.id', 'a.tracer_user_id')
          .select(['a.person_id', 'a.tracer_user_id', 'u.display_name'])
          .where('a.person_id', 'in', subs.map((x) => x.person_id))
          .execute()
      : [];
    const tracerOf = new Map(assigned.map((a) => [a.person_id, a]));
    if (tracerUserId !== undefined) subs = subs.filter((x) => String(tracerOf.get(x.person_id)?.tracer_user_id ?? '') === tracerUserId);
    const ids = subs.map((x) => x.person_id);
    const fus = ids.length
      ? await db.selectFrom('follow_ups').select(['person_id', 'day', 'symptoms', 'temperature']).where('person_id', 'in', ids).where('day', '>=', from).where('day', '<=', to).execute()
      : [];
    const byKey = new Map(fus.map((f) => [`${f.person_id}|${f.day}`, f]));
    const today = dayOf(now(), tz);
    if (onlyMissingOn) subs = subs.filter((x) => !byKey.has(`${x.person_id}|${onlyMissingOn}`) && x.start <= onlyMissingOn && (!x.end || x.end >= onlyMissingOn));
    const total = subs.length;
    subs.sort((a, b) => a.unit_code.localeCompare(b.unit_code) || (a.level ?? 0) - (b.level ?? 0) || a.person_id.localeCompare(b.person_id));
    const page = subs.slice(offset, offset + limit);
    const people = await getPersonIdentities(db, page.map((x) => x.person_id));
    const pageIds = page.map((x) => x.person_id);
    // today's report and the latest temperature of the page's people (the phone's card shows both, whatever the span)
    const latest = pageIds.length
      ? await db
          .selectFrom('follow_ups')
          .select(['person_id', 'day', 'symptoms', 'temperature'])
          .where('person_id', 'in', pageIds)
          .where((eb) => eb.or([eb('day', '=', today), eb('temperature', 'is not', null)]))
          .where('day', '<=', today)
          .orderBy('person_id')
          .orderBy('day', 'desc')
          .execute()
      : [];
    const todays = new Map(latest.filter((f) => f.day === today).map((f) => [f.person_id, f]));
    const lastTemp = new Map<string, { day: string; value: number }>();
    for (const f of latest) if (f.temperature != null && !lastTemp.has(f.person_id)) lastTemp.set(f.person_id, { day: f.day, value: Number(f.temperature) });
    const cellOf = (x: SubjectRow, day: string, f: { symptoms: boolean; temperature: string | number | null } | undefined) => {
      const temp = f?.temperature == null ? null : Number(f.temperature);
      if (f) return { day, state: temp !== null && temp >= FEVER_C ? ('fever' as const) : f.symptoms ? ('symptoms' as const) : ('well' as const), temperature: temp };
      return { day, state: day < x.start || (x.end && day > x.end) ? ('out' as const) : ('missing' as const), temperature: null };
    };
    const unitNames = new Map<string, string>();
    for (const u of new Set(page.map((x) => x.unit_code))) unitNames.set(u, (await access.resolver.unit(u))?.name ?? u);
    const days = dayRange(from, to);
    const items = page.map((x) => ({
      personId: x.person_id,
      fullName: people.get(x.person_id)?.fullName ?? '—',
      phone: people.get(x.person_id)?.phone ?? null,
      kind: x.kind,
      level: x.level,
      unitCode: x.unit_code,
      unitName: unitNames.get(x.unit_code) ?? x.unit_code,
      start: x.start,
      end: x.end,
      flagged: x.flagged,
      tracer: tracerOf.get(x.person_id)?.display_name ?? null,
      cells: days.map((day) => cellOf(x, day, byKey.get(`${x.person_id}|${day}`))),
      today: cellOf(x, today, todays.get(x.person_id)),
      lastTemperature: lastTemp.get(x.person_id) ?? null,
      daysLeft: x.end === null ? null : Math.max(0, daysBetween(today, x.end)),
    }));
    return { days, items, total };
  };

  app.get('/api/followups/grid', { config: { audit: 'handler', permission: 'cases.read' }, schema: { tags, querystring: GridQuery, response: { 200: GridResponse } } }, async (req) => {
    const today = dayOf(now(), tz);
    const to = req.query.to ?? today;
    const from = req.query.from ?? plusDays(to, -6);
    if (from > to) throw invalidField('querystring.from', 'is after to');
    if (plusDays(from, 31) < to) throw invalidField('querystring.from', 'the grid spans at most 31 days');
    const scope = await scopeFor(req.user!, 'cases.read', req.query.unit);
    const r = shownPhones(req.user!, await grid(scope, from, to, req.query.limit, req.query.offset));
    await audit(req, { action: 'followups.grid.read', subjectType: 'follow_ups', details: { unit: req.query.unit ?? null, from, to, rows: r.items.length } });
    return r;
  });

  // A tracer's list for the day: everyone in their area with no follow-up yet (the non-reporting list).
  app.get('/api/followups/due', { config: { audit: 'handler', permission: 'cases.read' }, schema: { tags, querystring: DueQuery, response: { 200: GridResponse } } }, async (req) => {
    const day = req.query.day ?? dayOf(now(), tz);
    const scope = await scopeFor(req.user!, 'cases.read', req.query.unit);
    const r = shownPhones(req.user!, await grid(scope, plusDays(day, -2), day, 1000, 0, day, req.query.mine ? req.user!.id : undefined));
    await audit(req, { action: 'followups.due.read', subjectType: 'follow_ups', details: { unit: req.query.unit ?? null, day, mine: !!req.query.mine, rows: r.items.length } });
    return r;
  });

  // The contact tracers an officer may give people to: active tracers whose area overlaps the officer's (a
  // provincial tracer for a commune's people, a commune's tracer for a province's officer), with how many people
  // each has on their list now. Staff names only, no personal data of the people followed up.
  app.get(
    '/api/followups/tracers',
    {
      config: { permission: 'cases.write' },
      schema: {
        tags,
        querystring: Type.Object({ unit: Type.Optional(Type.String({ minLength: 1, maxLength: 32, pattern: '^[A-Za-z0-9_.-]+$' })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(Type.Object({ id: Type.String(), displayName: Type.String(), unitCode: Type.String(), unitName: Type.String(), assigned: Type.Integer() })) }) },
      },
    },
    async (req) => {
      const user = req.user!;
      const code = req.query.unit ?? user.jurisdictionCode;
      const area = await access.resolver.unit(code);
      if (!area) throw invalidField('querystring.unit', `is not a known administrative unit ("${code}")`);
      await access.authorize(user, 'cases.write', { unitCode: area.code });
      const rows = await db
        .selectFrom('users as u')
        .leftJoin('followup_assignments as a', 'a.tracer_user_id', 'u.id')
        .select(['u.id', 'u.display_name', 'u.jurisdiction_code', (eb) => eb.fn.count<string>('a.person_id').as('assigned')])
        .where('u.role', '=', 'contact_tracer')
        .where('u.disabled', '=', false)
        .groupBy(['u.id', 'u.display_name', 'u.jurisdiction_code'])
        .orderBy('u.display_name')
        .limit(2000)
        .execute();
      const items = [];
      for (const r of rows) {
        const u = await access.resolver.unit(r.jurisdiction_code);
        if (!u || !(u.path.startsWith(area.path) || area.path.startsWith(u.path))) continue;
        items.push({ id: String(r.id), displayName: r.display_name, unitCode: u.code, unitName: u.name, assigned: Number(r.assigned) });
      }
      return { items };
    },
  );

  // An officer assigns people under follow-up to a tracer of their area (or takes them off every list).
  app.post(
    '/api/followups/assignments',
    { config: { permission: 'cases.write' }, schema: { tags, body: AssignBody, response: { 200: Type.Object({ assigned: Type.Integer() }) } } },
    async (req) => {
      const b = req.body;
      const user = req.user!;
      // the people must be under follow-up inside the officer's jurisdiction; their area is where they are followed
      const today = dayOf(now(), tz);
      const subs = new Map((await subjects(db, await access.scopeCodes(user), today, plusDays(today, 60), tz)).map((x) => [x.person_id, x]));
      const missing = b.personIds.findIndex((id) => !subs.has(id));
      if (missing >= 0) throw invalidField(`body.personIds.${missing}`, 'is not a person under follow-up in your area');
      if (b.tracerUserId !== null) {
        const row = await findUserById(db, b.tracerUserId);
        if (!row || row.disabled || row.role !== 'contact_tracer') throw invalidField('body.tracerUserId', 'is not an active contact tracer');
        const tracerScope = await access.scopeCodes(toAuthUser(row));
        const outside = b.personIds.findIndex((id) => tracerScope !== null && !tracerScope.includes(subs.get(id)!.unit_code));
        if (outside >= 0) throw invalidField(`body.personIds.${outside}`, "is outside the tracer's area");
        await db
          .insertInto('followup_assignments')
          .values(b.personIds.map((id) => ({ person_id: id, tracer_user_id: b.tracerUserId!, unit_code: subs.get(id)!.unit_code, assigned_by: user.id, assigned_at: now() })))
          .onConflict((oc) => oc.column('person_id').doUpdateSet((eb) => ({ tracer_user_id: eb.ref('excluded.tracer_user_id'), unit_code: eb.ref('excluded.unit_code'), assigned_by: eb.ref('excluded.assigned_by'), assigned_at: eb.ref('excluded.assigned_at') })))
          .execute();
      } else await db.deleteFrom('followup_assignments').where('person_id', 'in', b.personIds).execute();
      await audit(req, { action: b.tracerUserId ? 'followups.assign' : 'followups.unassign', subjectType: 'user', subjectId: b.tracerUserId, details: { rows: b.personIds.length } });
      return { assigned: b.tracerUserId ? b.personIds.length : 0 };
    },
  );

  app.post(
    '/api/followups',
    { config: { permission: 'followup.write' }, schema: { tags, body: FollowUpBody, response: { 200: Type.Object({ fever: Type.Boolean(), unwell: Type.Boolean(), taskCreated: Type.Boolean() }) } } },
    async (req) => {
      const b = req.body;
      const unit = await personUnitFor(ctx, req.user!, 'followup.write', b.personId);
      if (b.day > dayOf(now(), tz)) throw invalidField('body.day', 'is in the future');
      const r = await recordFollowUp(db, b, unit, req.user!.id, now());
      await audit(req, { action: 'followup.record', subjectType: 'person', subjectId: b.personId, details: { day: b.day, unwell: r.unwell } });
      return r;
    },
  );

  app.get(
    '/api/followups/person/:id',
    {
      config: { permission: 'cases.read' },
      schema: {
        tags,
        params: Type.Object({ id: Uuid }),
        response: { 200: Type.Object({ items: Type.Array(Type.Object({ day: Type.String(), symptoms: Type.Boolean(), temperature: Type.Union([Type.Number(), Type.Null()]), symptomList: Type.Array(Type.String()), channel: Type.String() })), feverThreshold: Type.Number() }) },
      },
    },
    async (req) => {
      await personUnitFor(ctx, req.user!, 'cases.read', req.params.id, true);
      const rows = await db.selectFrom('follow_ups').selectAll().where('person_id', '=', req.params.id).orderBy('day').limit(120).execute();
      await audit(req, { action: 'followups.person.read', subjectType: 'person', subjectId: req.params.id, details: { rows: rows.length } });
      return {
        items: rows.map((f) => ({ day: f.day, symptoms: f.symptoms, temperature: f.temperature === null ? null : Number(f.temperature), symptomList: f.symptom_list, channel: f.channel })),
        feverThreshold: FEVER_C,
      };
    },
  );

  const TaskItem = Type.Object({ id: Type.String(), personId: Type.String(), fullName: Type.String(), phone: Type.Union([Type.String(), Type.Null()]), unitCode: Type.String(), reason: Type.String(), status: Type.String(), createdAt: Type.String() });
  app.get(
    '/api/case-tasks',
    { config: { audit: 'handler', permission: 'cases.read' }, schema: { tags, querystring: Type.Object({ status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('done'), Type.Literal('cancelled')])), unit: Type.Optional(UnitCode) }), response: { 200: Type.Object({ items: Type.Array(TaskItem) }) } } },
    async (req) => {
      const scope = await scopeFor(req.user!, 'cases.read', req.query.unit);
      let q = db.selectFrom('case_tasks').selectAll().where('status', '=', req.query.status ?? 'open');
      if (scope) q = q.where('unit_code', 'in', scope.length ? scope : ['-']);
      const rows = await q.orderBy('created_at').limit(1000).execute();
      const people = await getPersonIdentities(db, rows.map((r) => r.person_id));
      await audit(req, { action: 'case-tasks.read', subjectType: 'case_tasks', details: { rows: rows.length } });
      return {
        items: rows.map((r) => ({ id: r.id, personId: r.person_id, fullName: people.get(r.person_id)?.fullName ?? '—', phone: phoneFor(req.user!)(people.get(r.person_id)?.phone ?? null), unitCode: r.unit_code, reason: r.reason, status: r.status, createdAt: r.created_at.toISOString() })),
      };
    },
  );

  app.post(
    '/api/case-tasks/:id/done',
    { config: { permission: 'followup.write' }, schema: { tags, params: Type.Object({ id: Uuid }), response: { 200: Type.Object({ ok: Type.Boolean() }) } } },
    async (req) => {
      const t = await db.selectFrom('case_tasks').selectAll().where('id', '=', req.params.id).executeTakeFirst();
      if (!t) throw notFound('Task');
      await access.authorize(req.user!, 'followup.write', { unitCode: t.unit_code });
      await db.updateTable('case_tasks').set({ status: 'done', done_at: now(), done_by: req.user!.id }).where('id', '=', t.id).execute();
      await audit(req, { action: 'case-task.done', subjectType: 'person', subjectId: t.person_id });
      return { ok: true };
    },
  );
}

/** The unit following a person up: their monitoring contact row (lowest level) or their active home-isolation case. */
/**
 * The areas a person under follow-up belongs to: the units of their contact rows (lowest level first: F1 before F2)
 * and of their cases isolating at home. A person can have rows in several areas (F1 of a case in one commune, F2 of
 * another's; moved between the two): an officer of any of them may follow them up.
 */
export async function unitsOfPerson(db: DbOrTx, personId: string, includeEnded = false): Promise<string[]> {
  const contacts = await db
    .selectFrom('case_contacts')
    .select('unit_code')
    .where('person_id', '=', personId)
    .$if(!includeEnded, (q) => q.where('status', '=', 'monitoring'))
    .orderBy('level')
    .execute();
  const cases = await db
    .selectFrom('cases')
    .select('commune_code')
    .where('person_id', '=', personId)
    .$if(!includeEnded, (q) => q.where('status', '=', 'active').where('isolation', '=', 'home'))
    .execute();
  return [...new Set([...contacts.map((c) => c.unit_code), ...cases.map((k) => k.commune_code)])];
}

/** The first of a person's areas (unitsOfPerson) where `user` may use `perm`; 404 without any, 403 when none is theirs. */
async function personUnitFor(ctx: Pick<AppContext, 'db' | 'access'>, user: AuthUser, perm: Permission, personId: string, includeEnded = false): Promise<string> {
  const units = await unitsOfPerson(ctx.db, personId, includeEnded);
  if (!units.length) throw notFound('Person under follow-up');
  for (const u of units) if (await ctx.access.can(user, perm, { unitCode: u })) return u;
  await ctx.access.authorize(user, perm, { unitCode: units[0]! });
  return units[0]!;
}

/** Daily: orders that ended yesterday or before → completed. */
export async function closeEndedOrders(db: DbOrTx, today: string) {
  const r = await db.updateTable('case_contacts').set({ status: 'completed', status_changed_at: new Date() }).where('status', '=', 'monitoring').where('order_end', '<', today).executeTakeFirst();
  return { completed: Number(r.numUpdatedRows) };
}

/** A follow-up list with each person's phone as `user` may read it (scope.ts phoneFor). */
function shownPhones<T extends { items: { phone: string | null }[] }>(user: AuthUser, r: T): T {
  const shown = phoneFor(user);
  return { ...r, items: r.items.map((x) => ({ ...x, phone: shown(x.phone) })) };
}
