import { create } from 'qrcode';
import { useMemo } from 'react';

/**
 * A payment link as a QR code the patient scans with their phone: Stripe's
 * hosted page, so the card never passes through MediSync (docs/architecture.md §9.7).
 * Drawn as one SVG path from the `qrcode` package's module matrix: no image
 * data URL, nothing the content security policy would have to allow.
 */
export function PaymentQr({ url, label, size = 220 }: { url: string; label: string; size?: number }) {
  const { path, modules } = useMemo(() => {
    const matrix = create(url, { errorCorrectionLevel: 'M' }).modules;
    const parts: string[] = [];
    for (let row = 0; row < matrix.size; row++) {
      for (let col = 0; col < matrix.size; col++) {
        if (matrix.get(row, col)) parts.push(`M${col + 4} ${row + 4}h1v1h-1z`);
      }
    }
    return { path: parts.join(''), modules: matrix.size + 8 };
  }, [url]);
  return (
    <svg
      className="payment-qr"
      role="img"
      aria-label={label}
      width={size}
      height={size}
      viewBox={`0 0 ${modules} ${modules}`}
      shapeRendering="crispEdges"
      data-payment-url={url}
    >
      <rect width={modules} height={modules} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}
