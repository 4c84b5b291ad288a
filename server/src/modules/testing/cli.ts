// CLI faces of the module: `vigil import samples|results <file>` and `vigil testing retests --json`. The CLI is run
// by the operator on the server: national scope, no user.
import fs from 'node:fs';
import path from 'node:path';
import type { AppContext } from '../../platform/module';
import { readLines } from './lines';
import { importResultLines, RESULT_COLUMNS } from './result-import';
import { importSampleLines, SAMPLE_COLUMNS } from './sample-import';
import type { ImportResult } from './schema';
import { openRetests } from './tasks';
import { RESULT_OPTIONAL, SAMPLE_OPTIONAL } from './upload-routes';

export class TestingCliError extends Error {}

async function fileLines(file: string, columns: readonly string[], optional: readonly string[]) {
  const full = path.resolve(file);
  if (!fs.existsSync(full)) throw new TestingCliError(`File not found: ${file}`);
  return readLines(fs.readFileSync(full), columns, optional);
}

const merged = (r: ImportResult, unreadable: ImportResult['errors']): ImportResult => ({
  ...r,
  total: r.total + unreadable.length,
  errors: [...unreadable, ...r.errors].sort((a, b) => a.line - b.line),
});

export async function importSamplesFile(ctx: AppContext, file: string, o: { commune?: string | null; onProgress?: (d: number, t: number) => void } = {}) {
  if (o.commune) {
    const u = await ctx.access.resolver.unit(o.commune);
    if (!u || u.level === 'country') throw new TestingCliError(`--commune: "${o.commune}" is not a known administrative unit`);
  }
  const { lines, unreadable } = await fileLines(file, SAMPLE_COLUMNS, SAMPLE_OPTIONAL);
  const r = await importSampleLines(ctx, lines, { userId: null, now: ctx.config.clock(), allowed: async () => true, defaultCommune: o.commune ?? null, onProgress: o.onProgress });
  return merged(r, unreadable);
}

export async function importResultsFile(ctx: AppContext, file: string, o: { onProgress?: (d: number, t: number) => void } = {}) {
  const { lines, unreadable } = await fileLines(file, RESULT_COLUMNS, RESULT_OPTIONAL);
  const r = await importResultLines(ctx, lines, { userId: null, now: ctx.config.clock(), source: 'import', fileName: path.basename(file), allowed: async () => true, onProgress: o.onProgress });
  return merged(r, unreadable);
}

export const retestsForCli = (ctx: AppContext) => openRetests(ctx.db);
