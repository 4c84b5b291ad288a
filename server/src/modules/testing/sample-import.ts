// Bulk sample lists (`vigil import samples`, the upload page): columns
// tube_code,person_national_id,person_phone,person_name,collected_at,site_code,test_type; a tube code on several
// lines is a pool. Every line is checked; good lines are imported, each bad line is reported (line, column) and
// the rest of its tube is kept. A re-imported file changes nothing (its lines are counted as already present).
// Work is set-based per chunk of tubes (one transaction each): people by national ID in one query, tubes and
// members in multi-row inserts; only people the registry does not know yet go through findOrCreatePerson.
import { sql } from 'kysely';
import type { Db, DbOrTx } from '../../platform/db/types';
import type { AppContext } from '../../platform/module';
import { localDay } from '../../platform/time';
import { getPersonIdentities, nationalIdProblem, normalizePhone, personIdsByNationalIds } from '../people';
import type { ImportResult } from './schema';
import { LineErrors, parseInstant, type Line } from './lines';
import { resolveImportedPerson } from './who';

export const SAMPLE_COLUMNS = ['tube_code', 'person_national_id', 'person_phone', 'person_name', 'collected_at', 'site_code', 'test_type'] as const;
const TUBE = /^[A-Za-z0-9._/-]{1,64}$/;
/** tubes per transaction */
const CHUNK_TUBES = 1000;

export interface SampleImportOptions {
  userId: string | null;
  now: Date;
  /** false: the caller may not import samples of this commune (the lines are refused) */
  allowed(communeCode: string): Promise<boolean>;
  /** the commune of tubes without site_code (CLI --commune); else the first person's home commune */
  defaultCommune?: string | null;
  onProgress?: (done: number, total: number) => void;
}

interface Person {
  line: number;
  nationalId: string | null;
  phone: string | null;
  name: string;
  key: string;
  personId?: string;
}

interface Tube {
  code: string;
  collectedAt: Date;
  day: string;
  testType: string;
  site: { id: string; commune: string } | null;
  firstLine: number;
  people: Person[];
}

export async function importSampleLines(ctx: AppContext, lines: Line[], o: SampleImportOptions): Promise<ImportResult> {
  const errors = new LineErrors();
  const types = new Map((await ctx.db.selectFrom('test_types').select(['code', 'max_pool']).where('active', '=', true).execute()).map((t) => [t.code, t.max_pool]));
  const siteCodes = [...new Set(lines.map((l) => l.values.site_code?.trim()).filter((x): x is string => !!x))];
  const sites = new Map(
    siteCodes.length ? (await ctx.db.selectFrom('sampling_points').select(['id', 'code', 'commune_code']).where('code', 'in', siteCodes).where('active', '=', true).execute()).map((s) => [s.code, { id: s.id, commune: s.commune_code }]) : [],
  );
  const tubes = new Map<string, Tube>();
  const seenLines = new Map<string, number>();
  // the lines of a pool repeat its instant: each distinct text is parsed once
  const instants = new Map<string, Date | string>();
  for (const { line, values: v } of lines) {
    const tube = (v.tube_code ?? '').trim();
    if (!TUBE.test(tube)) {
      errors.add(line, 'tube_code', tube ? 'may hold only letters, digits and . _ / - (at most 64)' : 'is required');
      continue;
    }
    const atText = v.collected_at ?? '';
    let at = instants.get(atText);
    if (at === undefined) instants.set(atText, (at = parseInstant(atText)));
    if (typeof at === 'string') {
      errors.add(line, 'collected_at', at);
      continue;
    }
    if (at.getTime() > o.now.getTime() + 15 * 60_000) {
      errors.add(line, 'collected_at', 'is in the future');
      continue;
    }
    const testType = (v.test_type ?? '').trim().toLowerCase();
    if (!types.has(testType)) {
      errors.add(line, 'test_type', `is not a known test type ("${testType}"; known: ${[...types.keys()].join(', ')})`);
      continue;
    }
    const siteCode = (v.site_code ?? '').trim();
    const site = siteCode ? sites.get(siteCode) : null;
    if (siteCode && !site) {
      errors.add(line, 'site_code', `is not an active sampling point ("${siteCode}")`);
      continue;
    }
    const name = (v.person_name ?? '').trim().replace(/\s+/g, ' ');
    if (name.length < 2 || name.length > 120 || /[\u0000-\u001f]/.test(name)) {
      errors.add(line, 'person_name', 'is required (2 to 120 characters)');
      continue;
    }
    const nid = (v.person_national_id ?? '').trim() || null;
    const nidProblem = nid ? nationalIdProblem(nid) : null;
    if (nidProblem) {
      errors.add(line, 'person_national_id', nidProblem);
      continue;
    }
    const rawPhone = (v.person_phone ?? '').trim();
    const phone = rawPhone ? normalizePhone(rawPhone) : null;
    if (rawPhone && !phone) {
      errors.add(line, 'person_phone', 'is not a valid phone number');
      continue;
    }
    if (!nid && !phone) {
      errors.add(line, 'person_national_id', 'a national ID or a phone number is required');
      continue;
    }
    const key = nid ? `n:${nid}` : `p:${phone}:${name.toLowerCase()}`;
    const dupOf = seenLines.get(`${tube}|${key}`);
    if (dupOf) {
      errors.add(line, 'tube_code', `repeats line ${dupOf} (the same person in the same tube)`);
      continue;
    }
    seenLines.set(`${tube}|${key}`, line);
    let t = tubes.get(tube);
    if (!t) tubes.set(tube, (t = { code: tube, collectedAt: at, day: localDay(at, ctx.config.timeZone), testType, site: site ?? null, firstLine: line, people: [] }));
    else {
      const differs = t.testType !== testType ? 'test_type' : (t.site?.id ?? null) !== (site?.id ?? null) ? 'site_code' : t.collectedAt.getTime() !== at.getTime() ? 'collected_at' : null;
      if (differs) {
        errors.add(line, differs, `differs from line ${t.firstLine} of the same tube ${tube}`);
        continue;
      }
    }
    t.people.push({ line, nationalId: nid, phone, name, key });
  }
  // a pool larger than its test type allows is refused whole (which people to leave out is not ours to choose)
  for (const t of [...tubes.values()]) {
    const max = types.get(t.testType)!;
    if (t.people.length > max) {
      for (const p of t.people) errors.add(p.line, 'tube_code', `tube ${t.code} holds ${t.people.length} people; ${t.testType} allows at most ${max}`);
      tubes.delete(t.code);
    }
  }

  const all = [...tubes.values()];
  let imported = 0;
  let duplicates = 0;
  const placed = new Map<string, string>(); // person|day → tube, across the whole file
  const known = new Map<string, string>(); // line key → person id, across the whole file
  for (let i = 0; i < all.length; i += CHUNK_TUBES) {
    const r = await importChunk(ctx, all.slice(i, i + CHUNK_TUBES), o, errors, placed, known);
    imported += r.imported;
    duplicates += r.duplicates;
    o.onProgress?.(Math.min(i + CHUNK_TUBES, all.length), all.length);
  }
  return { total: lines.length, imported, duplicates, errors: errors.list.sort((a, b) => a.line - b.line), errorsTruncated: errors.truncated };
}

