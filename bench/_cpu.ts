// CPU time of the benchmarked processes, the figure that survives a shared, loaded box better than throughput.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';

/**
 * The fields of /proc/<pid>/stat from #3 (state) on: [0] state, [1] ppid, [11] utime, [12] stime, [13] cutime,
 * [14] cstime (ticks of CLK_TCK = 100). The command name (#2) may hold spaces, so the fields are read after its ')'.
 * Throws when the process has ended.
 */
export function procStat(pid: number | string): string[] {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return f.slice(f.lastIndexOf(')') + 2).split(' ');
}

/** CPU time (ms, user + system) of the embedded PostgreSQL: the postmaster and all its children (backends, WAL writer, …). */
export function postgresCpuMs(dataDir: string): number {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return NaN;
  }
  const tick = 1000 / 100; // CLK_TCK
  let ms = 0;
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const fields = procStat(d);
      if (Number(d) === pid || Number(fields[1]) === pid) ms += (Number(fields[11]) + Number(fields[12])) * tick;
      // backends that ended (idle pool connections closed) live on in the postmaster's children's times
      if (Number(d) === pid) ms += (Number(fields[13]) + Number(fields[14])) * tick;
    } catch {
      // process ended meanwhile
    }
  }
  return ms;
}

/** CPU time of this (server) process (all threads: event loop, libuv pool, GC), ms. */
export const serverCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Server and PostgreSQL CPU spent between start() and the returned function's call. */
export function cpuMeter(dataDir: string) {
  const s0 = serverCpuMs();
  const p0 = postgresCpuMs(dataDir);
  return () => ({ serverMs: serverCpuMs() - s0, pgMs: postgresCpuMs(dataDir) - p0 });
}

/** Starts a CPU profile of this process (inspector); the returned function stops it and gives the .cpuprofile object. */
export async function startProfile(): Promise<() => Promise<object>> {
  const { Session } = await import('node:inspector');
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params ?? {}, (err, r) => (err ? reject(err) : resolve(r))));
  await post('Profiler.enable');
  await post('Profiler.start');
  return async () => {
    const r = (await post('Profiler.stop')) as { profile: object };
    session.disconnect();
    return r.profile;
  };
}

/** Counts the statements sent to PostgreSQL (every pool client's query) until restore(): round trips per operation. */
export function countQueries() {
  const proto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown };
  const orig = proto.query;
  const counter = { n: 0, restore: () => void (proto.query = orig) };
  proto.query = function (this: unknown, ...a: unknown[]) {
    counter.n++;
    return orig.apply(this, a);
  };
  return counter;
}
