// lib/offlineQueue, the queue of the gate and the sampling page, on a stand-in for the phone's storage: items are
// stored with client ids before anything is sent, kept while the network is down, sent once when it returns (two
// timers racing share one sync), dropped only when answered, still there after a reload (a new queue on the same
// storage), a malformed item dropped with its refusal so the rest go, and an answered item a page wants kept stays.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../src/lib/api';
import { offlineQueue, type OfflineQueueOptions } from '../src/lib/offlineQueue';

interface Item {
  clientId: string;
  n: number;
}
interface Answer {
  clientId: string;
  status: string;
}

let store: Map<string, string>;
beforeEach(() => {
  store = new Map();
  vi.stubGlobal('localStorage', { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v), removeItem: (k: string) => void store.delete(k) });
  vi.stubGlobal('navigator', { onLine: true }); // no Web Locks here: the shared promise alone
});
afterEach(() => vi.unstubAllGlobals());

const offline = () => new ApiError(0, 'NETWORK', 'offline');
function queue(send: OfflineQueueOptions<Item, Answer>['send'], extra: Partial<OfflineQueueOptions<Item, Answer>> = {}) {
  return offlineQueue<Item, Answer>({ key: 'test.queue', lock: 'test.sync', batch: 2, send, rejected: (bad, e) => ({ clientId: bad.clientId, status: `rejected:${e.code}` }), ...extra });
}

describe('offline queue', () => {
  it('stores items with client ids, keeps them offline, sends each once when the network returns, survives a reload', async () => {
    let up = false;
    const sent: string[] = [];
    const send = vi.fn(async (items: Item[]) => {
      if (!up) throw offline();
      await new Promise((r) => setTimeout(r, 5)); // an answer takes a while: a second timer fires meanwhile
      sent.push(...items.map((i) => i.clientId));
      return items.map((i) => ({ clientId: i.clientId, status: 'created' }));
    });
    const q = queue(send);
    const a = q.add({ n: 1 });
    const b = q.add({ n: 2 });
    const c = q.add({ n: 3 });
    expect(new Set([a.clientId, b.clientId, c.clientId]).size).toBe(3);
    expect(a.clientId).toMatch(/^[0-9a-f-]{36}$/);

    expect(await q.sync()).toEqual({ error: expect.any(ApiError), offline: true });
    expect(q.read()).toHaveLength(3);

    // the page is reloaded: a new queue over the same storage finds the three
    const again = queue(send);
    expect(again.read().map((i) => i.n)).toEqual([1, 2, 3]);

    up = true;
    const [r1, r2] = await Promise.all([again.sync(), again.sync()]); // 'online' event and the timer together
    expect(r1).toBe(r2);
    expect(sent.sort()).toEqual([a.clientId, b.clientId, c.clientId].sort()); // each once, in batches of 2
    expect(again.read()).toEqual([]);
    expect(await again.sync()).toEqual({ sent: 0, results: [] });
    expect(sent).toHaveLength(3);
  });

  it('drops only what was answered; a malformed item goes with its refusal and the rest are sent', async () => {
    const q = queue(async (items) => {
      const bad = items.findIndex((i) => i.n === 2);
      if (bad >= 0) throw new ApiError(400, 'VALIDATION', 'bad item', [{ path: `body.items[${bad}].n`, message: 'bad' }]);
      // the server answers for the first item only
      return [{ clientId: items[0]!.clientId, status: 'created' }];
    });
    q.add({ n: 1 });
    const two = q.add({ n: 2 });
    q.add({ n: 3 });
    const r = await q.sync();
    expect('results' in r && r.results.find((x) => x.clientId === two.clientId)?.status).toBe('rejected:VALIDATION');
    expect(q.read().map((i) => i.n)).toEqual([]);
  });

  it('keeps an answered item the page wants sent again, without looping on it', async () => {
    let calls = 0;
    const q = queue(
      async (items) => {
        calls++;
        return items.map((i) => ({ clientId: i.clientId, status: i.n === 1 ? 'waiting' : 'created' }));
      },
      { keep: (_item, r) => r.status === 'waiting' },
    );
    q.add({ n: 1 });
    q.add({ n: 2 });
    const r = await q.sync();
    expect('results' in r && r.results.map((x) => x.status)).toEqual(['created']);
    expect(q.read().map((i) => i.n)).toEqual([1]);
    expect(calls).toBe(1);
  });
});
