// `vigil cert verify` as a program of its own. The command reads a certificate and a trust file and needs no
// database and none of the server, yet through main.ts every run loaded the whole app (all modules, fastify,
// pg-boss, exceljs, pdfkit…: ≈ 2.2 s of CPU per run, most of the certificate CLI tests' time). bin/vigil.js runs this
// file instead for `vigil cert verify …`; the command itself is the same function main.ts registers (cli.ts).
import { Command } from 'commander';
import { ConfigError, loadConfig } from '../../config';
import { certVerifyCommand } from './cli';
import { validityRulesOf } from './verify';

const program = new Command().name('vigil').showHelpAfterError();
const cert = program.command('cert').description('EU DCC certificates');
certVerifyCommand(cert, () => validityRulesOf(loadConfig()));

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`vigil: ${err instanceof ConfigError ? err.message : ((err as Error)?.stack ?? String(err))}\n`);
  process.exit(1);
});
