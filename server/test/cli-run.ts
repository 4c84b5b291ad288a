// Running `vigil` as a user does, in a child process, for the CLI tests. Timeouts come from the operation: one
// command (node + tsx start, PostgreSQL started or attached, migrations, the work) is bounded by
// CLI_COMMAND_TIMEOUT_MS, which only catches a hung command, and a test running n commands one after another gets
// cliTestTimeout(n), so a busy machine slows these tests down without failing them.
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const VIGIL = path.resolve(__dirname, '../bin/vigil.js');

export const CLI_COMMAND_TIMEOUT_MS = 120_000;
/** For a test that runs `commands` CLI commands in sequence (plus its own few database calls). */
export const cliTestTimeout = (commands: number) => commands * CLI_COMMAND_TIMEOUT_MS + 15_000;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout + stderr */
  out: string;
}

/** `vigil <args>` with `env` (added to this process's environment); never throws for a non-zero exit. */
export async function runVigil(args: string[], env: Record<string, string>): Promise<CliResult> {
  try {
    const r = await run(process.execPath, [VIGIL, ...args], { env: { ...process.env, ...env }, timeout: CLI_COMMAND_TIMEOUT_MS });
    return { code: 0, stdout: r.stdout, stderr: r.stderr, out: r.stdout + r.stderr };
  } catch (err) {
    const e = err as { code: number | string; killed?: boolean; stdout: string; stderr: string };
    if (e.killed) throw new Error(`vigil ${args.join(' ')} did not finish within ${CLI_COMMAND_TIMEOUT_MS} ms:\n${e.stdout}${e.stderr}`);
    return { code: Number(e.code), stdout: e.stdout, stderr: e.stderr, out: e.stdout + e.stderr };
  }
}
