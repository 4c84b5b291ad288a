// Trust anchors for verification: document signer certificates found by kid. Accepted inputs: a PEM file (one or
// more certificates), one base64 DER certificate, or a trust list JSON (an array, or { certificates: [...] }, of
// entries with `rawData` or `certificate`: base64 DER or PEM) as the EU gateway and our own /trust-list publish.
import { X509Certificate, type KeyObject } from 'node:crypto';
import { kidOfCertificate } from './cose';

export interface TrustedSigner {
  /** base64 of the 8-byte kid */
  kid: string;
  publicKey: KeyObject;
  /** extended key usage OIDs of the certificate */
  ekus: string[];
  subject: string;
  der: Buffer;
}

export class TrustError extends Error {}

export class TrustStore {
  private readonly byKid = new Map<string, TrustedSigner[]>();
  constructor(signers: TrustedSigner[] = []) {
    for (const s of signers) this.add(s);
  }
  add(s: TrustedSigner): void {
    const list = this.byKid.get(s.kid) ?? [];
    if (!list.some((x) => x.der.equals(s.der))) list.push(s);
    this.byKid.set(s.kid, list);
  }
  /** every signer whose kid matches (kids are 8 bytes: a collision is possible, so all are tried) */
  find(kid: Uint8Array | null): TrustedSigner[] {
    return kid ? (this.byKid.get(Buffer.from(kid).toString('base64')) ?? []) : [];
  }
  hasKid(kidBase64: string): boolean {
    return this.byKid.has(kidBase64);
  }
  /** a new store holding this one's signers and `other`'s */
  with(other: TrustStore): TrustStore {
    return new TrustStore([...this.all(), ...other.all()]);
  }
  all(): TrustedSigner[] {
    return [...this.byKid.values()].flat();
  }
  get size(): number {
    return [...this.byKid.values()].reduce((n, l) => n + l.length, 0);
  }
}

export function signerFromDer(der: Buffer): TrustedSigner {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(der);
  } catch (err) {
    throw new TrustError(`not an X.509 certificate: ${(err as Error).message}`);
  }
  return {
    kid: kidOfCertificate(der).toString('base64'),
    publicKey: cert.publicKey,
    ekus: cert.keyUsage ?? [],
    subject: cert.subject,
    der,
  };
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;

function dersOfText(text: string): Buffer[] {
  const pems = [...text.matchAll(PEM_BLOCK)].map((m) => Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'));
  if (pems.length > 0) return pems;
  const b64 = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/=]+$/.test(b64)) throw new TrustError('neither PEM nor base64 DER');
  return [Buffer.from(b64, 'base64')];
}

function entriesOfJson(json: unknown): string[] {
  const list = Array.isArray(json) ? json : (json as { certificates?: unknown })?.certificates;
  if (!Array.isArray(list)) throw new TrustError('trust list JSON must be an array or { "certificates": [...] }');
  return list.map((e, i) => {
    const v = typeof e === 'string' ? e : ((e as Record<string, unknown>)?.rawData ?? (e as Record<string, unknown>)?.certificate);
    if (typeof v !== 'string') throw new TrustError(`trust list entry ${i} has no rawData/certificate`);
    return v;
  });
}

/** Parses any accepted trust input (text of a file). */
export function parseTrust(text: string): TrustStore {
  const trimmed = text.trim();
  if (!trimmed) throw new TrustError('the trust input is empty');
  const texts = trimmed.startsWith('[') || trimmed.startsWith('{') ? entriesOfJson(parseJson(trimmed)) : [trimmed];
  const store = new TrustStore(texts.flatMap(dersOfText).map(signerFromDer));
  if (store.size === 0) throw new TrustError('the trust input holds no certificate');
  return store;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new TrustError(`trust list is not valid JSON: ${(err as Error).message}`);
  }
}
