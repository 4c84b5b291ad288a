// The verifier's form (camera or pasted text) and its answer: used by the staff page (/verify, every check shown)
// and the public page (/kiem-tra, what the certificate says and whether it is valid). Nothing scanned is kept.
import { Button, Card, Stack, Textarea } from '@mantine/core';
import { useCallback, useState } from 'react';
import { ErrorAlert } from '../../lib/errors';
import { QrScanner } from '../../lib/QrScanner';
import { useVerifyCertificate } from './api';
import { useCertT } from './i18n';
import { VerifyResult } from './VerifyResult';

export function VerifyForm({ showChecks }: { showChecks: boolean }) {
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
    <Stack gap="md">
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
      {verify.data && !verify.isPending && <VerifyResult r={verify.data} showChecks={showChecks} />}
    </Stack>
  );
}
