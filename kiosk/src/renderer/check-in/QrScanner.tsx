import { normalizeAppointmentCode } from '@medisync/shared/domain';
import { BrowserQRCodeReader, type IScannerControls } from '@zxing/browser';
import { useEffect, useRef } from 'react';
import type { Catalogue } from '../i18n/index.js';

/**
 * Reads the QR code of a reminder with the kiosk's camera (`@zxing/browser`)
 * and hands over the check-in code it holds; anything that is not a code is
 * ignored and scanning goes on. The camera is released when the scanner
 * closes, whatever closes it. Without a camera (or permission to use it) it
 * calls `onUnavailable`, and the check-in form tells the patient to type the code.
 */
export function QrScanner({
  t,
  onCode,
  onUnavailable,
  onClose,
}: {
  t: Catalogue;
  onCode: (code: string) => void;
  onUnavailable: () => void;
  onClose: () => void;
}) {
  const video = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    let controls: IScannerControls | null = null;
    let stream: MediaStream | null = null;
    let done = false;
    const stop = () => {
      controls?.stop();
      stream?.getTracks().forEach((track) => track.stop());
    };
    const reader = new BrowserQRCodeReader();
    (async () => {
      // The camera is open and playing before zxing is given it: zxing's own start
      // (decodeFromVideoDevice) listens for a `canplay` that may have fired already, and
      // then gives up after five seconds, which a busy kiosk reported as no camera.
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
      if (done) return stop();
      const element = video.current!;
      element.srcObject = stream;
      await element.play();
      controls = await reader.decodeFromVideoElement(element, (result) => {
        const code = result ? normalizeAppointmentCode(result.getText()) : null;
        if (code === null || done) return;
        done = true;
        stop();
        onCode(code);
      });
      if (done) stop();
    })().catch(() => {
      if (!done) onUnavailable();
    });
    return () => {
      done = true;
      stop();
    };
  }, [onCode, onUnavailable]);

  return (
    <div className="kiosk__scanner" data-testid="qr-scanner">
      <p className="kiosk__hint">{t.scanHint}</p>
      <video ref={video} className="kiosk__scanner-video" muted playsInline aria-label={t.scanHint} />
      <button type="button" className="touch" onClick={onClose}>
        {t.typeCodeInstead}
      </button>
    </div>
  );
}
