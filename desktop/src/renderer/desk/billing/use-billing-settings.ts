import { useEffect, useState } from 'react';
import type { Workspace } from '../workspace.js';
import { billingSettings, type BillingSettings } from './billing-api.js';

/** What the server says of billing (card payments, the reader, kiosk payments, email); null until it answers, and offline. */
export function useBillingSettings(workspace: Workspace): BillingSettings | null {
  const [settings, setSettings] = useState<BillingSettings | null>(null);
  useEffect(() => {
    let live = true;
    billingSettings(workspace).then(
      (answer) => live && setSettings(answer),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [workspace]);
  return settings;
}
