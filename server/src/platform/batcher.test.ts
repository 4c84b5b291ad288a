import { describe, expect, it } from 'vitest';
import { Batcher, BatcherFullError, mapLimit } from './batcher';

/** A promise plus its resolve function (to hold a write open until the test lets it finish). */
function gate() {
  let open!: () => void;
  const p = new Promise<void>((r) => (open = r));
  return { p, open };
}

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

  it('respects maxRows and maxConcurrent', async () => {
    let inFlight = 0;
    let maxSeen = 0;
    const b = new Batcher<number, number>({
      maxRows: 3,
      maxConcurrent: 2,
      maxWaitMs: 1,
      write: async (rows) => {
        inFlight++;
        maxSeen = Math.max(maxSeen, inFlight);
        await new Promise((r) => setImmediate(r));
        inFlight--;
        return rows;
      },
    });
    const out = await Promise.all(Array.from({ length: 20 }, (_, i) => b.add([i]).then((r) => r[0])));
    expect(maxSeen).toBe(2);
    expect(b.stats.maxBatch).toBe(3);
    expect(out).toEqual(Array.from({ length: 20 }, (_, i) => i));
    await b.drain();
  });

  it('a row-caused failure fails only the callers of the bad rows; the others are written and acknowledged', async () => {
    const written: number[] = [];
    const writes: number[][] = [];
    const b = new Batcher<number, number>({
      maxWaitMs: 5,
      isolatable: (err) => (err as Error).message === 'bad row',
      write: async (rows) => {
        writes.push(rows);
        if (rows.includes(13) || rows.includes(31)) throw new Error('bad row'); // one atomic statement: nothing written
        written.push(...rows);
        return rows.map((r) => r * 2);
      },
    });
    // 40 callers in one batch; caller 13 and caller 31 (two rows: 30, 31) send a bad row
    const out = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i === 30 ? null : b.add(i === 31 ? [30, 31] : [i]))).map((p) => p?.then((r) => r, (e: Error) => e.message)),
    );
    expect(writes[0]!.length).toBe(40);
    expect(out[13]).toBe('bad row');
    expect(out[31]).toBe('bad row');
    for (let i = 0; i < 40; i++) if (i !== 13 && i !== 30 && i !== 31) expect(out[i]).toEqual([i * 2]);
    expect(written.sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i).filter((i) => i !== 13 && i !== 30 && i !== 31));
    // a caller's rows are never split across writes
    for (const w of writes) expect(w.includes(30)).toBe(w.includes(31));
    expect(b.stats.retries).toBeGreaterThan(0);
  });

  it('an error of the database itself rejects the whole batch at once (no retry storm)', async () => {
    let calls = 0;
    const b = new Batcher<number, number>({
      maxWaitMs: 5,
      isolatable: (err) => (err as Error).message === 'bad row',
      write: async () => {
        calls++;
        throw new Error('connection terminated');
      },
    });
    const out = await Promise.all(Array.from({ length: 10 }, (_, i) => b.add([i]).then(() => 'ok', (e: Error) => e.message)));
    expect(out).toEqual(Array(10).fill('connection terminated'));
    expect(calls).toBe(1);
  });

  it('bounds the queue: beyond maxQueuedRows an add is refused at once with a retry-after estimate', async () => {
    const hold = gate();
    const b = new Batcher<number, number>({
      maxRows: 10,
      maxConcurrent: 1,
      maxWaitMs: 0,
      maxQueuedRows: 20,
      write: async (rows) => (await hold.p, rows),
    });
    const first = b.add([0]); // taken by the one flush slot, which stays busy
    await new Promise((r) => setTimeout(r, 5));
    const waiting = Array.from({ length: 20 }, (_, i) => b.add([i + 1]));
    expect(b.queued).toBe(20);
    const refused = await b.add([99]).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(BatcherFullError);
    expect((refused as BatcherFullError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(b.stats.refused).toBe(1);
    hold.open();
    expect(await first).toEqual([0]);
    expect((await Promise.all(waiting)).flat()).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    // room again once the backlog is written
    expect(await b.add([7])).toEqual([7]);
  });

  describe('eager (flush at once when idle, grow the batch while one is written)', () => {
    const turn = () => new Promise((r) => setImmediate(r));

    it('writes at the end of the event-loop turn when nothing is being written, without waiting maxWaitMs', async () => {
      const batches: number[][] = [];
      const b = new Batcher<number, number>({ eager: true, maxWaitMs: 60_000, write: async (rows) => (batches.push(rows), rows) });
      const all = Promise.all([b.add([1]), b.add([2, 3])]); // the same turn: one batch
      await turn();
      expect(batches).toEqual([[1, 2, 3]]); // written already, 60 s before the timer would have
      expect(await all).toEqual([[1], [2, 3]]);
      expect(batches).toEqual([[1, 2, 3]]);
    });

    it('while a flush is written, later rows wait for it (one batch of them) and then go at once', async () => {
      const held = gate();
      const batches: number[][] = [];
      const b = new Batcher<number, number>({
        eager: true,
        maxConcurrent: 2,
        maxWaitMs: 60_000,
        write: async (rows) => {
          batches.push(rows);
          if (batches.length === 1) await held.p;
          return rows;
        },
      });
      const first = b.add([1]);
      await turn();
      expect(b.writing).toBe(1);
      const later = [b.add([2]), b.add([3]), b.add([4])];
      await turn();
      await turn();
      expect(batches).toEqual([[1]]); // a free slot, but no timer yet: the rows wait for the flush being written
      expect(b.queued).toBe(3);
      held.open();
      expect(await first).toEqual([1]);
      expect(await Promise.all(later)).toEqual([[2], [3], [4]]);
      expect(batches).toEqual([[1], [2, 3, 4]]);
    });

    it('when one of two flushes finishes, the rows waiting go with the next free moment of the writer, not beside the other flush', async () => {
      const held = [gate(), gate()];
      const batches: number[][] = [];
      const b = new Batcher<number, number>({
        eager: true,
        maxRows: 2,
        maxConcurrent: 2,
        maxWaitMs: 60_000,
        write: async (rows) => {
          const i = batches.push(rows) - 1;
          if (i < 2) await held[i]!.p;
          return rows;
        },
      });
      const a = b.add([1, 2]); // maxRows: at once
      const c = b.add([3, 4]); // the second slot
      expect(b.writing).toBe(2);
      const later = b.add([5]);
      held[0]!.open();
      expect(await a).toEqual([1, 2]);
      await turn();
      await turn();
      expect(batches.length).toBe(2); // [5] waits for the flush still being written
      held[1]!.open();
      expect(await c).toEqual([3, 4]);
      expect(await later).toEqual([5]);
      expect(batches).toEqual([[1, 2], [3, 4], [5]]);
    });

    it('maxWaitMs opens another slot when a flush takes long', async () => {
      const held = gate();
      const b = new Batcher<number, number>({
        eager: true,
        maxConcurrent: 2,
        maxWaitMs: 5,
        write: async (rows) => {
          if (rows[0] === 1) await held.p;
          return rows;
        },
      });
      const first = b.add([1]);
      await turn();
      expect(b.writing).toBe(1);
      expect(await b.add([2])).toEqual([2]); // written beside the held flush once maxWaitMs passed
      held.open();
      expect(await first).toEqual([1]);
    });
  });
});

describe('mapLimit', () => {
  it('runs at most `limit` calls at once and keeps the input order', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapLimit(
      Array.from({ length: 50 }, (_, i) => i),
      4,
      async (x) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setImmediate(r));
        running--;
        return x * 3;
      },
    );
    expect(peak).toBe(4);
    expect(out).toEqual(Array.from({ length: 50 }, (_, i) => i * 3));
  });
});
