// The kiosk exposes exactly the desktop's `window.medisync`: one preload, one contract.
import '@medisync/desktop/shell/preload';
