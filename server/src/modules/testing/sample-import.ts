// Bulk sample lists (`vigil import samples`, the upload page): columns
// tube_code,person_national_id,person_phone,person_name,collected_at,site_code,test_type; a tube code on several
// lines is a pool. Every line is checked; good lines are imported, each bad line is reported (line, column) and
// the rest of its tube is kept. A re-imported file changes nothing (its lines are counted as already present).
//
// Set-based, in one transaction on one connection (platform/db/copy.ts):
//   1. each line's own fields are read here (tube code's form, the instant, name, national ID, phone: the same
//      checks as every other entry of people) and streamed with COPY into a temporary staging table, a bad
//      field as the line's error;
//   2. one statement joins the staging lines with test types, sampling points and the registry (national IDs,
//      through people's liveIdsByNationalIdSql) into the checked table; the rules between lines are SQL
//      statements that write each refused line's error into it: the same person twice in a tube, a tube's lines
//      disagreeing, a pool larger than its test type allows, tubes already stored (their people's lines are
//      duplicates, counted once), jurisdiction, a person in two tubes of the same day still waiting (stored or
//      earlier in the file);
//   3. people the registry does not know yet (one per distinct person of the file) are found or created in bulk
//      (people's findOrCreatePeople: set-based, the single find-or-create's rules and lock order);
//   4. one INSERT … SELECT writes the tubes and their members; open tasks the new samples do are closed.
import { sql } from 'kysely';
import { copyTransaction, copyText } from '../../platform/db';
import { localDay } from '../../platform/time';
import type { Tx } from '../../platform/db/types';
import type { AppContext } from '../../platform/module';
import { findOrCreatePeople, getPersonIdentities, liveIdsByNationalIdSql, nationalIdProblem, normalizePhone } from '../people';
import type { ImportResult } from './schema';
import { parseInstant, type Line } from './lines';
import { profiled, profiledStep } from './profile';

export const SAMPLE_COLUMNS = ['tube_code', 'person_national_id', 'person_phone', 'person_name', 'collected_at', 'site_code', 'test_type'] as const;
const TUBE = /^[A-Za-z0-9._/-]{1,64}$/;
const MAX_LISTED_ERRORS = 1000;

export interface SampleImportOptions {
  userId: string | null;
  now: Date;
  /** false: the caller may not import samples of this commune (the lines are refused) */
  allowed(communeCode: string): Promise<boolean>;
  /** the commune of tubes without site_code (CLI --commune); else the first person's home commune */
  defaultCommune?: string | null;
  onProgress?: (done: number, total: number) => void;
}

interface Instant {
  iso: string;
  day: string;
}

/** A line as staged: its own fields read, or why not (the staging row then carries only its error). */
function stageLine(line: number, v: Record<string, string>, now: Date, timeZone: string, instants: Map<string, Instant | string>, phones: Map<string, string | null>): string {
  const bad = (path: string, message: string) => `${line}\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t${path}\t${copyText(message)}\n`;
  const tube = (v.tube_code ?? '').trim();
  if (!TUBE.test(tube)) return bad('tube_code', tube ? 'may hold only letters, digits and . _ / - (at most 64)' : 'is required');
  const atText = v.collected_at ?? '';
  let at = instants.get(atText);
  if (at === undefined) {
    const d = parseInstant(atText);
    // the instant as COPY text and its local day, once per distinct text (a pool's lines repeat it)
    at = typeof d === 'string' ? d : d.getTime() > now.getTime() + 15 * 60_000 ? 'is in the future' : { iso: d.toISOString(), day: localDay(d, timeZone) };
    instants.set(atText, at);
  }
  if (typeof at === 'string') return bad('collected_at', at);
  const name = (v.person_name ?? '').trim().replace(/\s+/g, ' ');
  if (name.length < 2 || name.length > 120 || /[\u0000-\u001f]/.test(name)) return bad('person_name', 'is required (2 to 120 characters)');
  const nid = (v.person_national_id ?? '').trim() || null;
  const nidProblem = nid ? nationalIdProblem(nid) : null;
  if (nidProblem) return bad('person_national_id', nidProblem);
  const rawPhone = (v.person_phone ?? '').trim();
  let phone: string | null = null;
  if (rawPhone) {
    phone = phones.get(rawPhone) ?? null;
    if (!phones.has(rawPhone)) phones.set(rawPhone, (phone = normalizePhone(rawPhone)));
    if (!phone) return bad('person_phone', 'is not a valid phone number');
  }
  if (!nid && !phone) return bad('person_national_id', 'a national ID or a phone number is required');
  const key = nid ? `n:${nid}` : `p:${phone}:${name.toLowerCase()}`;
  const site = (v.site_code ?? '').trim();
  return `${line}\t${tube}\t${nid ?? '\\N'}\t${phone ?? '\\N'}\t${copyText(name)}\t${copyText(key)}\t${at.iso}\t${at.day}\t${site ? copyText(site) : '\\N'}\t${copyText((v.test_type ?? '').trim().toLowerCase())}\t\\N\t\\N\n`;
}

