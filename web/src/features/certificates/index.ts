// What other features may use: the certificate section for the health book, the verify result view.
export { CertificateSection } from './CertificateSection';
export { VerifyResult } from './VerifyResult';
