import type { WebContents } from 'electron';

/**
 * Prints the page in `contents` (the kiosk's check-in screen; its print
 * stylesheet leaves only the ticket) on `deviceName` without a dialog. The
 * renderer learns only whether it worked; why not goes to the log.
 */
export function printTicketSilently(
  contents: Pick<WebContents, 'print'>,
  deviceName: string | null,
  log: (message: string) => void,
): Promise<boolean> {
  // Without a device name a silent print would go to whatever the OS calls its default printer.
  if (!deviceName) {
    log('ticket not printed: no ticket printer is configured (MEDISYNC_TICKET_PRINTER)');
    return Promise.resolve(false);
  }
  return new Promise((resolve) => {
    try {
      contents.print({ silent: true, deviceName, printBackground: true }, (success, failureReason) => {
        if (!success) log(`ticket not printed on "${deviceName}": ${failureReason || 'unknown reason'}`);
        resolve(success);
      });
    } catch (error) {
      log(`ticket not printed on "${deviceName}": ${error instanceof Error ? error.message : String(error)}`);
      resolve(false);
    }
  });
}
