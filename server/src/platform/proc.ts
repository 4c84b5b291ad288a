// /proc/<pid>/stat on Linux, read in one place: CPU time of a process (the figure the benchmarks and the import
// profile report, as it survives a loaded box better than wall time), its parent, whether it still runs, and the
// CPU of a whole embedded PostgreSQL (postmaster and backends). Used by bench/, testing/profile.ts and tests.
import fs from 'node:fs';
import path from 'node:path';

/** Clock ticks per second of utime/stime (USER_HZ, 100 on Linux). */
const CLK_TCK = 100;

/**
 * The fields of /proc/<pid>/stat from #3 (state) on: [0] state, [1] ppid, [11] utime, [12] stime, [13] cutime,
 * [14] cstime. The command name (#2) may hold spaces and parentheses, so the fields are read after its last ')'.
 * Throws when the process has ended.
 */
export function procStat(pid: number | string): string[] {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return f.slice(f.lastIndexOf(')') + 2).split(' ');
}

/** CPU ms (user + system) of a process so far; `reaped`: with its ended children's. Null when it cannot be read. */
export function procCpuMs(pid: number | null, o: { reaped?: boolean } = {}): number | null {
  if (!pid) return null;
  try {
    const f = procStat(pid);
    const ticks = Number(f[11]) + Number(f[12]) + (o.reaped ? Number(f[13]) + Number(f[14]) : 0);
    return ticks * (1000 / CLK_TCK);
  } catch {
    return null;
  }
}

/** Live processes whose parent is `pid`. */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (Number(procStat(d)[1]) === pid) out.push(Number(d));
    } catch {
      // ended meanwhile
    }
  }
  return out;
}

/** Running, not a zombie (an ended process whose parent has not reaped it yet). */
export function procAlive(pid: number): boolean {
  try {
    return procStat(pid)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** The postmaster's pid from a PostgreSQL data directory's postmaster.pid; throws when there is none. */
export function postmasterPid(pgDataDir: string): number {
  return Number(fs.readFileSync(path.join(pgDataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

/**
 * CPU ms of a PostgreSQL running here: the postmaster, its ended backends (their time lives on in its cutime/cstime)
 * and its live children (backends, WAL writer, …).
 */
export function postgresCpuMs(postmaster: number): number {
  let ms = procCpuMs(postmaster, { reaped: true }) ?? 0;
  for (const c of childPids(postmaster)) ms += procCpuMs(c) ?? 0;
  return ms;
}

/** CPU ms (user + system) of the calling thread so far (/proc/thread-self: the event loop, or a worker thread's own); null off Linux. */
export function threadCpuMs(): number | null {
  try {
    const f = procStat('thread-self');
    return (Number(f[11]) + Number(f[12])) * (1000 / CLK_TCK);
  } catch {
    return null;
  }
}
