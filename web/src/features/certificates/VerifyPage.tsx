// Verifier page (phone first): scan a certificate's QR with the camera, or paste its text; the server's verifier
// answers (the same code as `vigil cert verify`). Nothing scanned is kept on the device.
import { Button, Card, Stack, Text, Textarea, Title } from '@mantine/core';
import { useCallback, useState } from 'react';
import { ErrorAlert } from '../../lib/errors';
import { QrScanner } from '../../lib/QrScanner';
import { useVerifyCertificate } from './api';
import { useCertT } from './i18n';
import { VerifyResult } from './VerifyResult';

export default function VerifyPage() {
  const t = useCertT();
  const verify = useVerifyCertificate();
  const [text, setText] = useState('');
  const onCode = useCallback(
    (code: string) => {
      setText(code);
      verify.mutate(code);
    },
    [verify.mutate],
  );
  return (
    <Stack gap="md" maw={640}>
      <Title order={2}>{t('verifyTitle')}</Title>
      <Text c="dimmed" size="sm">
        {t('verifyIntro')}
      </Text>
      <Card withBorder>
        <QrScanner onCode={onCode} texts={{ start: t('scan'), stop: t('stopScan'), unavailable: (error) => t('cameraUnavailable', { error }) }} />
      </Card>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim()) verify.mutate(text.trim());
        }}
      >
        <Stack gap="xs">
          <Textarea label={t('pasteLabel')} placeholder="HC1:…" autosize minRows={2} maxRows={6} value={text} onChange={(e) => setText(e.currentTarget.value)} />
          <Button type="submit" variant="light" loading={verify.isPending} disabled={!text.trim()}>
            {t('check')}
          </Button>
        </Stack>
      </form>
      {verify.error && <ErrorAlert error={verify.error} />}
      {verify.data && !verify.isPending && <VerifyResult r={verify.data} />}
    </Stack>
  );
}
