import {
  DomainError,
  transitionRecord,
  type Actor,
  type Appointment,
  type QueueEntry,
  type QueueStep,
} from '@medisync/shared/domain';
import { useCallback, useState } from 'react';
import { useAnnounce } from '../announcer.js';
import { deskActor, type Workspace } from '../workspace.js';

export interface LastAction {
  /** What happened, in words: "Called A-004 to Exam 2". */
  message: string;
  entryId: string;
  /** Offered only when the lifecycle lets the step be taken back. */
  undoable: boolean;
}

export interface QueueActions {
  /**
   * Saves the next state of an entry made by `step` from its latest local
   * state: a local write that syncs when it can, never waiting for the network.
   * Returns whether it was saved.
   */
  run(
    entryId: string,
    step: (entry: QueueEntry, how: QueueStep) => QueueEntry,
    describe: (next: QueueEntry) => string,
    options?: { undoable?: boolean; finishesVisit?: boolean },
  ): Promise<boolean>;
  error: string | null;
  clearError(): void;
  last: LastAction | null;
  clearLast(): void;
  actor: Actor;
}

/** The board's writes, with the outcome announced to screen readers and shown with an Undo. */
export function useQueueActions(workspace: Workspace): QueueActions {
  const { db } = workspace;
  const announce = useAnnounce();
  const [error, setError] = useState<string | null>(null);
  const [last, setLast] = useState<LastAction | null>(null);
  const actor = deskActor(workspace);

  const run = useCallback<QueueActions['run']>(
    async (entryId, step, describe, options = {}) => {
      setError(null);
      try {
        const doc = await db.rx.queueEntries.findOne(entryId).exec();
        if (doc === null) throw new Error('This ticket is no longer on this device.');
        const next = step(doc.toJSON() as QueueEntry, { clock: db.clock, actor });
        await db.save('queueEntries', next);
        if (options.finishesVisit && next.appointmentId) await fulfil(next.appointmentId);
        const message = describe(next);
        setLast({ message, entryId, undoable: options.undoable ?? false });
        announce(message);
        return true;
      } catch (failure) {
        const message =
          failure instanceof DomainError
            ? `Not saved: ${failure.message}.`
            : failure instanceof Error
              ? failure.message
              : 'The change could not be saved on this device.';
        setError(message);
        announce(message);
        return false;
      }
    },
    [db, actor.id, actor.role, announce],
  );

  /** The visit is over: the appointment is fulfilled, so Today shows it as seen. */
  async function fulfil(appointmentId: string) {
    const doc = await db.rx.appointments.findOne(appointmentId).exec();
    if (doc === null) return;
    const appointment = doc.toJSON() as Appointment;
    if (appointment.status !== 'checked-in' && appointment.status !== 'arrived') return;
    await db.save('appointments', transitionRecord('appointments', appointment, 'fulfilled', db.clock, actor));
  }

  return {
    run,
    error,
    clearError: () => setError(null),
    last,
    clearLast: () => setLast(null),
    actor,
  };
}
