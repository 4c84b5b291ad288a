// The offline queue of field pages (the venue gate, the sampling page): every item is stored on the device
// (localStorage) with a client-generated id and its time before anything is sent, and removed only when the server
// has answered for it. Re-sending is safe (the server counts a client id once), and only one sync runs at a time, in
// this tab (a shared promise) and across tabs of the same browser (Web Locks where the browser has them), so an item
// is never sent twice by two timers racing. `useOfflineQueue` (React) sends when the network returns, retries
// periodically, never while the browser says it is offline, and keeps the count the page shows.
import { useCallback, useEffect, useRef, useState } from 'react';
import { isApiError, type ApiError } from './api';

export function uuid(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export interface Queued {
  clientId: string;
}

export type SyncOutcome<R> = { sent: number; results: R[] } | { error: unknown; offline: boolean };

export interface OfflineQueueOptions<T extends Queued, R extends Queued> {
  /** localStorage key */
  key: string;
  /** Web Locks name (one sync across the browser's tabs) */
  lock: string;
  /** items per request */
  batch: number;
  /** one request: the server's answer per client id (items it names no answer for stay queued) */
  send(items: T[]): Promise<R[]>;
  /** an answered item that stays queued anyway, to be sent again with the next sync (the gate's early exits) */
  keep?(item: T, result: R, now: number): boolean;
  /** the answer for an item the server refused whole as malformed (400 naming items[i]): it is dropped */
  rejected(item: T, error: ApiError): R;
}

export interface OfflineQueue<T extends Queued, R extends Queued> {
  read(): T[];
  /** stores the item with a new client id (its time is the caller's field) and returns it */
  add(item: Omit<T, 'clientId'>): T;
  /** sends the queue in batches; keeps the items on any failure to reach the server; one sync at a time */
  sync(): Promise<SyncOutcome<R>>;
}

export function offlineQueue<T extends Queued, R extends Queued>(o: OfflineQueueOptions<T, R>): OfflineQueue<T, R> {
  const read = (): T[] => {
    try {
      const raw = localStorage.getItem(o.key);
      const v = raw ? (JSON.parse(raw) as unknown) : [];
      return Array.isArray(v) ? (v as T[]) : [];
    } catch {
      return [];
    }
  };
  const write = (q: T[]) => localStorage.setItem(o.key, JSON.stringify(q));

  async function doSync(): Promise<SyncOutcome<R>> {
    const results: R[] = [];
    const kept = new Set<string>();
    let sent = 0;
    for (;;) {
      const batch = read()
        .filter((s) => !kept.has(s.clientId))
        .slice(0, o.batch);
      if (!batch.length) return { sent, results };
      try {
        const answers = await o.send(batch);
        const byId = new Map(batch.map((s) => [s.clientId, s]));
        const now = Date.now();
        const answered = new Set<string>();
        for (const r of answers) {
          const item = byId.get(r.clientId);
          if (!item) continue;
          if (o.keep?.(item, r, now)) kept.add(r.clientId);
          else {
            answered.add(r.clientId);
            results.push(r);
          }
        }
        write(read().filter((s) => !answered.has(s.clientId)));
        sent += answered.size;
        // an answer that names none of them: try again later, not in a loop
        if (!answered.size && !answers.some((r) => kept.has(r.clientId))) return { sent, results };
      } catch (error) {
        const offline = isApiError(error) && error.status === 0;
        if (!offline && isApiError(error) && error.status === 400) {
          // the whole request was refused for one malformed item (named in the error): drop it so the rest can go
          const m = /items(?:[./]|\[)(\d+)/.exec(error.details[0]?.path ?? '');
          const bad = batch[m ? Number(m[1]) : 0] ?? batch[0]!;
          write(read().filter((s) => s.clientId !== bad.clientId));
          results.push(o.rejected(bad, error));
          continue;
        }
        return { error, offline };
      }
    }
  }

  let syncing: Promise<SyncOutcome<R>> | null = null;
  return {
    read,
    add(item) {
      const full = { ...item, clientId: uuid() } as T;
      write([...read(), full]);
      return full;
    },
    sync() {
      if (!syncing) {
        const locks = typeof navigator !== 'undefined' && 'locks' in navigator ? navigator.locks : null;
        // (the lock's answer is doSync's: promises flatten, whatever the DOM typings say)
        const run = locks ? (locks.request(o.lock, doSync) as unknown as Promise<SyncOutcome<R>>) : doSync();
        syncing = run.finally(() => (syncing = null));
      }
      return syncing;
    },
  };
}

/**
 * A page's side of a queue: the number waiting, online or not, a sync when the network returns and every
 * `retryMs`; `onSynced` gets each sync's answers (or its error) to update what the page shows.
 */
export function useOfflineQueue<T extends Queued, R extends Queued>(queue: OfflineQueue<T, R>, onSynced: (outcome: SyncOutcome<R>) => void, retryMs = 4000) {
  const [queued, setQueued] = useState(() => queue.read().length);
  const [online, setOnline] = useState(() => navigator.onLine);
  const onSyncedRef = useRef(onSynced);
  onSyncedRef.current = onSynced;

  const sync = useCallback(async () => {
    if (!queue.read().length) return;
    const r = await queue.sync();
    setQueued(queue.read().length);
    onSyncedRef.current(r);
  }, [queue]);

  const add = useCallback(
    (item: Omit<T, 'clientId'>) => {
      const full = queue.add(item);
      setQueued(queue.read().length);
      if (navigator.onLine) void sync();
      return full;
    },
    [queue, sync],
  );

  useEffect(() => {
    const up = () => {
      setOnline(true);
      void sync();
    };
    const down = () => setOnline(false);
    window.addEventListener('online', up);
    window.addEventListener('offline', down);
    const timer = setInterval(() => {
      setOnline(navigator.onLine);
      setQueued(queue.read().length);
      if (navigator.onLine) void sync();
    }, retryMs);
    if (navigator.onLine) void sync();
    return () => {
      window.removeEventListener('online', up);
      window.removeEventListener('offline', down);
      clearInterval(timer);
    };
  }, [queue, sync, retryMs]);

  return { queued, online, add, sync };
}
