import { canonicalJson, type Appointment } from '@medisync/shared/domain';
import type { WriteCheck } from '#sync/store';

/**
 * The no-show score is the server's (docs/architecture.md §9.8): a device
 * pushing an appointment with an older score is fine (the merge keeps the
 * server's later write), but a score the device wrote itself is refused.
 */
export const serverWrittenNoShowRisk: WriteCheck = (_collection, next, previous) => {
  const appointment = next as unknown as Appointment;
  const before = previous as unknown as Appointment | undefined;
  const wrote =
    before === undefined
      ? appointment.noShowRisk != null
      : (appointment.clocks.noShowRisk ?? '') > (before.clocks.noShowRisk ?? '');
  if (wrote && canonicalJson(appointment.noShowRisk ?? null) !== canonicalJson(before?.noShowRisk ?? null)) {
    return 'the no-show score is written by the server, never by a device';
  }
  return null;
};
