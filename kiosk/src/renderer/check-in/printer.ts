import type { MedisyncApi, ShellConfig } from '@medisync/desktop/shell/common';
import type { TicketPrinter } from './check-in-service.js';

/**
 * The kiosk's ticket printer. Inside the Electron shell with a printer
 * configured, the ticket prints by itself; in a browser, the patient may print
 * it through the browser's dialog. Either way the print stylesheet
 * (styles.css, `@media print`) prints the ticket alone. Inside the shell
 * without a printer there is none: the ticket code stays on screen, and a
 * lobby kiosk offers no OS print dialog.
 */
export function ticketPrinter(
  config: Pick<ShellConfig, 'ticketPrinter'>,
  win: Window = window,
): TicketPrinter | undefined {
  const shell = (win as unknown as { medisync?: Pick<MedisyncApi, 'printTicket'> }).medisync;
  if (shell) {
    if (config.ticketPrinter === null) return undefined;
    const printTicket = shell.printTicket;
    return {
      automatic: true,
      async print() {
        await printTicket();
      },
    };
  }
  return {
    automatic: false,
    async print() {
      win.print();
    },
  };
}