async function importChunk(ctx: AppContext, tubes: Tube[], o: SampleImportOptions, errors: LineErrors, placed: Map<string, string>, known: Map<string, string>) {
  return (ctx.db as Db).transaction().execute(async (tx) => {
    // people: national IDs in one query; the rest (new people, phone-only lines) one by one through the registry
    const byNid = await personIdsByNationalIds(tx, tubes.flatMap((t) => t.people.map((p) => p.nationalId).filter((x): x is string => !!x)));
    for (const t of tubes) {
      const commune = t.site?.commune ?? o.defaultCommune ?? null;
      for (const p of t.people) {
        p.personId = known.get(p.key) ?? (p.nationalId ? byNid.get(p.nationalId) : undefined);
        if (p.personId) continue;
        if (!commune) {
          errors.add(p.line, 'site_code', 'is needed to register a new person (their commune); or import with a default commune');
          continue;
        }
        try {
          p.personId = (await resolveImportedPerson(ctx, tx, { nationalId: p.nationalId, phone: p.phone, fullName: p.name, communeCode: commune }, o.now)).personId;
        } catch (err) {
          const d = (err as { details?: { path: string; message: string }[] }).details?.[0];
          if (!d) throw err;
          errors.add(p.line, d.path.replace(/^line\./, 'person_').replace('fullName', 'name').replace('nationalId', 'national_id'), d.message);
          continue;
        }
        known.set(p.key, p.personId);
      }
      t.people = t.people.filter((p) => p.personId);
    }

    // tubes already stored (a re-imported file): their people's lines are duplicates; other people are refused
    const existing = (await sql<{ id: string; tube_code: string }>`select id, tube_code from samples where tube_code = any(${tubes.map((t) => t.code)}::text[])`.execute(tx)).rows;
    const existingId = new Map(existing.map((e) => [e.tube_code, e.id]));
    const members = existing.length ? (await sql<{ sample_id: string; person_id: string }>`select sample_id, person_id from sample_members where sample_id = any(${existing.map((e) => e.id)}::uuid[])`.execute(tx)).rows : [];
    const inTube = new Set(members.map((m) => `${m.sample_id}|${m.person_id}`));
    let duplicates = 0;
    const fresh: Tube[] = [];
    for (const t of tubes) {
      const id = existingId.get(t.code);
      if (!id) {
        if (t.people.length) fresh.push(t);
        continue;
      }
      for (const p of t.people) {
        if (inTube.has(`${id}|${p.personId}`)) duplicates++;
        else errors.add(p.line, 'tube_code', `tube ${t.code} was already collected without this person`);
      }
    }

    // jurisdiction, then nobody in two tubes of the same day still waiting (in the database or earlier in the file)
    const allowed = new Map<string, boolean>();
    const ready: (Tube & { commune: string })[] = [];
    const people = fresh.flatMap((t) => t.people.map((p) => p.personId!));
    // one array parameter (not thousands of placeholders), probed person by person through sample_members_person_idx
    const open = people.length
      ? (
          await sql<{ person_id: string; tube_code: string; day: string }>`
            select m.person_id, s.tube_code, s.collected_on::text as day
            from unnest(${people}::uuid[]) p(id)
            join sample_members m on m.person_id = p.id
            join samples s on s.id = m.sample_id
            where s.result is null and s.collected_on = any(${[...new Set(fresh.map((t) => t.day))]}::date[])`.execute(tx)
        ).rows
      : [];
    for (const x of open) placed.set(`${x.person_id}|${x.day}`, x.tube_code);
    for (const t of fresh) {
      const commune = t.site?.commune ?? o.defaultCommune ?? (await homeCommune(tx, t.people[0]!.personId!));
      if (!commune) {
        for (const p of t.people) errors.add(p.line, 'site_code', 'is needed: the tube has no sampling point and its first person no home commune');
        continue;
      }
      if (!allowed.has(commune)) allowed.set(commune, await o.allowed(commune));
      if (!allowed.get(commune)) {
        for (const p of t.people) errors.add(p.line, 'site_code', 'that area is outside your jurisdiction');
        continue;
      }
      const keep: Person[] = [];
      for (const p of t.people) {
        const other = placed.get(`${p.personId}|${t.day}`);
        if (other && other !== t.code) errors.add(p.line, 'person_national_id', `this person is already in tube ${other} of ${t.day}, still waiting for its result`);
        else if (!keep.some((k) => k.personId === p.personId)) keep.push(p);
        else errors.add(p.line, 'person_name', 'is the same person as another line of this tube');
      }
      for (const p of keep) placed.set(`${p.personId}|${t.day}`, t.code);
      if (keep.length) ready.push({ ...t, people: keep, commune });
    }
    if (!ready.length) return { imported: 0, duplicates };

    // multi-row inserts as arrays (one parameter per column, not per value)
    const inserted = (
      await sql<{ id: string; tube_code: string }>`
        insert into samples (tube_code, test_type, collected_at, collected_on, point_id, commune_code, collected_by, pool_size, source)
        select t.code, t.type, t.at, t.day, t.point, t.commune, ${o.userId}::bigint, t.size, 'import'
        from unnest(${ready.map((t) => t.code)}::text[], ${ready.map((t) => t.testType)}::text[], ${ready.map((t) => t.collectedAt.toISOString())}::timestamptz[],
                    ${ready.map((t) => t.day)}::date[], ${ready.map((t) => t.site?.id ?? null)}::uuid[], ${ready.map((t) => t.commune)}::text[],
                    ${ready.map((t) => t.people.length)}::int[]) as t(code, type, at, day, point, commune, size)
        returning id, tube_code`.execute(tx)
    ).rows;
    const ids = new Map(inserted.map((r) => [r.tube_code, r.id]));
    const newMembers = ready.flatMap((t) => t.people.map((p, position) => ({ sample: ids.get(t.code)!, person: p.personId!, position })));
    await sql`
      insert into sample_members (sample_id, person_id, position)
      select * from unnest(${newMembers.map((m) => m.sample)}::uuid[], ${newMembers.map((m) => m.person)}::uuid[], ${newMembers.map((m) => m.position)}::smallint[])`.execute(tx);
    // the new samples do their people's open tasks (a retest only in an individual tube)
    await sql`
      update testing_tasks t set status = 'done', closed_at = ${o.now}, closed_by = ${o.userId}, done_sample_id = m.sample_id
      from sample_members m join samples s on s.id = m.sample_id
      where m.sample_id = any(${[...ids.values()]}::uuid[]) and t.person_id = m.person_id and t.status = 'open'
        and (t.kind = 'resample' or s.pool_size = 1)`.execute(tx);
    return { imported: newMembers.length, duplicates };
  });
}

async function homeCommune(db: DbOrTx, personId: string): Promise<string | null> {
  return (await getPersonIdentities(db, [personId])).get(personId)?.communeCode ?? null;
}
