// The phone camera as a code reader, the one camera component of the app: QR codes by default (the gate's personal
// QR codes, the verifier's certificates, the vaccination site's cards), and on request the 1D barcodes printed on
// sample tubes (`formats`, e.g. TUBE_FORMATS: Code 128, EAN, …; the sampling page). Frames are read five times a
// second by BarcodeDetector where the browser has it and knows every format asked for (Android, ChromeOS, macOS);
// otherwise by ZXing (@zxing/library, its own chunk, fetched only when a 1D format is asked for) or jsQR for QR codes
// only. Calls onCode for a code held in front of it, again only after `repeatAfterMs` (a code held still is one
// scan, not one per frame; 0: every reading, the caller decides). Texts come from the caller.
import { Alert, Button, Stack, Text } from '@mantine/core';
import jsQR from 'jsqr';
import { useCallback, useEffect, useRef, useState } from 'react';

/** BarcodeDetector format names: a personal QR, and the symbologies printed on sample tubes. */
export type CodeFormat = 'qr_code' | 'code_128' | 'code_39' | 'code_93' | 'codabar' | 'ean_13' | 'ean_8' | 'itf' | 'data_matrix';
export const TUBE_FORMATS: CodeFormat[] = ['code_128', 'code_39', 'code_93', 'codabar', 'itf', 'ean_13', 'ean_8', 'data_matrix', 'qr_code'];

type Decode = (gray: Uint8ClampedArray, width: number, height: number) => string | null;

/** A ZXing reader of `formats` over grey-scale frames (the library is its own chunk, fetched only when needed). */
async function zxingDecoder(formats: CodeFormat[]): Promise<Decode> {
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
  reader.setHints(new Map<number, unknown>([[zx.DecodeHintType.POSSIBLE_FORMATS, formats.map((f) => map[f]).filter((f) => f !== undefined)]]) as never);
  return (gray, width, height) => {
    try {
      return reader.decodeWithState(new zx.BinaryBitmap(new zx.HybridBinarizer(new zx.RGBLuminanceSource(gray, width, height)))).getText();
    } catch {
      return null; // nothing readable in this frame
    }
  };
}

interface Detector {
  detect(source: CanvasImageSource): Promise<{ rawValue: string }[]>;
}
type DetectorCtor = (new (opts: { formats: string[] }) => Detector) & { getSupportedFormats?: () => Promise<string[]> };

export interface QrScannerTexts {
  start: string;
  stop: string;
  /** the camera could not be opened */
  unavailable: (error: string) => string;
  /** which decoder reads the frames ("BarcodeDetector", "ZXing" or "jsQR"), shown under the button when given */
  engine?: (name: string) => string;
}

export interface QrScannerProps {
  onCode: (text: string) => void;
  texts: QrScannerTexts;
  disabled?: boolean;
  /** the same code is reported again only after this long (default 10 s; 0: every reading) */
  repeatAfterMs?: number;
  /** what to read (default: QR codes only) */
  formats?: CodeFormat[];
  maxHeight?: number;
  testId?: string;
}

export function QrScanner({ onCode, texts, disabled, repeatAfterMs = 10_000, formats = ['qr_code'], maxHeight = 320, testId }: QrScannerProps) {
  const [on, setOn] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [engine, setEngine] = useState('');
  const video = useRef<HTMLVideoElement | null>(null);
  const stream = useRef<MediaStream | null>(null);
  const last = useRef({ text: '', at: 0 });
  const onCodeRef = useRef(onCode);
  onCodeRef.current = onCode;
  const formatsKey = formats.join(',');

  const stop = useCallback(() => {
    stream.current?.getTracks().forEach((tr) => tr.stop());
    stream.current = null;
    setOn(false);
  }, []);
  useEffect(() => stop, [stop]);
  useEffect(() => {
    if (disabled) stop();
  }, [disabled, stop]);

  const start = async () => {
    setError(null);
    try {
      const s = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
      stream.current = s;
      video.current!.srcObject = s;
      await video.current!.play();
      last.current = { text: '', at: 0 };
      setOn(true);
    } catch (e) {
      setError(texts.unavailable(e instanceof Error ? e.message : String(e)));
    }
  };

  useEffect(() => {
    if (!on) return;
    const v = video.current!;
    const wanted = formatsKey.split(',') as CodeFormat[];
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
    const g = canvas.getContext('2d', { willReadFrequently: true });
    let stopped = false;
    const found = (text: string) => {
      const now = Date.now();
      if (text === last.current.text && now - last.current.at < repeatAfterMs) return;
      last.current = { text, at: now };
      if (repeatAfterMs > 0 && navigator.vibrate) navigator.vibrate(80);
      onCodeRef.current(text);
    };
    const tick = async () => {
      if (stopped) return;
      await ready;
      try {
        if (v.readyState >= 2) {
          if (detector) {
            const codes = await detector.detect(v);
            if (codes[0]) found(codes[0].rawValue);
          } else if (g) {
            // a certificate's QR is dense: read frames at up to 960 px wide
            const w = Math.min(960, v.videoWidth);
            const h = Math.round((v.videoHeight * w) / Math.max(1, v.videoWidth));
            canvas.width = w;
            canvas.height = h;
            g.drawImage(v, 0, 0, w, h);
            const img = g.getImageData(0, 0, w, h);
            if (zxing) {
              const gray = new Uint8ClampedArray(w * h);
              for (let i = 0, j = 0; i < gray.length; i++, j += 4) gray[i] = (img.data[j]! * 77 + img.data[j + 1]! * 150 + img.data[j + 2]! * 29) >> 8;
              const text = zxing(gray, w, h);
              if (text) found(text);
            } else if (wanted.includes('qr_code')) {
              const code = jsQR(img.data, w, h, { inversionAttempts: 'dontInvert' });
              if (code?.data) found(code.data);
            }
          }
        }
      } catch {
        // a frame that cannot be read: try the next one
      }
      v.dataset.framesRead = String(Number(v.dataset.framesRead ?? 0) + 1); // for diagnostics and tests
      if (!stopped) setTimeout(() => void tick(), 200);
    };
    void tick();
    return () => {
      stopped = true;
    };
  }, [on, formatsKey, repeatAfterMs]);

  return (
    <Stack gap="xs" data-testid={testId}>
      <video ref={video} muted playsInline style={{ width: '100%', maxHeight, display: on ? 'block' : 'none', background: '#111', borderRadius: 8 }} />
      {error && <Alert color="orange">{error}</Alert>}
      <Button size="md" variant={on ? 'default' : 'filled'} disabled={disabled} onClick={() => (on ? stop() : void start())}>
        {on ? texts.stop : texts.start}
      </Button>
      {on && engine && texts.engine && (
        <Text size="xs" c="dimmed">
          {texts.engine(engine)}
        </Text>
      )}
    </Stack>
  );
}
