// The public verifier (/kiem-tra): a venue doorman or a border officer checks a certificate's QR without an account.
// It shows what the certificate says (name, birth date, what and when) and whether it is valid, and why not. The
// server verifies (rate limited per address, nothing logged or kept); the page keeps nothing either.
import { Box, Center, Group, Stack, Text, Title } from '@mantine/core';
import { LanguageSwitch } from '../../app/LanguageSwitch';
import { useCertT } from './i18n';
import { VerifyForm } from './VerifyForm';

export default function PublicVerifyPage() {
  const t = useCertT();
  return (
    <Center p="sm">
      <Box w="100%" maw={560}>
        <Stack gap="md">
          <Group justify="space-between" wrap="nowrap" align="flex-start">
            <Title order={3} style={{ flex: 1 }}>
              {t('verifyTitle')}
            </Title>
            <Box style={{ flexShrink: 0 }}>
              <LanguageSwitch compact />
            </Box>
          </Group>
          <Text c="dimmed" size="sm">
            {t('publicIntro')}
          </Text>
          <VerifyForm showChecks={false} />
        </Stack>
      </Box>
    </Center>
  );
}
