// The trace bench's floor (issue 16): the answer of a trace must be stored — officers read the contact lists from
// the tables — so no engine can finish before the answer's rows are written. As the testing bench measures its floor
// (the same rows only written into copies of the real tables): the rows of real answers (the worst single case's,
// the bulk run's) written with COPY into copies of case_contacts, contact_exposures and exposure_notices with the same
// columns, defaults, checks, indexes and foreign keys, by 1, 2 and 4 writers at once (two cores); and the least the
// check-ins must be read to find those contacts (the venue ranges their stays lie in, index-only).
import crypto from 'node:crypto';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { TraceResult } from '../server/src/modules/cases';
import { postgresCpuMs } from './_cpu';

const STAY_CAP_MS = 12 * 3600_000;
/** contacts per block: the unit the writers share out (a block's contacts, then their exposures) */
const BLOCK = 2_000;
const TZ_OFFSET_MS = 7 * 3600_000; // the bench's province: Asia/Ho_Chi_Minh, no daylight saving
const iso = (ms: number) => new Date(ms).toISOString();
const day = (ms: number, plus = 0) => new Date(ms + TZ_OFFSET_MS + plus * 86_400_000).toISOString().slice(0, 10);

interface Row {
  via: string;
  venueId: string | null;
  kind: string;
  from: number;
  to: number;
  overlap: number | null;
  source: string;
  n: number;
}

interface Block {
  contacts: string;
  exposures: string;
}

/** Real answers as the rows the tracing job writes (cases/service.ts upsertContacts, publishMassNotices), COPY text. */
export class TraceAnswer {
  readonly caseIds: string[] = [];
  readonly blocks: Block[] = [];
  notices = '';
  contacts = 0;
  exposures = 0;
  noticeRows = 0;
  /** venue → [from, to) of the answer's venue exposures (epoch ms), for the read floor */
  private readonly spans = new Map<string, number[]>();

  constructor(private readonly unitCode: string, private readonly now = new Date()) {}

  add(result: TraceResult): void {
    const caseId = crypto.randomUUID();
    this.caseIds.push(caseId);
    const now = this.now.toISOString();
    for (let i = 0; i < result.contacts.length; i += BLOCK) {
      const contacts: string[] = [];
      const exposures: string[] = [];
      for (const c of result.contacts.slice(i, i + BLOCK)) {
        const id = crypto.randomUUID();
        let first = Infinity;
        let last = -Infinity;
        // one row per stay (contact_exposures_stay_key), as upsertContacts merges them
        const byStay = new Map<string, Row>();
        const other: Row[] = [];
        for (const e of c.exposures) {
          const from = e.from.getTime();
          const to = e.to.getTime();
          if (from < first) first = from;
          if (to > last) last = to;
          const row = { via: e.via, venueId: e.venueId, kind: e.kind, from, to, overlap: e.overlapMinutes, source: e.sourcePersonId, n: Math.max(1, e.sourcesCount) };
          if (e.kind !== 'venue') {
            other.push(row);
            continue;
          }
          const k = `${e.via}|${e.venueId}|${from}`;
          const o = byStay.get(k);
          if (!o) byStay.set(k, row);
          else {
            if ((row.overlap ?? 0) > (o.overlap ?? 0)) Object.assign(o, { overlap: row.overlap, source: row.source });
            if (row.to > o.to) o.to = row.to;
            o.n = Math.max(o.n, row.n);
          }
          let s = this.spans.get(e.venueId!);
          if (!s) this.spans.set(e.venueId!, (s = []));
          s.push(from, to);
        }
        const quarantine = c.level === 1;
        contacts.push(`${id}\t${caseId}\t${c.personId}\t${c.level}\t${this.unitCode}\t${c.viaPersonId ?? '\\N'}\t${iso(first)}\t${iso(last)}\t${quarantine ? 'quarantine' : 'monitoring'}\t${day(last)}\t${day(last, quarantine ? 14 : 7)}\tmonitoring\ttrace\t${now}\t${now}\n`);
        for (const e of [...byStay.values(), ...other]) {
          exposures.push(`${id}\t${e.kind}\t${e.via}\t${e.venueId ?? '\\N'}\t${iso(e.from)}\t${iso(e.to)}\t${e.overlap ?? '\\N'}\t${e.source}\t${e.n}\t\n`);
          this.exposures++;
        }
        this.contacts++;
      }
      this.blocks.push({ contacts: contacts.join(''), exposures: exposures.join('') }); // flat strings: no rope of 3M parts kept
    }
    for (const m of result.massExposures) {
      this.notices += `${caseId}\t${m.level}\t${m.venueId}\t${m.from.toISOString()}\t${m.to.toISOString()}\t${m.peopleCount}\t${m.sourcesCount}\t${now}\n`;
      this.noticeRows++;
    }
  }

