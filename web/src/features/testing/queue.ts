// The sampling page's offline queue, as the gate's (features/gate/queue.ts): every tube is stored on the device
// (localStorage) with a client-generated id and its collection time before anything is sent, and removed only when
// the server has answered for it. Re-sending is safe (the server counts a client id once), and only one sync runs at
// a time, in this tab (a shared promise) and across tabs of the same browser (Web Locks where the browser has them),
// so a tube is never sent twice by two timers racing.
import { api, isApiError } from '../../lib/api';
import { uuid } from '../gate/queue';
import type { BatchBody, BatchItemResult, BatchResponse, SamplePerson } from './types';

/** A queued tube: what is sent, plus what the page shows while it waits (labels of the people). */
export interface QueuedSample {
  clientId: string;
  tubeCode: string;
  testType: string;
  pointCode: string;
  /** when it was collected (ISO): the time recorded, even if sent later */
  collectedAt: string;
  people: SamplePerson[];
  labels: string[];
}

const KEY = 'vigil.testing.queue';
const BATCH = 50;

export function readQueue(): QueuedSample[] {
  try {
    const raw = localStorage.getItem(KEY);
    const v = raw ? (JSON.parse(raw) as unknown) : [];
    return Array.isArray(v) ? (v as QueuedSample[]) : [];
  } catch {
    return [];
  }
}

function writeQueue(q: QueuedSample[]) {
  localStorage.setItem(KEY, JSON.stringify(q));
}

export function enqueueSample(s: Omit<QueuedSample, 'clientId' | 'collectedAt'>): QueuedSample {
  const item: QueuedSample = { ...s, clientId: uuid(), collectedAt: new Date().toISOString() };
  writeQueue([...readQueue(), item]);
  return item;
}

const toWire = ({ clientId, tubeCode, pointCode, testType, collectedAt, people }: QueuedSample): BatchBody['items'][number] => ({
  clientId,
  tubeCode,
  pointCode,
  testType,
  collectedAt,
  people: people.map((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined && v !== '')) as SamplePerson),
});

export type SyncOutcome = { sent: number; results: BatchItemResult[] } | { error: unknown; offline: boolean };

let syncing: Promise<SyncOutcome> | null = null;

/** Sends the queued tubes in batches; keeps them on any failure to reach the server. One sync at a time. */
export function syncSamples(): Promise<SyncOutcome> {
  if (!syncing) {
    const locks = 'locks' in navigator ? navigator.locks : null;
    // (the lock's answer is doSync's: promises flatten, whatever the DOM typings say)
    const run = locks ? (locks.request('vigil.testing.sync', doSync) as unknown as Promise<SyncOutcome>) : doSync();
    syncing = run.finally(() => (syncing = null));
  }
  return syncing;
}

async function doSync(): Promise<SyncOutcome> {
  const results: BatchItemResult[] = [];
  let sent = 0;
  for (;;) {
    const batch = readQueue().slice(0, BATCH);
    if (!batch.length) return { sent, results };
    try {
      const r = await api.post<BatchResponse>('/api/testing/samples/batch', { items: batch.map(toWire) } satisfies BatchBody);
      // every item got an answer (created, duplicate or refused): drop exactly those
      const answered = new Set(r.items.map((x) => x.clientId));
      results.push(...r.items);
      writeQueue(readQueue().filter((s) => !answered.has(s.clientId)));
      sent += answered.size;
      if (!answered.size) return { sent, results }; // an answer that names none of them: try again later, not in a loop
    } catch (error) {
      const offline = isApiError(error) && error.status === 0;
      if (!offline && isApiError(error) && error.status === 400 && batch.length) {
        // the whole request was refused for one malformed item (named in the error): drop it so the rest can go
        const m = /items(?:[./]|\[)(\d+)/.exec(error.details[0]?.path ?? '');
        const bad = batch[m ? Number(m[1]) : 0] ?? batch[0]!;
        writeQueue(readQueue().filter((s) => s.clientId !== bad.clientId));
        results.push({
          clientId: bad.clientId,
          status: 'rejected',
          error: { code: error.code, message: error.details[0]?.message ?? error.message, details: error.details },
        });
        continue;
      }
      return { error, offline };
    }
  }
}

/** A personal QR may be scanned as a bare token or as a URL ending in it ("…/p/<token>"). */
export function personalTokenOf(scanned: string): string | null {
  const s = scanned.trim();
  const token = s.includes('/') ? (s.slice(s.lastIndexOf('/') + 1).split(/[?#]/)[0] ?? '') : s;
  // signed tokens are long and dotted (version.type.body.signature); tube codes are short, without dots
  return /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+){2,}$/.test(token) && token.length >= 30 ? token : null;
}

/** A tube code as printed under the barcode (letters, digits, '.', '_', '/', '-'; 3–64 characters), as it is. */
export function tubeCodeOf(scanned: string): string | null {
  const s = scanned.trim();
  return /^[A-Za-z0-9][A-Za-z0-9._/-]{2,63}$/.test(s) && !personalTokenOf(s) ? s : null;
}
