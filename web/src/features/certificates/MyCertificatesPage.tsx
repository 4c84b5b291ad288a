// The citizen's certificates page: their own and their dependants' vaccination certificates.
import { Stack } from '@mantine/core';
import { CertificateSection } from './CertificateSection';

export default function MyCertificatesPage() {
  return (
    <Stack maw={720}>
      <CertificateSection />
    </Stack>
  );
}
