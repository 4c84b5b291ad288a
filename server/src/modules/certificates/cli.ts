// `vigil cert verify`: the verifier as a command. Needs no database: the trust anchors come from a file.
// Exit codes: 0 valid, 1 invalid, 2 usage (bad option, unreadable trust file, no input).
import fs from 'node:fs';
import type { Command, CommanderError } from 'commander';
import { verifyHc1 } from './verify';
import { parseTrust, TrustError } from './trust';

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

function human(r: ReturnType<typeof verifyHc1>): string {
  const mark = (v: boolean | null) => (v === true ? 'ok' : v === false ? 'FAILED' : '-');
  const lines = [r.valid ? 'VALID' : `INVALID: ${r.error}`];
  for (const [k, v] of Object.entries(r.checks)) lines.push(`  ${k.padEnd(11)} ${mark(v)}`);
  return `${lines.join('\n')}\n`;
}

/** `vigil cert signers list|rotate`: the document signers in <signingKeyDir>/dcc (no database needed). */
function signerCommands(cert: Command, signerDir: () => { dir: string; clock: () => Date }): void {
  const signers = cert.command('signers').description('EU DCC document signers (restart the server after a rotation)');
  const open = async () => {
    const { SignerRing } = await import('./signer-ring');
    const { dir, clock } = signerDir();
    return SignerRing.open(dir, clock);
  };
  const print = (ring: Awaited<ReturnType<typeof open>>) => {
    for (const s of ring.list())
      process.stdout.write(`${s.kid}  created ${s.createdAt}  until ${s.notAfter}${s.retired ? '  retired' : ''}${s.active ? '  (active)' : ''}\n`);
  };
  signers.command('list').action(async () => print(await open()));
  signers
    .command('rotate')
    .description('create a new document signer; the old ones stay in the trust list and keep verifying')
    .action(async () => {
      const ring = await open();
      process.stdout.write(`New active signer ${await ring.rotate()}\n`);
      print(ring);
    });
}

export function certCommand(program: Command, signerDir: () => { dir: string; clock: () => Date }): void {
  const cert = program.command('cert').description('EU DCC certificates');
  signerCommands(cert, signerDir);
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
        const r = verifyHc1(readHc1(hc1), { trust, at });
        process.stdout.write(o.json ? `${JSON.stringify(r, null, 2)}\n` : human(r));
        process.exitCode = r.valid ? EXIT_VALID : EXIT_INVALID;
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        process.stderr.write(`vigil cert verify: ${err.message}\n`);
        process.exitCode = EXIT_USAGE;
      }
    });
}
