// The document signers of this deployment: created on first start, rotatable, old ones kept for verification.
// Like platform/signing's KeyRing (whose directory it shares, in a `dcc/` subfolder), one JSON file per signer,
// mode 0600, in a 0700 directory; a ring beside an in-memory KeyRing (tests) lives in memory too.
//
//     dcc/<kid hex>.json  { "kid", "createdAt", "notAfter", "certificateDer" (base64), "privateKeyPem", "retiredAt"? }
//
// The newest signer that is not retired and not expired signs. `rotate()` makes a new one; `retire(kid)` stops a
// compromised one from verifying (the trust list drops it) once its grace has passed (`refusedFrom`). Never log or
// return `privateKeyPem`.
//
// Several processes (servers behind a load balancer, the CLI) share the directory and one database: a rotation or
// retirement bumps a version row (`dcc_signer_state`, through `SignerSync`), and every other process reads that row
// at most every `refreshMs` and reloads the directory when it changed, so none needs a restart.
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
  /** from then on it no longer verifies (retiredAt + the grace of the retirement); absent: retiredAt */
  refusedFrom?: string;
}

/** The shared version of the signer directory (a database row): read by every process, bumped by a change. */
export interface SignerSync {
  version(): Promise<string>;
  bump(): Promise<void>;
}

export interface SignerRingOptions {
  sync?: SignerSync;
  /** how often to look at the shared version (ms); 0 = at every use */
  refreshMs?: number;
  /** how long a retired signer keeps verifying (ms) */
  retireGraceMs?: number;
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
  /** a retired signer verifies until then (ISO); null when not retired */
  refusedFrom: string | null;
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

const refusedAt = (f: SignerFile) => (f.refusedFrom ?? f.retiredAt ? new Date((f.refusedFrom ?? f.retiredAt)!).getTime() : Infinity);

export class SignerRing {
  private files = new Map<string, SignerFile>();
  /** parsed certificates by kid (a certificate never changes for its kid) */
  private readonly parsed = new Map<string, ReturnType<typeof signerFromDer>>();
  /** the shared version this process has loaded, and when it last looked */
  private version: string | null = null;
  private checkedAt = -Infinity;
  private checking: Promise<void> | null = null;
  private constructor(
    readonly dir: string | null,
    private readonly clock: () => Date,
    private readonly opts: SignerRingOptions,
  ) {}

  /** Opens the ring (dir null: in memory) and creates the first signer if none can sign. */
  static async open(dir: string | null, clock: () => Date, opts: SignerRingOptions = {}): Promise<SignerRing> {
    // a ring in memory (tests) shares nothing: it neither reads nor bumps the shared version
    const ring = new SignerRing(dir, clock, dir ? opts : { ...opts, sync: undefined });
    if (dir) {
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
      await fs.chmod(dir, 0o700);
    }
    if (opts.sync) ring.version = await opts.sync.version();
    ring.checkedAt = performance.now();
    await ring.load();
    if (!ring.active()) await ring.rotate();
    return ring;
  }

  private async load(): Promise<void> {
    if (!this.dir) return;
    const files = new Map<string, SignerFile>();
    for (const name of (await fs.readdir(this.dir)).sort()) {
      if (!name.endsWith('.json')) continue;
      const file = JSON.parse(await fs.readFile(path.join(this.dir, name), 'utf8')) as SignerFile;
      load(file);
      files.set(file.kid, file);
    }
    this.files = files;
  }

  /**
   * Picks up another process's rotation or retirement: looks at the shared version at most every `refreshMs` and
   * reloads the directory when it changed. Cheap when nothing is due (one clock reading).
   */
  async refresh(): Promise<void> {
    const sync = this.opts.sync;
    if (!sync || performance.now() - this.checkedAt < (this.opts.refreshMs ?? 5_000)) return;
    this.checking ??= (async () => {
      try {
        const v = await sync.version();
        this.checkedAt = performance.now();
        if (v !== this.version) {
          await this.load();
          this.version = v;
        }
      } finally {
        this.checking = null;
      }
    })();
    await this.checking;
  }

  /** A new signer becomes the active one; the others keep verifying. Returns its kid. */
  async rotate(): Promise<string> {
    // the newest signs: a new one is made strictly after every other (a pinned or stepped-back clock would tie)
    const latest = Math.max(-Infinity, ...[...this.files.values()].map((f) => Date.parse(f.createdAt)));
    const now = new Date(Math.max(this.clock().getTime(), latest + 1));
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
    if (!file) throw new UnknownSignerError(kid);
    if (!file.retiredAt) {
      const now = this.clock();
      await this.persist({ ...file, retiredAt: now.toISOString(), refusedFrom: new Date(now.getTime() + (this.opts.retireGraceMs ?? 0)).toISOString() });
    }
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

  /** Signer that must exist (after a look for another process's change): rotates first when the active one has expired meanwhile. */
  async signer(): Promise<Signer> {
    await this.refresh();
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
      .map((f) => ({
        kid: f.kid,
        certificate: f.certificateDer,
        createdAt: f.createdAt,
        notAfter: f.notAfter,
        active: f.kid === active,
        retired: Boolean(f.retiredAt),
        refusedFrom: f.retiredAt ? new Date(refusedAt(f)).toISOString() : null,
      }));
  }

  /** Every signer that verifies now: not retired, or retired and still within its grace. */
  trust(): TrustStore {
    const now = this.clock().getTime();
    return new TrustStore(
      [...this.files.values()]
        .filter((f) => refusedAt(f) > now)
        .map((f) => {
          let s = this.parsed.get(f.kid);
          if (!s) this.parsed.set(f.kid, (s = signerFromDer(Buffer.from(f.certificateDer, 'base64'))));
          return s;
        }),
    );
  }

  /** When a signer of ours that no longer verifies was refused from (ISO), else null. */
  refusedSince(kid: string): string | null {
    const f = this.files.get(kid);
    return f && refusedAt(f) <= this.clock().getTime() ? new Date(refusedAt(f)).toISOString() : null;
  }

  private async persist(file: SignerFile): Promise<void> {
    if (this.dir) {
      const target = path.join(this.dir, fileName(file.kid));
      const tmp = `${target}.${process.pid}.tmp`;
      await fs.writeFile(tmp, JSON.stringify(file, null, 2), { mode: 0o600 });
      await fs.rename(tmp, target);
    }
    this.files.set(file.kid, file);
    // the others reload at their next look; so does this process (another change may have come in between)
    await this.opts.sync?.bump();
  }
}

export class UnknownSignerError extends Error {
  constructor(readonly kid: string) {
    super(`certificates: unknown signer ${kid}`);
  }
}
