// VIGIL_IMPORT_PROFILE=1: every statement of an import's transaction is timed on stderr (no data, the SQL's start only):
// wall time, and the CPU the PostgreSQL backend spent on it (from /proc/<backend pid>/stat, when the database runs on
// this machine: the figure that survives a loaded box, unlike the wall time).
import type { Tx } from '../../platform/db/types';
import { procCpuMs as cpuMsOf } from '../../platform/proc';

const PROFILE = !!process.env.VIGIL_IMPORT_PROFILE;
const EXPLAIN = process.env.VIGIL_IMPORT_PROFILE === 'explain';
export function profiled(tx: Tx): Tx {
  if (!PROFILE) return tx;
  const ex = tx.getExecutor();
  let backend: Promise<number | null> | undefined;
  const timed = new Proxy(ex, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target);
      if (prop !== 'executeQuery') return typeof v === 'function' ? v.bind(target) : v;
      return async (q: { sql: string; parameters: readonly unknown[]; query: unknown; queryId: unknown }, ...rest: unknown[]) => {
        // VIGIL_IMPORT_PROFILE=explain: each statement's plan with its times and buffers first (in a savepoint rolled
        // back, so the statement then runs for real once)
        if (EXPLAIN && /^\s*(with|select|insert|update|delete|create temp table \w+ on commit drop as)/i.test(q.sql) && !/pg_notify|for update/.test(q.sql)) {
          const raw = (text: string, parameters: readonly unknown[] = []) => (v as (...a: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>).call(target, { ...q, sql: text, parameters }, ...rest);
          const body = q.sql.replace(/^\s*create temp table \w+ on commit drop as/i, '');
          await raw('savepoint vigil_explain');
          const plan = await raw(`explain (analyze, buffers) ${body}`, q.parameters);
          await raw('rollback to savepoint vigil_explain');
          process.stderr.write(`${plan.rows.map((r) => Object.values(r)[0]).join('\n')}\n`);
        }
        const call = (text: string) => (v as (...a: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>).call(target, { ...q, sql: text, parameters: [] }, ...rest);
        backend ??= call('select pg_backend_pid() as pid').then((x) => Number(x.rows[0]!.pid), () => null);
        const pid = await backend;
        const c0 = cpuMsOf(pid);
        const t0 = performance.now();
        const r = await (v as (...a: unknown[]) => unknown).call(target, q, ...rest);
        const c1 = cpuMsOf(pid);
        const cpu = c0 !== null && c1 !== null ? `${String(c1 - c0).padStart(6)} ms CPU` : '';
        process.stderr.write(`${(performance.now() - t0).toFixed(0).padStart(6)} ms ${cpu}  ${q.sql.replace(/\s+/g, ' ').slice(0, 100)}\n`);
        return r;
      };
    },
  });
  return new Proxy(tx, {
    get(target, prop) {
      if (prop === 'getExecutor') return () => timed;
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}


/** A step outside the statements (COPY of the staging lines, with the parsing of the lines it streams), timed the same way. */
export async function profiledStep<T>(label: string, fn: () => Promise<T>): Promise<T> {
  if (!PROFILE) return fn();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const out = await fn();
  const c = process.cpuUsage(c0);
  process.stderr.write(`${(performance.now() - t0).toFixed(0).padStart(6)} ms  ${label} (this process: ${((c.user + c.system) / 1000).toFixed(0)} ms CPU)\n`);
  return out;
}
