import { describe, expect, it } from 'vitest';
import { Batcher } from './batcher';

describe('group-commit batcher', () => {
  it('writes concurrent adds together and resolves each caller with its own results', async () => {
    const batches: number[][] = [];
    const b = new Batcher<number, number>({ maxWaitMs: 5, write: async (rows) => (batches.push(rows), rows.map((r) => r * 10)) });
    const [a, c, d] = await Promise.all([b.add([1, 2]), b.add([3]), b.add([4, 5, 6])]);
    expect(a).toEqual([10, 20]);
    expect(c).toEqual([30]);
    expect(d).toEqual([40, 50, 60]);
    expect(batches).toEqual([[1, 2, 3, 4, 5, 6]]);
  });

  it('respects maxRows and maxConcurrent, and rejects only the callers of a failed write', async () => {
    let inFlight = 0;
    let maxSeen = 0;
    const b = new Batcher<number, number>({
      maxRows: 3,
      maxConcurrent: 2,
      maxWaitMs: 1,
      write: async (rows) => {
        inFlight++;
        maxSeen = Math.max(maxSeen, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        if (rows.includes(13)) throw new Error('boom');
        return rows;
      },
    });
    const all = Array.from({ length: 20 }, (_, i) => b.add([i]).then((r) => r[0], () => 'failed'));
    const out = await Promise.all(all);
    expect(maxSeen).toBeLessThanOrEqual(2);
    expect(b.stats.maxBatch).toBeLessThanOrEqual(3);
    const failed = out.filter((x) => x === 'failed').length;
    expect(failed).toBeGreaterThanOrEqual(1);
    expect(failed).toBeLessThanOrEqual(3);
    expect(out[13]).toBe('failed');
    expect(out[0]).toBe(0);
    await b.drain();
  });
});