  /** Each venue's windows where the answer's contacts met a source, widened by the stay cap before, merged. */
  venueRanges(): { venues: string[]; lo: number[]; hi: number[] } {
    const venues: string[] = [];
    const lo: number[] = [];
    const hi: number[] = [];
    for (const [venue, flat] of this.spans) {
      const pairs: [number, number][] = [];
      for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i]! - STAY_CAP_MS, flat[i + 1]!]);
      pairs.sort((a, b) => a[0] - b[0]);
      let [a, b] = pairs[0]!;
      for (const [x, y] of pairs.slice(1)) {
        if (x <= b) b = Math.max(b, y);
        else {
          venues.push(venue), lo.push(a), hi.push(b);
          [a, b] = [x, y];
        }
      }
      venues.push(venue), lo.push(a), hi.push(b);
    }
    return { venues, lo, hi };
  }
}

const CONTACT_COLS = 'id, case_id, person_id, level, unit_code, via_person_id, first_exposure_at, last_exposure_at, order_kind, order_start, order_end, status, origin, created_at, updated_at';
const EXPOSURE_COLS = 'contact_id, kind, via, venue_id, from_at, to_at, overlap_minutes, source_person_id, sources_count, note';
const NOTICE_COLS = 'case_id, level, venue_id, from_at, to_at, people_count, sources_count, published_at';

async function copyIn(client: pg.Client, statement: string, text: string[]): Promise<void> {
  if (!text.some((t) => t.length)) return;
  await pipeline(Readable.from(text.filter((t) => t.length)), client.query(copyFrom(statement)));
}

/**
 * Copies of the three tables: LIKE … INCLUDING ALL (columns, defaults, identity, checks, indexes) and the foreign
 * keys LIKE leaves out, to a table of the answer's case ids (an index probe per row, as to `cases`; the
 * place and became-case keys are null in traced rows, so PostgreSQL checks nothing for them).
 */
async function createCopies(client: pg.Client, caseIds: string[]) {
  await client.query(`drop table if exists floor_exposures, floor_notices, floor_contacts, floor_cases`);
  await client.query(`create table floor_cases (id uuid primary key)`);
  await client.query(`insert into floor_cases select unnest($1::uuid[])`, [caseIds]);
  await client.query(`create table floor_contacts (like case_contacts including all)`);
  await client.query(`alter table floor_contacts add foreign key (case_id) references floor_cases(id) on delete cascade,
    add foreign key (place_id) references quarantine_places(id), add foreign key (became_case_id) references floor_cases(id)`);
  await client.query(`create table floor_exposures (like contact_exposures including all)`);
  await client.query(`alter table floor_exposures add foreign key (contact_id) references floor_contacts(id) on delete cascade`);
  await client.query(`create table floor_notices (like exposure_notices including all)`);
  await client.query(`alter table floor_notices add foreign key (case_id) references floor_cases(id) on delete cascade`);
  await client.query(`checkpoint`);
}