/**
 * Ids for the tubes of one import that grow with `n` (UUID version 7's layout: the import's millisecond, then n, then
 * random bits): the tubes' and their members' index entries are appended at the end of the primary keys instead of
 * landing on a random page each (a random uuid per tube made every member's key insert touch, split and log a page of
 * its own). 44 random bits keep ids unguessable; n up to 2^28 tubes per import.
 */
export const timeOrderedId = (n: ReturnType<typeof sql>) => sql`(
  lpad(to_hex((extract(epoch from clock_timestamp()) * 1000)::bigint), 12, '0') || '7' || lpad(to_hex((${n} >> 16) & 4095), 3, '0')
  || '8' || lpad(to_hex(${n} & 65535), 4, '0') || substr(md5(random()::text), 1, 11))::uuid`;

/** Refuse the lines `where` selects (a condition on the checked table `c`), with this column and message (SQL text). */
const refuse = (tx: Tx, path: string, message: ReturnType<typeof sql>, where: ReturnType<typeof sql>) =>
  sql`update sample_check c set err_path = ${path}, err = ${message} where c.err is null and not c.dup and ${where}`.execute(tx);

export async function importSampleLines(ctx: AppContext, lines: Line[], o: SampleImportOptions): Promise<ImportResult> {
  // a connection of its own: the staging tables of a province's file live in local buffers (temp_buffers can only be
  // set before a session's first temporary table; the default 8 MB would spill a million lines to disk at every pass)
  return copyTransaction({ url: ctx.dbUrl, settings: { temp_buffers: '512MB', work_mem: '64MB' } }, async (tx0, copyIn) => {
    const tx = profiled(tx0);
    // a province's file is a few statements of a few seconds each, not the pool's per-request limit
    await sql`set local statement_timeout = '15min'`.execute(tx);
    await sql`
      create temp table sample_stage (line int, tube text, nid text, phone text, name text, key text, at timestamptz, day date, site text, type text,
        err_path text, err text) on commit drop`.execute(tx);
    const instants = new Map<string, Instant | string>();
    const phones = new Map<string, string | null>();
    await profiledStep('copy sample_stage (lines read and streamed)', () =>
      copyIn('copy sample_stage from stdin', (function* () {
        for (const l of lines) yield stageLine(l.line, l.values, o.now, ctx.config.timeZone, instants, phones);
      })()));
    o.onProgress?.(0, lines.length);

    // the staging table's statistics first: without them the planner took the file's national IDs for a few hundred
    // and looked each up in the registry's index one by one (a nested loop of a million probes)
    await sql`analyze sample_stage`.execute(tx);
    // the checked lines: the staging lines with their test type, sampling point, local day and known person
    await sql`
      create temp table sample_check on commit drop as
      select r.line, r.tube, r.nid, r.phone, r.name, r.key, r.at, r.type, r.day,
             tt.max_pool, sp.id as site_id, sp.commune_code as site_commune, pp.id as person_id, null::text as commune, false as dup,
             case when r.err is not null then r.err_path when tt.code is null then 'test_type' when r.site is not null and sp.id is null then 'site_code' end as err_path,
             case when r.err is not null then r.err
                  when tt.code is null then format('is not a known test type ("%s"; known: %s)', r.type, (select string_agg(code, ', ' order by code) from test_types where active))
                  when r.site is not null and sp.id is null then format('is not an active sampling point ("%s")', r.site) end as err
      from sample_stage r
      left join test_types tt on tt.code = r.type and tt.active
      left join sampling_points sp on sp.code = r.site and sp.active
      left join ${liveIdsByNationalIdSql(sql`(select nid from sample_stage where nid is not null)`)} pp on pp.national_id = r.nid`.execute(tx);
    await sql`analyze sample_check`.execute(tx);

    // the same person twice in a tube (the same line again, or another line naming a known person again)
    await sql`
      update sample_check c set err_path = case when d.first_key = c.key then 'tube_code' else 'person_name' end,
             err = case when d.first_key = c.key then format('repeats line %s (the same person in the same tube)', d.first_line) else 'is the same person as another line of this tube' end
      from (select line, first_value(line) over w as first_line, first_value(key) over w as first_key
            from sample_check where err is null
              and (tube, coalesce(person_id::text, key)) in (select tube, coalesce(person_id::text, key) from sample_check where err is null group by 1, 2 having count(*) > 1)
            window w as (partition by tube, coalesce(person_id::text, key) order by line)) d
      where c.line = d.line and d.line <> d.first_line`.execute(tx);

    // a tube's lines must agree on test type, sampling point and instant (its first good line says what they are);
    // min <> max rather than count(distinct) > 1: a hash aggregate instead of sorting every line by tube
    await sql`
      update sample_check c set err_path = case when c.type <> d.type then 'test_type' when c.site_id is distinct from d.site_id then 'site_code' else 'collected_at' end,
             err = format('differs from line %s of the same tube %s', d.line, c.tube)
      from (select distinct on (tube) tube, line, type, site_id, at from sample_check
            where err is null and tube in (select tube from sample_check where err is null group by tube
                                           having min(type) <> max(type) or min(site_id::text) <> max(site_id::text) or min(at) <> max(at)
                                                  or (count(site_id) > 0 and count(site_id) < count(*)))
            order by tube, line) d
      where c.tube = d.tube and c.err is null and (c.type <> d.type or c.site_id is distinct from d.site_id or c.at <> d.at)`.execute(tx);

    // a pool larger than its test type allows is refused whole (which people to leave out is not ours to choose)
    await sql`
      update sample_check c set err_path = 'tube_code', err = format('tube %s holds %s people; %s allows at most %s', c.tube, p.n, c.type, c.max_pool)
      from (select tube, count(*) as n from sample_check where err is null group by tube having count(*) > min(max_pool)) p
      where c.tube = p.tube and c.err is null`.execute(tx);

    // people the registry does not know yet: once per person of the file, in the commune of their first tube
    await registerNewPeople(ctx, tx, o);

    // tubes already stored (a re-imported file): their people's lines are duplicates; other people are refused
    await sql`
      update sample_check c set dup = true
      from samples s join sample_members m on m.sample_id = s.id
      where c.err is null and s.tube_code = c.tube and m.person_id = c.person_id`.execute(tx);
    await refuse(tx, 'tube_code', sql`format('tube %s was already collected without this person', c.tube)`, sql`exists (select 1 from samples s where s.tube_code = c.tube)`);


    // the area of each tube: its sampling point's commune, else the default, else its first person's home commune
    const homeless = (await sql<{ tube: string; person_id: string }>`
      select distinct on (tube) tube, person_id from sample_check where err is null and not dup and site_commune is null order by tube, line`.execute(tx)).rows;
    if (homeless.length) {
      const home = o.defaultCommune ? null : await getPersonIdentities(tx, homeless.map((h) => h.person_id));
      const communes = homeless.map((h) => o.defaultCommune ?? home!.get(h.person_id)?.communeCode ?? null);
      await sql`update sample_check c set commune = h.commune from unnest(${homeless.map((h) => h.tube)}::text[], ${communes}::text[]) h(tube, commune) where c.tube = h.tube`.execute(tx);
      await refuse(tx, 'site_code', sql`'is needed: the tube has no sampling point and its first person no home commune'`, sql`c.site_commune is null and c.commune is null`);
    }
    const areas = (await sql<{ commune: string }>`select distinct coalesce(site_commune, commune) as commune from sample_check where err is null and not dup`.execute(tx)).rows.map((r) => r.commune);
    const refused: string[] = [];
    for (const a of areas) if (!(await o.allowed(a))) refused.push(a);
    if (refused.length) await refuse(tx, 'site_code', sql`'that area is outside your jurisdiction'`, sql`coalesce(c.site_commune, c.commune) = any(${refused}::text[])`);

    // nobody in two tubes of the same day still waiting: a stored one, or an earlier tube of the file
    await refuse(
      tx,
      'person_national_id',
      sql`format('this person is already in tube %s of %s, still waiting for its result', (select s.tube_code from sample_members m join samples s on s.id = m.sample_id
            where m.person_id = c.person_id and s.result is null and s.collected_on = c.day and s.tube_code <> c.tube limit 1), c.day)`,
      sql`c.person_id in (select m.person_id from sample_members m join samples s on s.id = m.sample_id
            where s.result is null and s.collected_on in (select distinct day from sample_check) )
          and exists (select 1 from sample_members m join samples s on s.id = m.sample_id
            where m.person_id = c.person_id and s.result is null and s.collected_on = c.day and s.tube_code <> c.tube)`,
    );
    await sql`
      update sample_check c set err_path = 'person_national_id', err = format('this person is already in tube %s of %s, still waiting for its result', f.first_tube, c.day)
      from (select line, tube, first_value(tube) over (partition by person_id, day order by line) as first_tube from sample_check
            where (err is null or dup) and (person_id, day) in (select person_id, day from sample_check where err is null or dup group by 1, 2 having min(tube) <> max(tube))) f
      where c.line = f.line and f.tube <> f.first_tube and c.err is null and not c.dup`.execute(tx);

    // the tubes and their members, in one statement
    const written = (
      await sql<{ n: string }>`
        with tubes as (
          insert into samples (id, tube_code, test_type, collected_at, collected_on, point_id, commune_code, collected_by, pool_size, source)
          select ${timeOrderedId(sql`row_number() over (order by tube)`)}, tube, min(type), min(at), min(day), (array_agg(site_id))[1], min(coalesce(site_commune, commune)),
                 ${o.userId}::bigint, count(*), 'import'
          from sample_check where err is null and not dup group by tube order by tube
          returning id, tube_code, pool_size),
        members as (
          -- in the tubes' order, which is their ids' order: the primary key (sample_id, person_id) grows at its end
          insert into sample_members (sample_id, person_id, position)
          select t.id, c.person_id, (row_number() over (partition by c.tube order by c.line) - 1)::smallint
          from sample_check c join tubes t on t.tube_code = c.tube where c.err is null and not c.dup
          order by c.tube, c.line
          returning sample_id, person_id)
        -- the new samples do their people's open tasks (a retest only in an individual tube)
        , done as (
          update testing_tasks k set status = 'done', closed_at = ${o.now}, closed_by = ${o.userId}, done_sample_id = m.sample_id
          from members m join tubes t on t.id = m.sample_id
          where k.person_id = m.person_id and k.status = 'open'
            and (k.kind = 'resample' or t.pool_size = 1)
          returning 1)
        select (select count(*) from members) as n, (select count(*) from done) as d`.execute(tx)
    ).rows[0]!;
    const counts = (await sql<{ dup: string; errors: string }>`select count(*) filter (where dup) as dup, count(*) filter (where err is not null) as errors from sample_check`.execute(tx)).rows[0]!;
    const errors = (await sql<{ line: number; path: string; message: string }>`
      select line, err_path as path, err as message from sample_check where err is not null order by line limit ${MAX_LISTED_ERRORS}`.execute(tx)).rows;
    o.onProgress?.(lines.length, lines.length);
    return { total: lines.length, imported: Number(written.n), duplicates: Number(counts.dup), errors, errorsTruncated: Number(counts.errors) > errors.length };
  });
}

