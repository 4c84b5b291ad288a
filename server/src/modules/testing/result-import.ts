// Lab result files (`vigil import results`, the lab page's upload): columns tube_code,result,resulted_at,lab_code.
// Good lines are recorded (in chunks, one transaction each), bad lines reported; a re-uploaded file changes nothing
// (its lines are counted as already present); a line with another result for a tube is a correction, kept with the
// earlier result and the file as its reason.
import type { AppContext } from '../../platform/module';
import { recordResults, type ResultInput } from './results';
import type { ImportResult, ResultValue } from './schema';
import { LineErrors, parseInstant, type Line } from './lines';

export const RESULT_COLUMNS = ['tube_code', 'result', 'resulted_at', 'lab_code'] as const;
const CHUNK = 1000;
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

export async function importResultLines(ctx: AppContext, lines: Line[], o: ResultImportOptions): Promise<ImportResult> {
  const errors = new LineErrors();
  const good: (ResultInput & { line: number })[] = [];
  for (const { line, values: v } of lines) {
    const tube = (v.tube_code ?? '').trim();
    if (!TUBE.test(tube)) {
      errors.add(line, 'tube_code', tube ? 'may hold only letters, digits and . _ / - (at most 64)' : 'is required');
      continue;
    }
    const result = resultWord(v.result ?? '');
    if (!result) {
      errors.add(line, 'result', `must be positive, negative or invalid ("${(v.result ?? '').slice(0, 40)}")`);
      continue;
    }
    const at = parseInstant(v.resulted_at ?? '');
    if (typeof at === 'string') {
      errors.add(line, 'resulted_at', at);
      continue;
    }
    const lab = (v.lab_code ?? '').trim();
    if (lab && !/^[A-Za-z0-9._-]{1,40}$/.test(lab)) {
      errors.add(line, 'lab_code', 'may hold only letters, digits and . _ - (at most 40)');
      continue;
    }
    good.push({ line, tubeCode: tube, result, resultedAt: at, labCode: lab || null, path: 'line' });
  }
  let imported = 0;
  let duplicates = 0;
  let corrected = 0;
  for (let i = 0; i < good.length; i += CHUNK) {
    const chunk = good.slice(i, i + CHUNK);
    const out = await recordResults(ctx, chunk, {
      now: o.now,
      userId: o.userId,
      source: o.source,
      allowed: o.allowed,
      defaultReason: `another result in ${o.fileName.slice(0, 200)}`,
    });
    out.forEach((r, j) => {
      const line = chunk[j]!.line;
      if (r.status === 'error') {
        const d = r.error.details?.[0];
        errors.add(line, COLUMN[d?.path.replace(/^line\./, '') ?? ''] ?? 'tube_code', d?.message ?? r.error.message);
      } else if (r.status === 'unchanged') duplicates++;
      else {
        imported++;
        if (r.status === 'corrected') corrected++;
      }
    });
    o.onProgress?.(Math.min(i + CHUNK, good.length), good.length);
  }
  return { total: lines.length, imported, duplicates, corrected, errors: errors.list.sort((a, b) => a.line - b.line), errorsTruncated: errors.truncated };
}
