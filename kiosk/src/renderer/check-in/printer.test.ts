import { describe, expect, it } from 'vitest';
import { ticketPrinter } from './printer.js';

function page(shell: { printTicket: () => Promise<boolean> } | undefined) {
  const calls: string[] = [];
  const win = {
    medisync: shell && { printTicket: () => (calls.push('printTicket'), shell.printTicket()) },
    print: () => void calls.push('window.print'),
  } as unknown as Window;
  return { win, calls };
}

describe('ticketPrinter', () => {
  it('prints by itself in the shell with a configured printer', async () => {
    const { win, calls } = page({ printTicket: async () => true });
    const printer = ticketPrinter({ ticketPrinter: 'Star_TSP143' }, win);
    expect(printer?.automatic).toBe(true);
    await printer?.print();
    expect(calls).toEqual(['printTicket']);
  });

  it('offers no printer in the shell without one, so the kiosk never claims a printed ticket', () => {
    const { win } = page({ printTicket: async () => false });
    expect(ticketPrinter({ ticketPrinter: null }, win)).toBeUndefined();
  });

  it("in a browser, offers the browser's print dialog", async () => {
    const { win, calls } = page(undefined);
    const printer = ticketPrinter({ ticketPrinter: null }, win);
    expect(printer?.automatic).toBe(false);
    await printer?.print();
    expect(calls).toEqual(['window.print']);
  });
});
