// What other features may use: the certificate section for the health book, staff printing a person's certificates
// (the site day), the verify result view.
export { CertificateSection } from './CertificateSection';
export { PersonCertificatesCard } from './PersonCertificatesCard';
export { VerifyResult } from './VerifyResult';
