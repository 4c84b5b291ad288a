// A document signer certificate (DSC) for EU DCCs: EC P-256 key, self-signed X.509 with digitalSignature key usage and
// the DCC extended key usage OIDs (test, vaccination, recovery), made with @peculiar/x509 on node's WebCrypto.
import 'reflect-metadata'; // @peculiar/x509 (tsyringe) needs a Reflect metadata polyfill loaded first
import { webcrypto, createPrivateKey, randomBytes } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { DCC_EKU } from './key-usage';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
/** DSCs live two years; certificates they sign expire before their signer does. */
export const DSC_VALIDITY_DAYS = 730;

export interface NewDsc {
  certificateDer: Buffer;
  privateKeyPem: string;
  notAfter: Date;
}

export async function createDsc(opts: { commonName: string; country: string; now: Date }): Promise<NewDsc> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const notAfter = new Date(opts.now.getTime() + DSC_VALIDITY_DAYS * 86_400_000);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomBytes(12).toString('hex').replace(/^[89a-f]/, '1'),
    name: `CN=${opts.commonName}, C=${opts.country}`,
    notBefore: opts.now,
    notAfter,
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([DCC_EKU.t[0]!, DCC_EKU.v[0]!, DCC_EKU.r[0]!]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const privateKeyPem = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem' }) as string;
  return { certificateDer: Buffer.from(cert.rawData), privateKeyPem, notAfter };
}
