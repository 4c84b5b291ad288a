// Verifier page for signed-in staff (phone first): scan a certificate's QR with the camera, or paste its text; the
// server's verifier answers (the same code as `vigil cert verify`) with every check. The public page is /kiem-tra.
import { Stack, Text, Title } from '@mantine/core';
import { useCertT } from './i18n';
import { VerifyForm } from './VerifyForm';

export default function VerifyPage() {
  const t = useCertT();
  return (
    <Stack gap="md" maw={640}>
      <Title order={2}>{t('verifyTitle')}</Title>
      <Text c="dimmed" size="sm">
        {t('verifyIntro')}
      </Text>
      <VerifyForm showChecks />
    </Stack>
  );
}
