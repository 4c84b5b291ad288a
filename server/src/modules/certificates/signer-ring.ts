// The document signers of this deployment: created on first start, rotatable, old ones kept for verification.
// Like platform/signing's KeyRing (whose directory it shares, in a `dcc/` subfolder), one JSON file per signer,
// mode 0600, in a 0700 directory; a ring beside an in-memory KeyRing (tests) lives in memory too.
//
//     dcc/<kid hex>.json  { "kid", "createdAt", "notAfter", "certificateDer" (base64), "privateKeyPem", "retiredAt"? }
//
// The newest signer that is not retired and not expired signs. `rotate()` makes a new one; `retire(kid)` stops a
// compromised one from verifying (the trust list drops it). Never log or return `privateKeyPem`.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { createDsc } from './dsc';
import { kidOfCertificate } from './cose';
import { signerFromDer, TrustStore } from './trust';

interface SignerFile {
  kid: string;
  createdAt: string;
  notAfter: string;
  certificateDer: string;
  privateKeyPem: string;
  retiredAt?: string;
}

export interface Signer {
  /** base64 of the 8-byte kid (as in the COSE header) */
  kid: string;
  kidBytes: Buffer;
  certificateDer: Buffer;
  privateKey: KeyObject;
  createdAt: Date;
  notAfter: Date;
  retiredAt: Date | null;
}

export interface SignerInfo {
  kid: string;
  certificate: string;
  createdAt: string;
  notAfter: string;
  active: boolean;
  retired: boolean;
}

export const DSC_COMMON_NAME = 'Vigil DCC document signer';
export const ISSUER_COUNTRY = 'VN';

function load(file: SignerFile): Signer {
  const der = Buffer.from(file.certificateDer, 'base64');
  const kidBytes = kidOfCertificate(der);
  if (kidBytes.toString('base64') !== file.kid) throw new Error(`certificates: signer file ${file.kid} has a kid that does not match its certificate`);
  return {
    kid: file.kid,
    kidBytes,
    certificateDer: der,
    privateKey: createPrivateKey(file.privateKeyPem),
    createdAt: new Date(file.createdAt),
    notAfter: new Date(file.notAfter),
    retiredAt: file.retiredAt ? new Date(file.retiredAt) : null,
  };
}

const fileName = (kid: string) => `${Buffer.from(kid, 'base64').toString('hex')}.json`;

export class SignerRing {
  private readonly files = new Map<string, SignerFile>();
  /** the trust store of the signers not retired, rebuilt when a signer is added or retired */
  private trustCache: TrustStore | null = null;
  private constructor(
    readonly dir: string | null,
    private readonly clock: () => Date,
  ) {}

  /** Opens the ring (dir null: in memory) and creates the first signer if none can sign. */
  static async open(dir: string | null, clock: () => Date): Promise<SignerRing> {
    const ring = new SignerRing(dir, clock);
    if (dir) {
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
      await fs.chmod(dir, 0o700);
      for (const name of (await fs.readdir(dir)).sort()) {
        if (!name.endsWith('.json')) continue;
        const file = JSON.parse(await fs.readFile(path.join(dir, name), 'utf8')) as SignerFile;
        load(file);
        ring.files.set(file.kid, file);
      }
    }
    if (!ring.active()) await ring.rotate();
    return ring;
  }

  /** A new signer becomes the active one; the others keep verifying. Returns its kid. */
  async rotate(): Promise<string> {
    const now = this.clock();
    const dsc = await createDsc({ commonName: DSC_COMMON_NAME, country: ISSUER_COUNTRY, now });
    const kid = kidOfCertificate(dsc.certificateDer).toString('base64');
    const file: SignerFile = {
      kid,
      createdAt: now.toISOString(),
      notAfter: dsc.notAfter.toISOString(),
      certificateDer: dsc.certificateDer.toString('base64'),
      privateKeyPem: dsc.privateKeyPem,
    };
    await this.persist(file);
    return kid;
  }

  /** The signer stops verifying (dropped from the trust list); a new one is made if none is left to sign. */
  async retire(kid: string): Promise<void> {
    const file = this.files.get(kid);
    if (!file) throw new Error(`certificates: unknown signer ${kid}`);
    if (!file.retiredAt) await this.persist({ ...file, retiredAt: this.clock().toISOString() });
    if (!this.active()) await this.rotate();
  }

  /** The signer that signs now. */
  active(): Signer | null {
    const now = this.clock().getTime();
    const usable = [...this.files.values()]
      .filter((f) => !f.retiredAt && new Date(f.notAfter).getTime() > now)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return usable[0] ? load(usable[0]) : null;
  }

  /** Signer that must exist: rotates first when the active one has expired meanwhile. */
  async signer(): Promise<Signer> {
    const s = this.active();
    if (s) return s;
    await this.rotate();
    return this.active()!;
  }

  /** Public view, newest first (no private keys). */
  list(): SignerInfo[] {
    const active = this.active()?.kid;
    return [...this.files.values()]
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .map((f) => ({ kid: f.kid, certificate: f.certificateDer, createdAt: f.createdAt, notAfter: f.notAfter, active: f.kid === active, retired: Boolean(f.retiredAt) }));
  }

  /** Every signer not retired, as verification anchors. */
  trust(): TrustStore {
    this.trustCache ??= new TrustStore([...this.files.values()].filter((f) => !f.retiredAt).map((f) => signerFromDer(Buffer.from(f.certificateDer, 'base64'))));
    return this.trustCache;
  }

  private async persist(file: SignerFile): Promise<void> {
    if (this.dir) {
      const target = path.join(this.dir, fileName(file.kid));
      const tmp = `${target}.${process.pid}.tmp`;
      await fs.writeFile(tmp, JSON.stringify(file, null, 2), { mode: 0o600 });
      await fs.rename(tmp, target);
    }
    this.files.set(file.kid, file);
    this.trustCache = null;
  }
}
