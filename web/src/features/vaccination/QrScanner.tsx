// Scans a personal QR with the phone's camera (BarcodeDetector where the browser has it, jsQR on canvas frames
// otherwise), or takes it typed/pasted. Calls onCode once per code shown.
import { Alert, Button, Group, Stack, TextInput } from '@mantine/core';
import jsQR from 'jsqr';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useVaccT } from './i18n';

interface Detector {
  detect(source: CanvasImageSource): Promise<{ rawValue: string }[]>;
}
type DetectorCtor = (new (opts: { formats: string[] }) => Detector) & { getSupportedFormats?: () => Promise<string[]> };

export function QrScanner({ onCode, busy }: { onCode: (text: string) => void; busy: boolean }) {
  const t = useVaccT();
  const [manual, setManual] = useState('');
  const [on, setOn] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const video = useRef<HTMLVideoElement | null>(null);
  const stream = useRef<MediaStream | null>(null);
  const last = useRef('');

  const stop = useCallback(() => {
    stream.current?.getTracks().forEach((tr) => tr.stop());
    stream.current = null;
    setOn(false);
  }, []);
  useEffect(() => stop, [stop]);

  const start = async () => {
    setError(null);
    try {
      const s = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
      stream.current = s;
      video.current!.srcObject = s;
      await video.current!.play();
      setOn(true);
    } catch (e) {
      setError(t('cameraUnavailable', { error: e instanceof Error ? e.message : String(e) }));
    }
  };

  useEffect(() => {
    if (!on) return;
    const v = video.current!;
    const Ctor = (globalThis as { BarcodeDetector?: DetectorCtor }).BarcodeDetector;
    let detector: Detector | null = null;
    const ready = (async () => {
      try {
        if (Ctor && (await Ctor.getSupportedFormats?.())?.includes('qr_code')) detector = new Ctor({ formats: ['qr_code'] });
      } catch {
        detector = null;
      }
    })();
    const canvas = document.createElement('canvas');
    const g = canvas.getContext('2d', { willReadFrequently: true });
    let stopped = false;
    const found = (text: string) => {
      if (text === last.current) return;
      last.current = text;
      if (navigator.vibrate) navigator.vibrate(80);
      onCode(text);
    };
    const tick = async () => {
      if (stopped) return;
      await ready;
      if (v.readyState >= 2) {
        if (detector) {
          const codes = await detector.detect(v).catch(() => []);
          if (codes[0]) found(codes[0].rawValue);
        } else if (g) {
          canvas.width = v.videoWidth;
          canvas.height = v.videoHeight;
          g.drawImage(v, 0, 0);
          const code = jsQR(g.getImageData(0, 0, canvas.width, canvas.height).data, canvas.width, canvas.height);
          if (code?.data) found(code.data);
        }
      }
      setTimeout(() => void tick(), 150);
    };
    void tick();
    return () => {
      stopped = true;
    };
  }, [on, onCode]);

  return (
    <Stack gap="xs">
      <video ref={video} muted playsInline style={{ width: '100%', maxHeight: 240, display: on ? 'block' : 'none', background: '#000' }} />
      {error && <Alert color="orange">{error}</Alert>}
      <Button variant={on ? 'default' : 'filled'} onClick={() => (on ? stop() : void start())}>
        {on ? t('stopCamera') : t('camera')}
      </Button>
      <Group align="end" wrap="nowrap">
        <TextInput style={{ flex: 1 }} label={t('manualQr')} value={manual} onChange={(e) => setManual(e.currentTarget.value)} />
        <Button
          loading={busy}
          disabled={!manual.trim()}
          onClick={() => {
            last.current = manual.trim();
            onCode(manual.trim());
          }}
        >
          {t('lookUp')}
        </Button>
      </Group>
    </Stack>
  );
}
