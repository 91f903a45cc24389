import { normalizeAppointmentCode } from '@medisync/shared/domain';
import { BrowserQRCodeReader, type IScannerControls } from '@zxing/browser';
import { useEffect, useRef, useState } from 'react';
import type { Catalogue } from '../i18n/index.js';

/**
 * Reads the QR code of a reminder with the kiosk's camera (`@zxing/browser`)
 * and hands over the check-in code it holds; anything that is not a code is
 * ignored and scanning goes on. The camera is released when the scanner
 * closes, whatever closes it. Without a camera (or permission to use it) the
 * patient is told to type the code instead.
 */
export function QrScanner({
  t,
  onCode,
  onClose,
}: {
  t: Catalogue;
  onCode: (code: string) => void;
  onClose: () => void;
}) {
  const video = useRef<HTMLVideoElement>(null);
  const [failed, setFailed] = useState(false);
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
      if (!done) setFailed(true);
    });
    return () => {
      done = true;
      stop();
    };
  }, [onCode]);

  return (
    <div className="kiosk__scanner" data-testid="qr-scanner">
      {failed ? (
        <p className="kiosk__message kiosk__message--error" role="alert">
          {t.scanUnavailable}
        </p>
      ) : (
        <>
          <p className="kiosk__hint">{t.scanHint}</p>
          <video ref={video} className="kiosk__scanner-video" muted playsInline aria-label={t.scanHint} />
        </>
      )}
      <button type="button" className="touch" onClick={onClose}>
        {t.typeCodeInstead}
      </button>
    </div>
  );
}
