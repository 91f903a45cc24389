import { changeRecord, kioskPaymentsAt } from '@medisync/shared/domain';
import { useState } from 'react';
import { Checkbox } from 'react-aria-components';
import { useAnnounce } from '../announcer.js';
import { useBillingSettings } from '../billing/use-billing-settings.js';
import { useSiteRecord } from '../use-site-record.js';
import type { Workspace } from '../workspace.js';

/**
 * An admin's choice whether the site's lobby kiosks offer to pay the copay
 * after check-in (docs/architecture.md §9.7). Saved to the site record like any
 * site setting, and synced; a site that never chose follows the server's
 * default. Card payments need Stripe on the server, so without it the choice
 * is shown but cannot be made.
 */
export function KioskPaymentsSetting({ workspace }: { workspace: Workspace }) {
  const announce = useAnnounce();
  const settings = useBillingSettings(workspace);
  const site = useSiteRecord(workspace);
  const [problem, setProblem] = useState<string | null>(null);

  const offered =
    site !== null &&
    settings !== null &&
    kioskPaymentsAt(site, { cardPayments: settings.payments, kioskPaymentsByDefault: settings.kioskPaymentsByDefault });

  async function choose(kioskPayments: boolean) {
    if (site === null) return;
    try {
      await workspace.db.save('sites', changeRecord('sites', site, { billing: { kioskPayments } }, workspace.db.clock));
      setProblem(null);
      announce(kioskPayments ? 'Kiosks offer the copay after check-in' : 'Kiosks send patients to the desk to pay');
    } catch (failure) {
      setProblem(failure instanceof Error ? failure.message : String(failure));
    }
  }

  return (
    <section className="fees__kiosk" aria-labelledby="fees-kiosk-title">
      <h2 id="fees-kiosk-title">Paying at the kiosk</h2>
      <Checkbox
        className="checkbox"
        isSelected={offered}
        isDisabled={site === null || settings === null || !settings.payments}
        onChange={(selected) => void choose(selected)}
      >
        <span className="checkbox__box" aria-hidden="true">
          {offered ? '✓' : ''}
        </span>
        <span className="checkbox__label">Offer patients to pay their copay at the kiosk after they check in</span>
      </Checkbox>
      <p className="fees__note">
        {settings !== null && !settings.payments
          ? 'Card payments are not set up on this server, so patients pay at the desk.'
          : site?.billing === undefined
            ? 'This site follows the server’s default until you choose.'
            : 'Patients who skip it, or whose kiosk is offline, pay at the desk.'}
      </p>
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
    </section>
  );
}
