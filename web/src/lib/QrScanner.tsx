// The phone camera as a QR reader (BarcodeDetector where the browser decodes QR codes, jsQR on canvas frames
// otherwise): the gate page reads personal QR codes with it, the verifier page certificates. Calls onCode for a code
// held in front of it, again only after `repeatAfterMs` (a code held still is one scan, not one per frame). Texts
// come from the caller, so any feature can use it.
import { Alert, Button, Stack, Text } from '@mantine/core';
import jsQR from 'jsqr';
import { useCallback, useEffect, useRef, useState } from 'react';

interface Detector {
  detect(source: CanvasImageSource): Promise<{ rawValue: string }[]>;
}
type DetectorCtor = (new (opts: { formats: string[] }) => Detector) & { getSupportedFormats?: () => Promise<string[]> };

export interface QrScannerTexts {
  start: string;
  stop: string;
  /** the camera could not be opened */
  unavailable: (error: string) => string;
  /** which decoder reads the frames ("BarcodeDetector" or "jsQR"), shown under the button when given */
  engine?: (name: string) => string;
}

export interface QrScannerProps {
  onCode: (text: string) => void;
  texts: QrScannerTexts;
  disabled?: boolean;
  /** the same code is reported again only after this long (default 10 s) */
  repeatAfterMs?: number;
}

export function QrScanner({ onCode, texts, disabled, repeatAfterMs = 10_000 }: QrScannerProps) {
  const [on, setOn] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [engine, setEngine] = useState('');
  const video = useRef<HTMLVideoElement | null>(null);
  const stream = useRef<MediaStream | null>(null);
  const last = useRef({ text: '', at: 0 });

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
      last.current = { text: '', at: 0 };
      setOn(true);
    } catch (e) {
      setError(texts.unavailable(e instanceof Error ? e.message : String(e)));
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
      setEngine(detector ? 'BarcodeDetector' : 'jsQR');
    })();
    const canvas = document.createElement('canvas');
    const g = canvas.getContext('2d', { willReadFrequently: true });
    let stopped = false;
    const found = (text: string) => {
      const now = Date.now();
      if (text === last.current.text && now - last.current.at < repeatAfterMs) return;
      last.current = { text, at: now };
      if (navigator.vibrate) navigator.vibrate(80);
      onCode(text);
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
            const code = jsQR(g.getImageData(0, 0, w, h).data, w, h, { inversionAttempts: 'dontInvert' });
            if (code?.data) found(code.data);
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
  }, [on, onCode, repeatAfterMs]);

  return (
    <Stack gap="xs">
      <video ref={video} muted playsInline style={{ width: '100%', maxHeight: 320, display: on ? 'block' : 'none', background: '#111', borderRadius: 8 }} />
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
