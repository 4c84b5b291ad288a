// CPU time of the benchmarked processes, the figure that survives a shared, loaded box better than throughput.
import path from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import pg from 'pg';
import fs from 'node:fs';
import { childPids, postgresCpuMs as postgresTreeCpuMs, postmasterPid, procCpuMs } from '../server/src/platform/proc';

/** /proc/<pid>/stat's fields (server/src/platform/proc.ts: one parser for benches, profile and tests). */
export { procStat } from '../server/src/platform/proc';

/** CPU time (ms, user + system) of the embedded PostgreSQL: the postmaster and all its children (backends, WAL writer, …). */
export function postgresCpuMs(dataDir: string): number {
  let pid: number;
  try {
    pid = postmasterPid(path.join(dataDir, 'pg'));
  } catch {
    return NaN;
  }
  return postgresTreeCpuMs(pid);
}

const BACKGROUND = /^postgres: (checkpointer|background writer|walwriter|autovacuum|logical replication|archiver|startup|walsender|walreceiver)/;

/**
 * The embedded PostgreSQL's CPU (ms) so far, whole and per live client connection (backend pid → ms), for
 * postgresCpuSplit: a path's CPU split into its connections' statements and the rest.
 */
export function postgresCpuSample(dataDir: string): { total: number; backends: Map<number, number> } {
  let pid: number;
  try {
    pid = postmasterPid(path.join(dataDir, 'pg'));
  } catch {
    return { total: NaN, backends: new Map() };
  }
  let total = procCpuMs(pid, { reaped: true }) ?? 0;
  const backends = new Map<number, number>();
  for (const c of childPids(pid)) {
    let title = '';
    try {
      title = fs.readFileSync(`/proc/${c}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    } catch {
      continue; // ended meanwhile: its time is reaped into the postmaster's
    }
    const ms = procCpuMs(c) ?? 0;
    total += ms;
    if (!BACKGROUND.test(title)) backends.set(c, ms);
  }
  return { total, backends };
}

/**
 * PostgreSQL's CPU between two samples in two parts: `backends`, what the client connections alive at the end spent
 * (the statements themselves: parsing, executing, committing); `other`, the rest: WAL writer, checkpointer,
 * background writer, autovacuum workers (they end after each table; their time is the postmaster's reaped time),
 * and any connection that closed meanwhile. So a path that happens to run while autovacuum catches up on an earlier
 * path's rows is told apart from its own statements' cost.
 */
export function postgresCpuSplit(a: ReturnType<typeof postgresCpuSample>, b: ReturnType<typeof postgresCpuSample>): { backends: number; other: number } {
  let backends = 0;
  for (const [pid, ms] of b.backends) backends += ms - (a.backends.get(pid) ?? 0);
  return { backends, other: b.total - a.total - backends };
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

/**
 * Milliseconds of garbage-collection pauses in this process since the first call (every pause V8 reports through
 * perf_hooks: scavenges of the young generation, mark-compacts), so a bench can print GC per operation. Wall time of
 * the pauses, not CPU: on a loaded box a pause also lasts while the thread waits for a core.
 */
export function gcMs(): number {
  if (!gcObserver) {
    gcObserver = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) gcTotal += e.duration;
    });
    gcObserver.observe({ entryTypes: ['gc'] });
  }
  return gcTotal;
}
let gcObserver: PerformanceObserver | null = null;
let gcTotal = 0;
