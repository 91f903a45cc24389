import { getPlatform } from '@medisync/desktop/shell/browser';
import { useMemo } from 'react';
import { createRoot } from 'react-dom/client';
import { z } from 'zod';
import { KioskDevice, type EnrolledDevice } from '../device/KioskDevice.js';
import '../styles.css';
import { CheckInFlow } from './CheckInFlow.js';
import { serverKioskPayments } from './kiosk-payments.js';
import { ticketPrinter } from './printer.js';
import { replicaCheckInService } from './replica-check-in-service.js';

// The CSP forbids eval; zod would otherwise probe for it on every start.
z.config({ jitless: true });

/** One service and printer for the life of the page: the flow reloads the lockout and settings when they change. */
function CheckInScreen({ device }: { device: EnrolledDevice }) {
  const service = useMemo(() => replicaCheckInService(device.db, device.enrollment, device.tickets), [device]);
  const printer = useMemo(() => ticketPrinter(device.config), [device]);
  const payments = useMemo(
    () => serverKioskPayments(device.config.serverUrl, () => device.enrollment.deviceToken),
    [device],
  );
  return (
    <CheckInFlow service={service} idleSeconds={device.config.kioskIdleSeconds} printer={printer} payments={payments} />
  );
}

createRoot(document.getElementById('root')!).render(
  <KioskDevice platform={getPlatform('kiosk')} role="kiosk">
    {(device) => <CheckInScreen device={device} />}
  </KioskDevice>,
);
