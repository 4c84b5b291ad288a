// `vigil cert verify`: the verifier as a command. Needs no database: the trust anchors come from a file.
// Exit codes: 0 valid, 1 invalid, 2 usage (bad option, unreadable trust file, no input).
import fs from 'node:fs';
import type { Command, CommanderError } from 'commander';
import { verifyAndJudge, type JudgedResult } from './verify';
import { parseTrust, TrustError } from './trust';
import type { ValidityRules } from './tests';
import type { SignerSync } from './signer-ring';

export const EXIT_VALID = 0;
export const EXIT_INVALID = 1;
export const EXIT_USAGE = 2;

class UsageError extends Error {}

function readTrust(file: string) {
  if (!fs.existsSync(file)) throw new UsageError(`--trust: file not found: ${file}`);
  try {
    return parseTrust(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    if (err instanceof TrustError) throw new UsageError(`--trust ${file}: ${err.message}`);
    throw err;
  }
}

function parseAt(at: string | undefined): Date {
  if (at === undefined) return new Date();
  const d = new Date(at);
  if (!/^\d{4}-\d{2}-\d{2}(T|$)/.test(at) || Number.isNaN(d.getTime())) {
    throw new UsageError('--at must be an ISO 8601 time, e.g. 2021-06-01T12:00:00Z');
  }
  return d;
}

function readHc1(arg: string): string {
  const text = (arg === '-' ? fs.readFileSync(0, 'utf8') : arg).trim();
  if (!text) throw new UsageError('no certificate text: give the HC1 string, or - to read it from standard input');
  return text;
}

function human(r: JudgedResult): string {
  const mark = (v: boolean | null) => (v === true ? 'ok' : v === false ? 'FAILED' : '-');
  const lines = [r.valid ? 'VALID' : `INVALID: ${r.error}`];
  for (const [k, v] of Object.entries(r.checks)) lines.push(`  ${k.padEnd(11)} ${mark(v)}`);
  if (r.rules.ok !== null) lines.push(`  ${'rules'.padEnd(11)} ${mark(r.rules.ok)}${r.rules.validUntil ? ` (until ${r.rules.validUntil})` : ''}`);
  return `${lines.join('\n')}\n`;
}

export interface CertCliEnv {
  /** the signer directory (<signingKeyDir>/dcc) */
  dir: string;
  clock: () => Date;
  /** the validity rules of test and recovery certificates (VIGIL_DCC_*_VALIDITY_HOURS) */
  rules: ValidityRules;
  retireGraceMs: number;
  /** the database's shared signer version, so running servers pick a change up without a restart */
  openSync(): Promise<{ sync: SignerSync; close(): Promise<void> }>;
}

/** `vigil cert signers list|rotate|retire`: the document signers in <signingKeyDir>/dcc. */
function signerCommands(cert: Command, env: () => CertCliEnv): void {
  const signers = cert.command('signers').description('EU DCC document signers (running servers pick a change up within VIGIL_DCC_SIGNER_REFRESH_SECONDS)');
  /** a change (rotate, retire) bumps the database's signer version; a look (list) needs no database */
  const withRing = async (work: (ring: import('./signer-ring').SignerRing) => Promise<void>, change = true) => {
    const { SignerRing } = await import('./signer-ring');
    const e = env();
    const db = change ? await e.openSync() : null;
    try {
      await work(await SignerRing.open(e.dir, e.clock, { sync: db?.sync, retireGraceMs: e.retireGraceMs }));
    } finally {
      await db?.close();
    }
  };
  const print = (ring: import('./signer-ring').SignerRing) => {
    for (const s of ring.list())
      process.stdout.write(`${s.kid}  created ${s.createdAt}  until ${s.notAfter}${s.retired ? `  retired (refused from ${s.refusedFrom})` : ''}${s.active ? '  (active)' : ''}\n`);
  };
  signers.command('list').action(() => withRing(async (ring) => print(ring), false));
  signers
    .command('rotate')
    .description('create a new document signer; the old ones stay in the trust list and keep verifying')
    .action(() =>
      withRing(async (ring) => {
        process.stdout.write(`New active signer ${await ring.rotate()}\n`);
        print(ring);
      }),
    );
  signers
    .command('retire')
    .description('stop trusting a signer (a compromised key) after VIGIL_DCC_RETIRE_GRACE_MINUTES; what it signed stops verifying')
    .argument('<kid>', 'the signer kid as `signers list` prints it')
    .action((kid: string) =>
      withRing(async (ring) => {
        if (!ring.list().some((s) => s.kid === kid)) throw new UsageError(`no signer with kid ${kid} (see vigil cert signers list)`);
        await ring.retire(kid);
        process.stdout.write(`Retired signer ${kid}\n`);
        print(ring);
      }).catch((err) => {
        if (!(err instanceof UsageError)) throw err;
        process.stderr.write(`vigil cert signers retire: ${err.message}\n`);
        process.exitCode = EXIT_USAGE;
      }),
    );
}

export function certCommand(program: Command, env: () => CertCliEnv): void {
  const cert = program.command('cert').description('EU DCC certificates');
  signerCommands(cert, env);
  certVerifyCommand(cert, () => env().rules);
}

/**
 * `cert verify` under `cert`. It needs no database and none of the server: the CLI's entry (bin/vigil.js) runs it
 * from verify-main.ts, which loads only this file's imports and the configuration.
 */
export function certVerifyCommand(cert: Command, rules: () => ValidityRules): void {
  cert
    .command('verify')
    .description('verify an EU DCC ("HC1:…") against trusted document signer certificates')
    .argument('<hc1>', 'the HC1 string, or - to read it from standard input')
    .requiredOption('--trust <file>', 'trusted signer(s): a PEM file, a base64 DER certificate, or a trust list JSON')
    .option('--at <iso-time>', 'validation clock (default: now)')
    .option('--json', 'print { valid, checks, payload, error } as JSON')
    .exitOverride((err: CommanderError) => {
      if (err.exitCode === 0) process.exit(0);
      process.exit(EXIT_USAGE);
    })
    .action((hc1: string, o: { trust: string; at?: string; json?: boolean }) => {
      try {
        const trust = readTrust(o.trust);
        const at = parseAt(o.at);
        const r = verifyAndJudge(readHc1(hc1), { trust, at, rules: rules() });
        process.stdout.write(o.json ? `${JSON.stringify(r, null, 2)}\n` : human(r));
        process.exitCode = r.valid ? EXIT_VALID : EXIT_INVALID;
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        process.stderr.write(`vigil cert verify: ${err.message}\n`);
        process.exitCode = EXIT_USAGE;
      }
    });
}
