import { getPlatform } from '@medisync/desktop/shell/browser';
import { createRoot } from 'react-dom/client';
import { z } from 'zod';
import { KioskDevice } from '../device/KioskDevice.js';
import '../styles.css';
import { CheckInFlow } from './CheckInFlow.js';
import { replicaCheckInService } from './replica-check-in-service.js';

// The CSP forbids eval; zod would otherwise probe for it on every start.
z.config({ jitless: true });

createRoot(document.getElementById('root')!).render(
  <KioskDevice platform={getPlatform('kiosk')} role="kiosk">
    {({ db, enrollment, config, tickets }) => (
      <CheckInFlow service={replicaCheckInService(db, enrollment, tickets)} idleSeconds={config.kioskIdleSeconds} />
    )}
  </KioskDevice>,
);
