import { z } from 'zod';
import { collectionNames, type CollectionName } from '../domain/index.js';

/**
 * The wire protocol between devices and the sync server: RxDB's replication
 * protocol over HTTP (pull, push) plus live events over socket.io.
 * docs/architecture.md §3 explains the guarantees; these schemas are its contract.
 */

export const PROTOCOL_VERSION = 1;

export const collectionNameSchema = z.enum(collectionNames as [CollectionName, ...CollectionName[]]);

/**
 * Where a device is in a collection's change feed. A new device first receives
 * the `priority` phase (today's working set) and then the whole `history`,
 * starting again from the beginning, so nothing changed meanwhile is missed.
 */
export const checkpointSchema = z.object({
  phase: z.enum(['priority', 'history']),
  seq: z.number().int().nonnegative(),
  /**
   * For views of one day only (a kiosk's appointments): the site's date the
   * checkpoint belongs to. On a new day the server starts the device over.
   */
  day: z.iso.date().optional(),
  /**
   * The working set the priority phase sends: the site's date it is for and the
   * last seq committed at the site when the phase began. Set when the phase
   * begins and carried into history, which then skips what the phase already
   * sent (a record of that set at or below that seq) instead of sending it twice.
   */
  workingSet: z.object({ day: z.iso.date(), seq: z.number().int().nonnegative() }).optional(),
  /**
   * An estimate of the rows still to come after this checkpoint, for progress:
   * counted once when a sync starts, then lowered by each page sent, so no page
   * counts what follows it. Absent in live events; the next pull counts again.
   */
  toCome: z.number().int().nonnegative().optional(),
});
export type Checkpoint = z.infer<typeof checkpointSchema>;

export const pullQuerySchema = z.object({
  checkpoint: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw === '') return undefined;
      try {
        return checkpointSchema.parse(JSON.parse(raw));
      } catch {
        ctx.addIssue({ code: 'custom', message: 'expected a JSON checkpoint {"phase","seq"}' });
        return z.NEVER;
      }
    }),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  /**
   * `apart`: the page that ends the priority phase is not topped up with history,
   * so a new device stores today's working set before the history competes with
   * it for the device's database. That page is short and yet says `remaining` > 0:
   * the device pulls on from its checkpoint. Without it every page but the last
   * is full, which is all RxDB alone understands (it stops at a short page).
   */
  workingSet: z.literal('apart').optional(),
});
export type PullQuery = z.infer<typeof pullQuerySchema>;

export interface PullResponse<T = Record<string, unknown>> {
  documents: (T & { _deleted: boolean })[];
  checkpoint: Checkpoint | null;
  /**
   * Rows still to come after this page, for first-sync progress: an estimate (see
   * `toCome`), 0 at the end. Above 0 on a short page only where a working set asked
   * `apart` ends.
   */
  remaining: number;
}

export const pushRowSchema = z.object({
  newDocumentState: z.record(z.string(), z.unknown()),
  assumedMasterState: z.record(z.string(), z.unknown()).nullish(),
});
export const pushBodySchema = z.array(pushRowSchema).max(1000);
export type PushRow = z.infer<typeof pushRowSchema>;

export interface RejectedRow {
  id: string | null;
  error: {
    code: string;
    message: string;
    details: { issues?: { path: string; message: string }[] } & Record<string, unknown>;
  };
}

export interface PushResponse<T = Record<string, unknown>> {
  /**
   * The server's state of every pushed record that differs from what the
   * device sent or assumed: concurrent changes merged in, or fields only the
   * server sets (an MRN, an attention flag). The device adopts them.
   */
  conflicts: (T & { _deleted: boolean })[];
  /** Rows that failed validation or permission; every other row was stored. */
  rejected: RejectedRow[];
}

/**
 * On every sync answer of a server whose database was restored from a backup:
 * the last change that backup holds (ISO instant). A device sends again what it
 * wrote since, which the restore lost (docs/architecture.md §7.5).
 */
export const RESTORED_THROUGH_HEADER = 'x-medisync-restored-through';

/** socket.io events. */
export const LIVE_CHANGE_EVENT = 'change';
export const REVOKED_EVENT = 'revoked';

/**
 * A committed change, sent to every device of the site. `fromSeq` is the last
 * seq of this collection at the site before the change: a device whose
 * checkpoint is exactly there may apply the documents and move on; any other
 * device pulls instead, so a live event never moves a checkpoint past a row
 * the device has not received.
 */
export interface LiveChange<T = Record<string, unknown>> {
  collection: CollectionName;
  fromSeq: number;
  checkpoint: Checkpoint;
  /** Absent when the change was too large to inline: a hint to pull. */
  documents?: (T & { _deleted: boolean })[];
}

/** Errors everywhere look like this (docs/architecture.md §8.2). */
export interface ApiError {
  error: { code: string; message: string; details?: unknown };
}