export interface FloorFigure {
  writers: number;
  ms: number;
  pgCpuMs: number;
}

/** Writes the answer's rows into the copies with `writers` connections at once, each in its own transaction. */
export async function writeFloor(url: string, dataDir: string, answer: TraceAnswer, writers: number): Promise<FloorFigure> {
  const clients = await Promise.all(Array.from({ length: writers }, async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    return c;
  }));
  try {
    await createCopies(clients[0]!, answer.caseIds);
    const pg0 = postgresCpuMs(dataDir);
    const t0 = performance.now();
    await Promise.all(
      clients.map(async (client, w) => {
        const mine = answer.blocks.filter((_, i) => i % writers === w);
        await client.query('begin');
        await copyIn(client, `copy floor_contacts (${CONTACT_COLS}) from stdin`, mine.map((b) => b.contacts));
        await copyIn(client, `copy floor_exposures (${EXPOSURE_COLS}) from stdin`, mine.map((b) => b.exposures));
        if (w === 0) await copyIn(client, `copy floor_notices (${NOTICE_COLS}) from stdin`, [answer.notices]);
        await client.query('commit');
      }),
    );
    const ms = performance.now() - t0;
    const pgCpuMs = postgresCpuMs(dataDir) - pg0;
    const n = await clients[0]!.query<{ c: number; e: number; x: number }>(
      'select (select count(*) from floor_contacts)::int as c, (select count(*) from floor_exposures)::int as e, (select count(*) from floor_notices)::int as x',
    );
    const got = n.rows[0]!;
    if (got.c !== answer.contacts || got.e !== answer.exposures || got.x !== answer.noticeRows)
      throw new Error(`floor: wrote ${got.c}/${got.e}/${got.x} rows, expected ${answer.contacts}/${answer.exposures}/${answer.noticeRows}`);
    await clients[0]!.query(`drop table floor_exposures, floor_notices, floor_contacts, floor_cases`);
    return { writers, ms, pgCpuMs };
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}

const CONTACT_TYPES = ['uuid', 'uuid', 'uuid', 'int2', 'text', 'uuid', 'timestamptz', 'timestamptz', 'text', 'date', 'date', 'text', 'text', 'timestamptz', 'timestamptz'];
const EXPOSURE_TYPES = ['uuid', 'text', 'text', 'uuid', 'timestamptz', 'timestamptz', 'int4', 'uuid', 'int4', 'text'];

/** COPY text lines → one array per column (\N → null), for an insert from unnest. */
function columns(text: string, n: number): (string | null)[][] {
  const cols: (string | null)[][] = Array.from({ length: n }, () => []);
  for (const line of text.split('\n')) {
    if (!line) continue;
    const v = line.split('\t');
    for (let i = 0; i < n; i++) cols[i]!.push(v[i] === '\\N' ? null : v[i]!);
  }
  return cols;
}

const unnestInsert = (table: string, cols: string, types: string[]) =>
  `insert into ${table} (${cols}) select * from unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})`;

/**
 * The other way to send rows in bulk: one insert … select from unnest(arrays) per block of 2,000 contacts (and one
 * for their exposures), one writer; the arrays are built before the clock starts.
 */
