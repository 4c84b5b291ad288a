// The camera scanner of the phone pages (the gate, the sampling page): the back camera in a <video>, read five times
// a second by BarcodeDetector where the browser has it (Android, ChromeOS, macOS: QR codes and the 1D barcodes on
// sample tubes), by jsQR on canvas frames otherwise (QR codes only; a 1D code is then typed). `onCode` gets every
// reading; the caller decides what a reading is worth and drops repeats of a code held in front of the camera.
import { Button, Stack, Text } from '@mantine/core';
import jsQR from 'jsqr';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useVenueTexts } from '../venues/texts';

interface Detector {
  detect(source: CanvasImageSource): Promise<{ rawValue: string }[]>;
}
type DetectorCtor = (new (opts: { formats: string[] }) => Detector) & { getSupportedFormats?: () => Promise<string[]> };

/** BarcodeDetector format names: a personal QR, and the symbologies printed on sample tubes. */
export type CodeFormat = 'qr_code' | 'code_128' | 'code_39' | 'code_93' | 'codabar' | 'ean_13' | 'ean_8' | 'itf' | 'data_matrix';
export const TUBE_FORMATS: CodeFormat[] = ['code_128', 'code_39', 'code_93', 'codabar', 'itf', 'ean_13', 'ean_8', 'data_matrix', 'qr_code'];

export function CameraScanner({
  onCode,
  disabled,
  formats = ['qr_code'],
  startLabel,
  maxHeight = 360,
  testId,
}: {
  onCode: (raw: string) => unknown;
  disabled?: boolean;
  formats?: CodeFormat[];
  startLabel?: string;
  maxHeight?: number;
  testId?: string;
}) {
  const { t } = useVenueTexts();
  const [camera, setCamera] = useState<'off' | 'starting' | 'on'>('off');
  const [cameraError, setCameraError] = useState<string | null>(null);
  const [engine, setEngine] = useState('');
  const videoRef = useRef<HTMLVideoElement | null>(null);
  const streamRef = useRef<MediaStream | null>(null);
  const onCodeRef = useRef(onCode);
  onCodeRef.current = onCode;
  const formatsKey = formats.join(',');

  const stopCamera = useCallback(() => {
    streamRef.current?.getTracks().forEach((tr) => tr.stop());
    streamRef.current = null;
    setCamera('off');
  }, []);
  useEffect(() => stopCamera, [stopCamera]);
  useEffect(() => {
    if (disabled) stopCamera();
  }, [disabled, stopCamera]);

  const startCamera = async () => {
    setCameraError(null);
    setCamera('starting');
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
      streamRef.current = stream;
      const video = videoRef.current!;
      video.srcObject = stream;
      await video.play();
      setCamera('on');
    } catch (e) {
      setCamera('off');
      setCameraError(t('cameraUnavailable', { error: e instanceof Error ? e.message : String(e) }));
    }
  };

  useEffect(() => {
    if (camera !== 'on') return;
    const video = videoRef.current!;
    const wanted = formatsKey.split(',');
    const Ctor = (globalThis as { BarcodeDetector?: DetectorCtor }).BarcodeDetector;
    let detector: Detector | null = null;
    const ready = (async () => {
      try {
        const supported = Ctor ? ((await Ctor.getSupportedFormats?.()) ?? []) : [];
        const usable = wanted.filter((f) => supported.includes(f));
        if (Ctor && usable.length) detector = new Ctor({ formats: usable });
      } catch {
        detector = null;
      }
      setEngine(detector ? 'BarcodeDetector' : 'jsQR');
    })();
    const canvas = document.createElement('canvas');
    const ctx2d = canvas.getContext('2d', { willReadFrequently: true });
    let stopped = false;
    const tick = async () => {
      if (stopped) return;
      await ready;
      try {
        if (video.readyState >= 2) {
          if (detector) {
            const codes = await detector.detect(video);
            if (codes[0]) onCodeRef.current(codes[0].rawValue);
          } else if (ctx2d && wanted.includes('qr_code')) {
            const w = Math.min(640, video.videoWidth);
            const h = Math.round((video.videoHeight * w) / Math.max(1, video.videoWidth));
            canvas.width = w;
            canvas.height = h;
            ctx2d.drawImage(video, 0, 0, w, h);
            const img = ctx2d.getImageData(0, 0, w, h);
            const code = jsQR(img.data, w, h, { inversionAttempts: 'dontInvert' });
            if (code?.data) onCodeRef.current(code.data);
          }
        }
      } catch {
        // a frame that cannot be read: try the next one
      }
      video.dataset.framesRead = String(Number(video.dataset.framesRead ?? 0) + 1); // for diagnostics and tests
      if (!stopped) setTimeout(() => void tick(), 200);
    };
    void tick();
    return () => {
      stopped = true;
    };
  }, [camera, formatsKey]);

  return (
    <Stack gap="sm" data-testid={testId}>
      <video ref={videoRef} playsInline muted style={{ width: '100%', maxHeight, background: '#111', borderRadius: 8, display: camera === 'off' ? 'none' : 'block' }} />
      {camera === 'off' ? (
        <Button size="md" onClick={() => void startCamera()} disabled={disabled}>
          {startLabel ?? t('startCamera')}
        </Button>
      ) : (
        <Button size="md" variant="light" onClick={stopCamera}>
          {t('stopCamera')}
        </Button>
      )}
      {engine && camera === 'on' && (
        <Text size="xs" c="dimmed">
          {t('engine', { name: engine })}
        </Text>
      )}
      {cameraError && <Text c="red">{cameraError}</Text>}
    </Stack>
  );
}
