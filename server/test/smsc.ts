// A small SMSC for tests and benchmarks, run as its own process: `node --import tsx server/test/smsc.ts [options]`.
// Built on npm `smpp`'s server. Prints one JSON line per happening on stdout ({"ev":"listening","port":…},
// {"ev":"bind",…}, {"ev":"submit",…}) and takes JSON commands on stdin ({"cmd":"mo","from":"84…","text":"STOP"},
// {"cmd":"receipt","id":"…","stat":"DELIVRD"}, {"cmd":"garbage"}).
// Options (env): SMSC_PORT (0: any), SMSC_SYSTEM_ID, SMSC_PASSWORD, SMSC_DELAY_MS (before each submit_sm_resp),
// SMSC_TPS (more submit_sm per second than this are answered ESME_RTHROTTLED), SMSC_RECEIPTS=0 (no receipts),
// SMSC_QUIET=1 (no submit lines; counts only, for benchmarks), SMSC_UNDELIVERABLE (destinations ending so: UNDELIV).
import readline from 'node:readline';
import smpp, { type PDU, type Session } from 'smpp';

const env = process.env;
const systemId = env.SMSC_SYSTEM_ID ?? 'vigil';
const password = env.SMSC_PASSWORD ?? 'secret';
const delayMs = Number(env.SMSC_DELAY_MS ?? 0);
const tps = Number(env.SMSC_TPS ?? 0);
const receipts = env.SMSC_RECEIPTS !== '0';
const quiet = env.SMSC_QUIET === '1';
const undeliverable = env.SMSC_UNDELIVERABLE ?? '';

const out = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);
const sessions = new Set<Session>();
let seq = 0;
let submits = 0;
const recent: number[] = []; // accepted submit_sm of the last second (sliding window)

function receipt(session: Session, id: string, dest: string, stat: string) {
  const text = `id:${id} sub:001 dlvrd:${stat === 'DELIVRD' ? '001' : '000'} submit date:2601010000 done date:2601010000 stat:${stat} err:${stat === 'DELIVRD' ? '000' : '001'} text:`;
  session.send(new smpp.PDU('deliver_sm', { source_addr: dest, destination_addr: 'VIGIL', esm_class: 0x04, short_message: { message: text } }) as unknown as PDU);
}

const server = smpp.createServer((session: Session) => {
  let bound = false;
  session.on('error', () => session.destroy());
  session.on('close', () => sessions.delete(session));
  session.on('bind_transceiver', (pdu: PDU) => {
    if (pdu.system_id !== systemId || pdu.password !== password) {
      out({ ev: 'bind', ok: false, systemId: pdu.system_id });
      session.send(pdu.response({ command_status: smpp.errors.ESME_RINVPASWD }));
      return;
    }
    bound = true;
    sessions.add(session);
    out({ ev: 'bind', ok: true, systemId: pdu.system_id });
    session.send(pdu.response({ system_id: 'TESTSMSC' }));
  });
  session.on('enquire_link', (pdu: PDU) => session.send(pdu.response()));
  session.on('unbind', (pdu: PDU) => {
    session.send(pdu.response());
    session.close();
  });
  session.on('submit_sm', (pdu: PDU) => {
    if (!bound) return session.send(pdu.response({ command_status: smpp.errors.ESME_RINVBNDSTS }));
    const now = Date.now();
    while (recent.length && recent[0]! <= now - 1000) recent.shift();
    if (tps && recent.length >= tps) {
      if (!quiet) out({ ev: 'throttled' });
      return session.send(pdu.response({ command_status: smpp.errors.ESME_RTHROTTLED }));
    }
    recent.push(now);
    const id = `M${(++seq).toString(16).padStart(8, '0')}`;
    submits++;
    const sm = pdu.short_message as { udh?: Buffer[]; message: string | Buffer };
    const dest = String(pdu.destination_addr);
    if (!quiet) {
      const udh = sm.udh?.[0];
      out({
        ev: 'submit',
        id,
        dest,
        source: pdu.source_addr,
        sourceTon: pdu.source_addr_ton,
        dataCoding: pdu.data_coding,
        text: typeof sm.message === 'string' ? sm.message : sm.message.toString('hex'),
        concat: udh ? { ref: udh[2], total: udh[3], seq: udh[4] } : null,
        at: now,
      });
    }
    const answer = () => {
      session.send(pdu.response({ message_id: id }));
      if (receipts && pdu.registered_delivery) {
        setImmediate(() => receipt(session, id, dest, undeliverable && dest.endsWith(undeliverable) ? 'UNDELIV' : 'DELIVRD'));
      }
    };
    if (delayMs) setTimeout(answer, delayMs);
    else answer();
  });
});

server.listen(Number(env.SMSC_PORT ?? 0), '127.0.0.1', () => {
  out({ ev: 'listening', port: (server.address() as { port: number }).port });
});

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  let cmd: { cmd: string; from?: string; text?: string; id?: string; stat?: string; dest?: string };
  try {
    cmd = JSON.parse(line);
  } catch {
    return;
  }
  for (const s of sessions) {
    if (cmd.cmd === 'mo') s.send(new smpp.PDU('deliver_sm', { source_addr_ton: 1, source_addr: cmd.from, destination_addr: 'VIGIL', esm_class: 0, short_message: { message: cmd.text } }) as unknown as PDU);
    if (cmd.cmd === 'receipt') receipt(s, cmd.id!, cmd.dest ?? '', cmd.stat ?? 'DELIVRD');
    if (cmd.cmd === 'garbage') s.socket.write(Buffer.from([0, 0, 0, 8, 0xff, 0xff, 0xff, 0xff])); // a PDU length below the header size
  }
  if (cmd.cmd === 'count') out({ ev: 'count', submits });
  out({ ev: 'done', cmd: cmd.cmd });
});

const stop = () => {
  for (const s of sessions) s.destroy();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 500).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
