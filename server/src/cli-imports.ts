// The CLI's bulk imports (`vigil import venues|checkins|samples|results <file>`): each runs against an app built for
// the command, with a progress bar; a file the importer refuses as a whole is a CLI error (message, exit 1), and the
// lines it refused are listed with exit code 2.
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app';
import type { Config } from './config';
import { modules } from './modules';
import { CliError, progressBar, withApp } from './platform/cli';
import type { DatabaseHandle } from './platform/db';
import { ImportFileError, type ImportResult } from './modules/venues';
import { TestingCliError } from './modules/testing';

/** An app for one CLI command: the command's database, no logger, no web app. */
export const buildForCli = (config: Config, handle: DatabaseHandle) => buildApp(config, { database: handle, logger: false, webDist: null });

/** Line-by-line imports: valid lines are kept, bad ones listed; exit code 2 when any line was rejected. */
export function printLineImport(r: ImportResult, what: string) {
  process.stdout.write(`${r.total} line(s): ${r.imported} ${what} imported, ${r.duplicates} already present, ${r.errors.length} with errors.\n`);
  for (const e of r.errors) process.stderr.write(`  line ${e.line}, ${e.path}: ${e.message}\n`);
  if (r.errorsTruncated) process.stderr.write('  (more errors not listed)\n');
  if (r.errors.length) process.exitCode = 2;
}

/**
 * Runs an import of `file` with a progress bar labelled `label`: a missing file, or a file refused as a whole
 * (ImportFileError: no header, wrong columns; TestingCliError), is a CliError.
 */
export async function lineImport<T extends ImportResult>(label: string, file: string, fn: (app: FastifyInstance, onProgress: (done: number, total: number) => void) => Promise<T>): Promise<T> {
  if (!fs.existsSync(path.resolve(file))) throw new CliError(`File not found: ${file}`);
  return withApp(modules, buildForCli, async (app) => {
    const bar = progressBar(label);
    try {
      return await fn(app, (d, t) => bar.update(d, t));
    } catch (err) {
      if (err instanceof ImportFileError || err instanceof TestingCliError) throw new CliError(err.message);
      throw err;
    } finally {
      bar.stop();
    }
  });
}