export async function writeFloorUnnest(url: string, dataDir: string, answer: TraceAnswer): Promise<FloorFigure> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await createCopies(client, answer.caseIds);
    const blocks = answer.blocks.map((b) => ({ contacts: columns(b.contacts, CONTACT_TYPES.length), exposures: columns(b.exposures, EXPOSURE_TYPES.length) }));
    const notices = answer.notices;
    const pg0 = postgresCpuMs(dataDir);
    const t0 = performance.now();
    await client.query('begin');
    for (const b of blocks) {
      await client.query(unnestInsert('floor_contacts', CONTACT_COLS, CONTACT_TYPES), b.contacts);
      if (b.exposures[0]!.length) await client.query(unnestInsert('floor_exposures', EXPOSURE_COLS, EXPOSURE_TYPES), b.exposures);
    }
    await copyIn(client, `copy floor_notices (${NOTICE_COLS}) from stdin`, [notices]);
    await client.query('commit');
    const ms = performance.now() - t0;
    const pgCpuMs = postgresCpuMs(dataDir) - pg0;
    const n = await client.query<{ c: number; e: number }>('select (select count(*) from floor_contacts)::int as c, (select count(*) from floor_exposures)::int as e');
    if (n.rows[0]!.c !== answer.contacts || n.rows[0]!.e !== answer.exposures) throw new Error(`floor (unnest): wrote ${n.rows[0]!.c}/${n.rows[0]!.e} rows, expected ${answer.contacts}/${answer.exposures}`);
    await client.query(`drop table floor_exposures, floor_notices, floor_contacts, floor_cases`);
    return { writers: 1, ms, pgCpuMs };
  } finally {
    await client.end();
  }
}

/**
 * The least reading of check-ins that finds the answer's contacts without knowing them: each venue's windows where
 * they met a source, from the stay cap (12 h) before, as one index-only range scan each on (venue_id, checkin_at)
 * carrying the stay's columns — the engine's own access path, with none of its other work (sources' own stays, crowd
 * counts, pairing). Run twice: the first may read from disk, the second from cache.
 */
export async function readFloor(url: string, dataDir: string, answer: TraceAnswer): Promise<{ ms: number[]; pgCpuMs: number[]; ranges: number; rows: number }> {
  const { venues, lo, hi } = answer.venueRanges();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const out = { ms: [] as number[], pgCpuMs: [] as number[], ranges: venues.length, rows: 0 };
    for (let i = 0; i < 2; i++) {
      const pg0 = postgresCpuMs(dataDir);
      const t0 = performance.now();
      const r = await client.query<{ n: number }>(
        `select count(*)::int as n from unnest($1::uuid[], $2::float8[], $3::float8[]) s(v, lo, hi)
         cross join lateral (select c.person_id, c.checkout_at, c.auto_checkout_at from checkins c
           where c.venue_id = s.v and c.checkin_at >= to_timestamp(s.lo / 1000) and c.checkin_at < to_timestamp(s.hi / 1000)) x`,
        [venues, lo, hi],
      );
      out.ms.push(performance.now() - t0);
      out.pgCpuMs.push(postgresCpuMs(dataDir) - pg0);
      out.rows = r.rows[0]!.n;
    }
    return out;
  } finally {
    await client.end();
  }
}

/** What the contact tables carry and who needs it (printed with the floor). */
export async function describeTables(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const idx = await client.query<{ t: string; def: string }>(
      `select tablename as t, regexp_replace(indexdef, '^CREATE (UNIQUE )?INDEX (\\S+) ON public\\.\\S+ USING btree ', '\\1\\2 ') as def
       from pg_indexes where tablename in ('case_contacts', 'contact_exposures', 'exposure_notices') order by tablename, indexname`,
    );
    const trg = await client.query<{ t: string; n: number; user: number }>(
      `select c.relname as t, count(*)::int as n, count(*) filter (where not g.tgisinternal)::int as user
       from pg_trigger g join pg_class c on c.oid = g.tgrelid where c.relname in ('case_contacts', 'contact_exposures', 'exposure_notices') group by 1 order by 1`,
    );
    const lines: string[] = [];
    for (const t of ['case_contacts', 'contact_exposures', 'exposure_notices']) {
      const tr = trg.rows.find((r) => r.t === t);
      lines.push(`${t}: ${idx.rows.filter((r) => r.t === t).map((r) => r.def).join('; ')}; triggers: ${tr?.user ?? 0} own, ${(tr?.n ?? 0) - (tr?.user ?? 0)} of foreign keys`);
    }
    return lines;
  } finally {
    await client.end();
  }
}
