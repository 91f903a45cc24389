import { createRoot } from 'react-dom/client';
import { z } from 'zod';
import { App } from './desk/App.js';
import { getPlatform } from './shell/platform/index.js';
import './styles.css';

// The CSP forbids eval; zod would otherwise probe for it on every start.
z.config({ jitless: true });

createRoot(document.getElementById('root')!).render(<App platform={getPlatform('desktop')} />);
