// A verification worker of verify-pool.ts: checks batches of Ed25519 signatures with platform/signing's backend
// (libsodium when sodium-native loads, else node:crypto; the backend the main thread's key ring uses is asked for in
// workerData). It holds no private key and keeps nothing but the public keys it was sent (a handful: the ring's).
//
// Message in:  { id, n, buf }  buf (transferred) holds n records, each
//                 u16 LE  length L of the signing input
//                 32      the raw public key
//                 64      the signature
//                 L       the signing input (payload "." kid)
// ({ cpu: true } asks for the thread's CPU so far: { cpuMs }, diagnostics.)
// Message out: { id, results }  results (transferred) n bytes, 1 = the signature matches. A malformed batch answers
// every record 0 (refused, never "valid"); the main thread's copy of each token decides nothing here.
import { parentPort, workerData } from 'node:worker_threads';
import { loadEd25519, nodeCryptoEd25519, publicKeyFromRaw, PUBLIC_KEY_BYTES } from './ed25519';
import { RECORD_HEAD } from './verify-pool';
import { threadCpuMs } from '../proc';

const backend = (workerData as { backend?: string } | null)?.backend === 'node:crypto' ? nodeCryptoEd25519() : loadEd25519();
type Check = (data: Uint8Array, signature: Uint8Array) => boolean;
/** public key (latin1 of its 32 bytes) → its check; bounded (a ring has a few keys; anything else is refused anyway) */
const checks = new Map<string, Check>();

function checkOf(pk: Buffer): Check {
  const name = pk.toString('latin1');
  let c = checks.get(name);
  if (!c) {
    if (checks.size >= 64) checks.clear();
    checks.set(name, (c = backend.verifier(publicKeyFromRaw(pk))));
  }
  return c;
}

function verifyBatch(buf: ArrayBuffer, n: number): Uint8Array {
  const bytes = Buffer.from(buf);
  const results = new Uint8Array(n);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    if (pos + RECORD_HEAD > bytes.length) return results.fill(0);
    const len = bytes.readUInt16LE(pos);
    const end = pos + RECORD_HEAD + len;
    if (end > bytes.length) return results.fill(0);
    const pk = bytes.subarray(pos + 2, pos + 2 + PUBLIC_KEY_BYTES);
    const signature = bytes.subarray(pos + 2 + PUBLIC_KEY_BYTES, pos + RECORD_HEAD);
    results[i] = checkOf(pk)(bytes.subarray(pos + RECORD_HEAD, end), signature) ? 1 : 0;
    pos = end;
  }
  return results;
}

if (parentPort) {
  const port = parentPort;
  port.on('message', (m: { id: number; n: number; buf: ArrayBuffer } | { cpu: true }) => {
    // the thread's own CPU so far, for the pool's diagnostics (bench signatures: the round trip's cost on this side)
    if ('cpu' in m) return port.postMessage({ cpuMs: threadCpuMs() });
    const results = verifyBatch(m.buf, m.n);
    port.postMessage({ id: m.id, results }, [results.buffer as ArrayBuffer]);
  });
  port.postMessage({ ready: backend.name });
}
