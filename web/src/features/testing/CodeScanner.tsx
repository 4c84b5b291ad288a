// The sampling page's camera scanner (QR codes and the 1D barcodes of tubes; lib/QrScanner reads QR codes only): the
// back camera in a <video>, read five times
// a second by BarcodeDetector where the browser has it and knows the formats asked for (Android, ChromeOS, macOS);
// otherwise by jsQR on canvas frames for QR codes only (the gate), or by ZXing (@zxing/library, loaded only then) for
// the 1D barcodes on sample tubes (iPhones, desktop Linux). `onCode` gets every reading; the caller decides what a
// reading is worth and drops repeats of a code held in front of the camera.
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

type Decode = (gray: Uint8ClampedArray, width: number, height: number) => string | null;

/** A ZXing reader of `formats` over grey-scale frames (the library is its own chunk, fetched only when needed). */
async function zxingDecoder(formats: string[]): Promise<Decode> {
  const zx = await import('@zxing/library');
  const map: Record<CodeFormat, number> = {
    qr_code: zx.BarcodeFormat.QR_CODE,
    code_128: zx.BarcodeFormat.CODE_128,
    code_39: zx.BarcodeFormat.CODE_39,
    code_93: zx.BarcodeFormat.CODE_93,
    codabar: zx.BarcodeFormat.CODABAR,
    ean_13: zx.BarcodeFormat.EAN_13,
    ean_8: zx.BarcodeFormat.EAN_8,
    itf: zx.BarcodeFormat.ITF,
    data_matrix: zx.BarcodeFormat.DATA_MATRIX,
  };
  const reader = new zx.MultiFormatReader();
  const hints = new Map<number, unknown>([[zx.DecodeHintType.POSSIBLE_FORMATS, formats.map((f) => map[f as CodeFormat]).filter((f) => f !== undefined)]]);
  reader.setHints(hints as never);
  return (gray, width, height) => {
    try {
      return reader.decodeWithState(new zx.BinaryBitmap(new zx.HybridBinarizer(new zx.RGBLuminanceSource(gray, width, height)))).getText();
    } catch {
      return null; // nothing readable in this frame
    }
  };
}

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
    let zxing: Decode | null = null;
    const ready = (async () => {
      try {
        const supported = Ctor ? ((await Ctor.getSupportedFormats?.()) ?? []) : [];
        // the platform's detector only when it reads every format asked for (else a tube's 1D code would be missed)
        if (Ctor && wanted.every((f) => supported.includes(f))) detector = new Ctor({ formats: wanted });
      } catch {
        detector = null;
      }
      if (!detector && wanted.some((f) => f !== 'qr_code')) {
        try {
          zxing = await zxingDecoder(wanted);
        } catch {
          zxing = null; // the chunk could not be fetched (offline before it was ever cached): QR codes still read
        }
      }
      setEngine(detector ? 'BarcodeDetector' : zxing ? 'ZXing' : 'jsQR');
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
          } else if (ctx2d) {
            const w = Math.min(640, video.videoWidth);
            const h = Math.round((video.videoHeight * w) / Math.max(1, video.videoWidth));
            canvas.width = w;
            canvas.height = h;
            ctx2d.drawImage(video, 0, 0, w, h);
            const img = ctx2d.getImageData(0, 0, w, h);
            if (zxing) {
              const gray = new Uint8ClampedArray(w * h);
              for (let i = 0, j = 0; i < gray.length; i++, j += 4) gray[i] = (img.data[j]! * 77 + img.data[j + 1]! * 150 + img.data[j + 2]! * 29) >> 8;
              const text = zxing(gray, w, h);
              if (text) onCodeRef.current(text);
            } else if (wanted.includes('qr_code')) {
              const code = jsQR(img.data, w, h, { inversionAttempts: 'dontInvert' });
              if (code?.data) onCodeRef.current(code.data);
            }
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
