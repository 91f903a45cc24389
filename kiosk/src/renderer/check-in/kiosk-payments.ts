import { z } from 'zod';
import type { CopayOffer, KioskPayments } from './check-in-service.js';

const payment = z.object({ status: z.string(), url: z.string().nullable() });
const offer = z.object({
  offered: z.boolean(),
  dueCents: z.number().int().min(0),
  currency: z.string(),
  payment: payment.nullable(),
});
const started = z.object({ payment });

/** The check-in was saved on the kiosk first; the server learns of it a moment later, when it syncs. */
const CHECK_IN_SYNC_TRIES = 20;
const CHECK_IN_SYNC_WAIT_MS = 750;
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The kiosk's copay payments through the server's `/billing/kiosk` routes, with the device's token. */
export function serverKioskPayments(serverUrl: string, token: () => string): KioskPayments {
  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${serverUrl}/billing/kiosk/appointments/${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token()}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
    });
  return {
    async copay(appointmentId): Promise<CopayOffer | null> {
      try {
        for (let attempt = 1; ; attempt++) {
          const response = await call(encodeURIComponent(appointmentId));
          // 409: the server does not have the check-in yet; it follows as soon as the kiosk syncs.
          if (response.status === 409 && attempt < CHECK_IN_SYNC_TRIES) {
            await wait(CHECK_IN_SYNC_WAIT_MS);
            continue;
          }
          if (!response.ok) return null;
          const answer = offer.parse(await response.json());
          return answer.offered
            ? { dueCents: answer.dueCents, currency: answer.currency, payment: answer.payment }
            : null;
        }
      } catch {
        return null;
      }
    },
    async pay(appointmentId) {
      const response = await call(`${encodeURIComponent(appointmentId)}/pay`, { method: 'POST', body: '{}' });
      if (!response.ok) throw new Error(`the server answered ${response.status}`);
      return started.parse(await response.json()).payment;
    },
  };
}
