// The phone camera as a QR reader (BarcodeDetector where the browser decodes QR codes, jsQR on canvas frames
// otherwise), as the gate page reads personal QR codes. Calls onCode once per distinct code held in front of it.
// Texts come from the caller, so any feature can use it.
import { Alert, Button, Stack } from '@mantine/core';
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
}

export function QrScanner({ onCode, texts, disabled }: { onCode: (text: string) => void; texts: QrScannerTexts; disabled?: boolean }) {
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
      last.current = '';
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
  }, [on, onCode]);

  return (
    <Stack gap="xs">
      <video ref={video} muted playsInline style={{ width: '100%', maxHeight: 320, display: on ? 'block' : 'none', background: '#111', borderRadius: 8 }} />
      {error && <Alert color="orange">{error}</Alert>}
      <Button size="md" variant={on ? 'default' : 'filled'} disabled={disabled} onClick={() => (on ? stop() : void start())}>
        {on ? texts.stop : texts.start}
      </Button>
    </Stack>
  );
}
