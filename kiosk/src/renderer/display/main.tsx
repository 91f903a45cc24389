import { getPlatform } from '@medisync/desktop/shell/browser';
import { createRoot } from 'react-dom/client';
import { z } from 'zod';
import { KioskDevice } from '../device/KioskDevice.js';
import { languageFor } from '../i18n/index.js';
import '../styles.css';
import { DisplayScreen } from './DisplayScreen.js';

// The CSP forbids eval; zod would otherwise probe for it on every start.
z.config({ jitless: true });

// A display speaks one language, chosen where it is set up: display.html?lang=es
const language = languageFor(new URLSearchParams(location.search).get('lang'));

createRoot(document.getElementById('root')!).render(
  <KioskDevice platform={getPlatform('kiosk')} role="display">
    {(device) => <DisplayScreen device={device} language={language} />}
  </KioskDevice>,
);
