import { createRecord, newId, type Actor, type QueueEntry, type Site } from '../domain/index.js';
import type { DeviceDatabase } from './database.js';
import type { TicketDispenser } from './ticket-dispenser.js';

export const RECEPTION_QUEUE = 'reception';

/**
 * Puts an arrival in a queue on this device: a ticket code from the device's
 * leased block (or its own fallback code offline) and a waiting entry saved
 * locally, so check-in never waits for the network. Used by the desk and the
 * kiosk alike.
 */
export async function queueArrival(
  db: DeviceDatabase,
  tickets: TicketDispenser,
  site: Site,
  arrival: { appointmentId: string | null; patientId: string; priority?: QueueEntry['priority'] },
  actor: Actor,
  now = new Date(),
  queue = RECEPTION_QUEUE,
): Promise<QueueEntry> {
  const ticketCode = await tickets.issue(site, queue, now);
  const entry = createRecord(
    'queueEntries',
    {
      id: newId(),
      siteId: site.id,
      appointmentId: arrival.appointmentId,
      patientId: arrival.patientId,
      queue,
      ticketCode,
      priority: arrival.priority ?? 'normal',
      status: 'waiting',
      checkedInAt: now.toISOString(),
      roomId: null,
    },
    db.clock,
    actor,
  );
  await db.save('queueEntries', entry);
  return entry;
}
