// Lab result files (`vigil import results`, the lab page's upload): columns tube_code,result,resulted_at,lab_code.
// Good lines are recorded, bad lines reported, each with its line and column: the rules' errors (unknown tube, bad
// result word, bad or impossible instant, results before collection, outside the caller's area, the same tube twice
// with different results), and any line the database itself refuses (results.ts recordStagedKeepingLines: the other
// lines are recorded all the same). One transaction for the file; a re-uploaded file changes nothing
// (its lines are counted as already present); a line with another result for a tube is a correction, kept with the
// earlier result and the file as its reason.
import { sql } from 'kysely';
import { copyText, copyTransaction } from '../../platform/db';
import type { AppContext } from '../../platform/module';
import { recordStagedKeepingLines, RESULT_STAGE_DDL } from './results';
import type { ImportResult, ResultValue } from './schema';
import { parseInstant, type Line } from './lines';

export const RESULT_COLUMNS = ['tube_code', 'result', 'resulted_at', 'lab_code'] as const;
const MAX_LISTED_ERRORS = 1000;
const TUBE = /^[A-Za-z0-9._/-]{1,64}$/;

/** Labs write results their own way: English, Vietnamese (with or without marks), short forms. */
const RESULT_WORDS: Record<string, ResultValue> = {
  positive: 'positive', pos: 'positive', '+': 'positive', 'duong tinh': 'positive', 'dương tính': 'positive',
  negative: 'negative', neg: 'negative', '-': 'negative', 'am tinh': 'negative', 'âm tính': 'negative',
  invalid: 'invalid', 'khong xac dinh': 'invalid', 'không xác định': 'invalid', 'mau khong dat': 'invalid', 'mẫu không đạt': 'invalid',
};

export function resultWord(s: string): ResultValue | null {
  return RESULT_WORDS[s.trim().toLowerCase().normalize('NFC').replace(/\s+/g, ' ')] ?? null;
}

const COLUMN: Record<string, string> = { tubeCode: 'tube_code', result: 'result', resultedAt: 'resulted_at', reason: 'result', labCode: 'lab_code' };

export interface ResultImportOptions {
  userId: string | null;
  now: Date;
  source: 'upload' | 'import';
  allowed(communeCode: string): Promise<boolean>;
  /** names the file in the reason of corrections */
  fileName: string;
  onProgress?: (done: number, total: number) => void;
}

/** A line as staged: its own fields read, or why not (the staging row then carries only its error). */
function stageLine(line: number, v: Record<string, string>): string {
  const bad = (path: string, message: string) => `${line}\t\\N\t\\N\t\\N\t\\N\t400\tVALIDATION\t${path}\t${copyText(message)}\n`;
  const tube = (v.tube_code ?? '').trim();
  if (!TUBE.test(tube)) return bad('tube_code', tube ? 'may hold only letters, digits and . _ / - (at most 64)' : 'is required');
  const result = resultWord(v.result ?? '');
  if (!result) return bad('result', `must be positive, negative or invalid ("${(v.result ?? '').slice(0, 40)}")`);
  const at = parseInstant(v.resulted_at ?? '');
  if (typeof at === 'string') return bad('resulted_at', at);
  const lab = (v.lab_code ?? '').trim();
  if (lab && !/^[A-Za-z0-9._-]{1,40}$/.test(lab)) return bad('lab_code', 'may hold only letters, digits and . _ - (at most 40)');
  return `${line}\t${tube}\t${result}\t${at.toISOString()}\t${lab || '\\N'}\t\\N\t\\N\t\\N\t\\N\n`;
}

/**
 * A lab's file in one transaction on a connection of its own: the lines streamed with COPY into the staging table
 * (the line number as its index), then recorded set-based (results.ts, recordStagedKeepingLines): per-line errors kept, a faulting line isolated.
 */
export async function importResultLines(ctx: AppContext, lines: Line[], o: ResultImportOptions): Promise<ImportResult> {
  return copyTransaction({ url: ctx.dbUrl, settings: { temp_buffers: '256MB', work_mem: '64MB' } }, async (tx, copyIn) => {
    await sql`set local statement_timeout = '15min'`.execute(tx);
    await RESULT_STAGE_DDL.execute(tx);
    await copyIn('copy result_stage (idx, tube, result, at, lab, err_status, err_code, err_path, err) from stdin', (function* () {
      for (const l of lines) yield stageLine(l.line, l.values);
    })());
    o.onProgress?.(0, lines.length);
    await recordStagedKeepingLines(ctx, tx, { now: o.now, userId: o.userId, source: o.source, allowed: o.allowed, defaultReason: `another result in ${o.fileName.slice(0, 200)}` });
    const counts = (await sql<{ imported: string; corrected: string; duplicates: string; errors: string }>`
      select count(*) filter (where status in ('recorded', 'corrected')) as imported, count(*) filter (where status = 'corrected') as corrected,
             count(*) filter (where status = 'unchanged') as duplicates, count(*) filter (where status = 'error') as errors
      from result_check`.execute(tx)).rows[0]!;
    const errors = (await sql<{ line: number; path: string; message: string }>`
      select idx as line, err_path as path, err as message from result_check where status = 'error' order by idx limit ${MAX_LISTED_ERRORS}`.execute(tx)).rows;
    o.onProgress?.(lines.length, lines.length);
    return {
      total: lines.length,
      imported: Number(counts.imported),
      duplicates: Number(counts.duplicates),
      corrected: Number(counts.corrected),
      errors: errors.map((e) => ({ ...e, path: COLUMN[e.path] ?? e.path })),
      errorsTruncated: Number(counts.errors) > errors.length,
    };
  });
}
