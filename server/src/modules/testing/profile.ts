// VIGIL_IMPORT_PROFILE=1: every statement of an import's transaction is timed on stderr (no data, the SQL's start only).
import type { Tx } from '../../platform/db/types';

const PROFILE = !!process.env.VIGIL_IMPORT_PROFILE;
const EXPLAIN = process.env.VIGIL_IMPORT_PROFILE === 'explain';
export function profiled(tx: Tx): Tx {
  if (!PROFILE) return tx;
  const ex = tx.getExecutor();
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
        const t0 = performance.now();
        const r = await (v as (...a: unknown[]) => unknown).call(target, q, ...rest);
        process.stderr.write(`${(performance.now() - t0).toFixed(0)} ms  ${q.sql.replace(/\s+/g, ' ').slice(0, 100)}\n`);
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

