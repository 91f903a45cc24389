import type express from 'express';
import type { ApiDeps } from '#api/service';
import type { ChangeFeed } from '#changes/feed';
import type { EmailChannel } from './channels/channel.js';
import { emailChannel } from './channels/email.js';
import { smsChannel } from './channels/sms.js';
import type { ReminderConfig, ReminderTiming } from './config.js';
import { reminderKeys } from './codes.js';
import { queueAlmostTurn } from './almost-turn.js';
import { Notices } from './notices.js';
import { remindersRouter } from './router.js';
import { ReminderScheduler } from './scheduler.js';

/** What tests change about reminders: faster timing, the stand-ins' AWS credentials, a clock. */
export interface ReminderStartOptions {
  timing?: Partial<ReminderTiming>;
  awsCredentials?: { accessKeyId: string; secretAccessKey: string };
  now?: () => Date;
}

export interface Reminders {
  router: express.Router;
  /** The email channel configured (REMINDER_EMAIL), which billing also sends invoices through; null: none. */
  email: EmailChannel | null;
  scheduler: ReminderScheduler;
  notices: Notices;
  start(): void;
  stop(): Promise<void>;
}

/**
 * Reminders on one server instance (docs/architecture.md §9.6): the channels
 * the configuration names, the scheduler, the public confirm, cancel and
 * unsubscribe page with the SMS reply webhook, and the staff notices they and
 * the committed-change feed raise.
 */
export function createReminders(
  deps: ApiDeps & {
    config: ReminderConfig;
    tokenSecret: string;
    publicUrl: () => string;
    changes: ChangeFeed;
  },
  options: ReminderStartOptions = {},
): Reminders {
  const keys = reminderKeys(deps.tokenSecret);
  const email = deps.config.email ? emailChannel(deps.config.email, options.awsCredentials) : null;
  const sms = deps.config.sms ? smsChannel(deps.config.sms, options.awsCredentials) : null;
  const notices = new Notices(deps);
  const scheduler = new ReminderScheduler({
    ...deps,
    onDelivery: (message) => notices.delivery(message),
    housekeeping: async () => {
      await notices.expire();
    },
    keys,
    timing: { ...deps.config.timing, ...options.timing },
    email,
    sms,
    ...(options.now ? { now: options.now } : {}),
  });
  const router = remindersRouter({
    ...deps,
    keys,
    sms: deps.config.sms,
    onCancelled: (appointment) => notices.cancelled(appointment),
    onConfirmed: (appointment) => notices.confirmed(appointment),
  });
  let unsubscribe = () => {};
  return {
    router,
    email,
    scheduler,
    notices,
    start() {
      scheduler.start();
      unsubscribe = deps.changes.onCommitted(async (change) => {
        await notices
          .fromFeed(change)
          .catch((error: unknown) => deps.log.warn({ err: String(error) }, 'notice not raised'));
        const queued = await queueAlmostTurn(deps.db, change).catch((error: unknown) => {
          deps.log.warn({ err: String(error) }, '"almost your turn" not queued');
          return 0;
        });
        if (queued > 0) scheduler.poke();
      });
    },
    async stop() {
      unsubscribe();
      await scheduler.stop();
      await email?.close();
      await sms?.close();
    },
  };
}
