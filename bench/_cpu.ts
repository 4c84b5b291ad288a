// CPU time of a benchmark's processes: on a shared box CPU per operation survives load far better than wall time.
import fs from 'node:fs';
import path from 'node:path';

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
      const f = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = f.slice(f.lastIndexOf(')') + 2).split(' '); // fields from #3 (state) on
      if (Number(d) === pid || Number(fields[1]) === pid) ms += (Number(fields[11]) + Number(fields[12])) * tick;
      // backends that ended (idle pool connections closed) live on in the postmaster's children's times
      if (Number(d) === pid) ms += (Number(fields[13]) + Number(fields[14])) * tick;
    } catch {
      // process ended meanwhile
    }
  }
  return ms;
}

/** CPU time of the server process (all threads: event loop, libuv pool, GC), ms. */
export const serverCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