/**
 * The people of the file the registry does not know by national ID (one per distinct person of the file), found or
 * created in bulk through the people module (findOrCreatePeople: staff rules, matched by national ID, else phone +
 * name; set-based, its own transactions of a thousand people each, locks in the single find-or-create's order).
 */
async function registerNewPeople(ctx: AppContext, tx: Tx, o: SampleImportOptions) {
  const fresh = (await sql<{ key: string; line: number; nid: string | null; phone: string | null; name: string; commune: string | null }>`
    select distinct on (key) key, line, nid, phone, name, site_commune as commune from sample_check
    where err is null and not dup and person_id is null order by key, line`.execute(tx)).rows;
  if (!fresh.length) return;
  const keys: string[] = [];
  const ids: (string | null)[] = [];
  const paths: (string | null)[] = [];
  const messages: (string | null)[] = [];
  const asked: typeof fresh = [];
  for (const p of fresh) {
    if (p.commune ?? o.defaultCommune) asked.push(p);
    else {
      keys.push(p.key);
      ids.push(null);
      paths.push('site_code');
      messages.push('is needed to register a new person (their commune); or import with a default commune');
    }
  }
  const found = await findOrCreatePeople(
    ctx.db,
    asked.map((p) => ({ fullName: p.name, phone: p.phone, nationalId: p.nid, communeCode: p.commune ?? o.defaultCommune! })),
    { resolver: ctx.access.resolver, now: o.now, source: 'import', prefix: 'line', trust: 'staff' },
  );
  for (const [i, p] of asked.entries()) {
    const r = found[i]!;
    const d = r.errors?.[0];
    keys.push(p.key);
    ids.push(r.id ?? null);
    paths.push(d ? d.path.replace(/^line\.communeCode$/, 'site_code').replace(/^line\./, 'person_').replace('fullName', 'name').replace('nationalId', 'national_id') : null);
    messages.push(d ? d.message : null);
  }
  await sql`
    update sample_check c set person_id = n.id, err_path = n.path, err = n.message
    from unnest(${keys}::text[], ${ids}::uuid[], ${paths}::text[], ${messages}::text[]) n(key, id, path, message)
    where c.key = n.key and c.err is null and not c.dup and c.person_id is null`.execute(tx);
  // two lines of a tube that turn out to be one new person (national ID on one, phone and name on the other)
  await sql`
    update sample_check c set err_path = 'person_name', err = 'is the same person as another line of this tube'
    from (select line, row_number() over (partition by tube, person_id order by line) as k from sample_check
          where err is null and not dup and tube in (select tube from sample_check where key = any(${keys}::text[]))) d
    where c.line = d.line and d.k > 1`.execute(tx);
}
