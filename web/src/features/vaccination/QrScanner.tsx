// The site day's person scanner: the shared camera reader (lib/QrScanner) with the vaccination texts, and a field to
// paste or type a QR code when the camera cannot read it. Calls onCode once per code.
import { Button, Group, Stack, TextInput } from '@mantine/core';
import { useState } from 'react';
import { QrScanner as CameraReader } from '../../lib/QrScanner';
import { useVaccT } from './i18n';

export function QrScanner({ onCode, busy }: { onCode: (text: string) => void; busy: boolean }) {
  const t = useVaccT();
  const [manual, setManual] = useState('');
  return (
    <Stack gap="xs">
      <CameraReader
        onCode={onCode}
        texts={{ start: t('camera'), stop: t('stopCamera'), unavailable: (error) => t('cameraUnavailable', { error }) }}
      />
      <Group align="end" wrap="nowrap">
        <TextInput style={{ flex: 1 }} label={t('manualQr')} value={manual} onChange={(e) => setManual(e.currentTarget.value)} />
        <Button loading={busy} disabled={!manual.trim()} onClick={() => onCode(manual.trim())}>
          {t('lookUp')}
        </Button>
      </Group>
    </Stack>
  );
}
