// The sampling page's offline queue: lib/offlineQueue (the gate's too): every tube is stored on the device with a
// client-generated id and its collection time before anything is sent, removed only when the server has answered for
// it, one sync at a time across the browser's tabs.
import { api } from '../../lib/api';
import { offlineQueue } from '../../lib/offlineQueue';
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

const toWire = ({ clientId, tubeCode, pointCode, testType, collectedAt, people }: QueuedSample): BatchBody['items'][number] => ({
  clientId,
  tubeCode,
  pointCode,
  testType,
  collectedAt,
  people: people.map((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined && v !== '')) as SamplePerson),
});

/** The sampling page's queue (lib/offlineQueue): every answered tube leaves it. */
export const sampleQueue = offlineQueue<QueuedSample, BatchItemResult>({
  key: 'vigil.testing.queue',
  lock: 'vigil.testing.sync',
  batch: 50,
  send: async (batch) => (await api.post<BatchResponse>('/api/testing/samples/batch', { items: batch.map(toWire) } satisfies BatchBody)).items,
  rejected: (bad, error) => ({ clientId: bad.clientId, status: 'rejected', error: { code: error.code, message: error.details[0]?.message ?? error.message, details: error.details } }),
});

export const readQueue = sampleQueue.read;
export const syncSamples = sampleQueue.sync;
/** stores a tube with a new client id and its collection time (now: the time recorded, even if sent later) */
export const enqueueSample = (s: Omit<QueuedSample, 'clientId' | 'collectedAt'>): QueuedSample => sampleQueue.add({ ...s, collectedAt: new Date().toISOString() });

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
