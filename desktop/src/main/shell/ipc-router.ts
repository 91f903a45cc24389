import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import type { z } from 'zod';
import { IPC_PREFIX } from '../../common/ipc.js';

export type SenderCheck = (event: IpcMainInvokeEvent) => boolean;

/** Why a message was refused; the renderer sees only a generic error. */
export type RefusalReason = 'untrusted-sender' | 'invalid-arguments';

export interface IpcRouterOptions {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  isTrustedSender: SenderCheck;
  onRefused?: (channel: string, reason: RefusalReason, details?: unknown) => void;
}

export class IpcRefusedError extends Error {
  constructor(
    readonly channel: string,
    readonly reason: RefusalReason,
  ) {
    super(`${channel}: request refused (${reason})`);
    this.name = 'IpcRefusedError';
  }
}

/**
 * The one way into the main process: every channel is registered here, has
 * the `medisync:` prefix, accepts messages only from the app's own top frame,
 * and parses its arguments with zod before the handler sees them.
 */
export class IpcRouter {
  private readonly channels = new Set<string>();

  constructor(private readonly options: IpcRouterOptions) {}

  /**
   * The handler gets the parsed arguments and, after them, the sender's web
   * contents, for the few calls that act on the calling page (printing it).
   */
  route<A extends unknown[], R>(
    channel: string,
    args: z.ZodType<A>,
    handler: (...args: [...A, sender: WebContents]) => R | Promise<R>,
  ): this {
    if (!channel.startsWith(IPC_PREFIX)) throw new Error(`IPC channel "${channel}" must start with "${IPC_PREFIX}"`);
    if (this.channels.has(channel)) throw new Error(`IPC channel "${channel}" is routed twice`);
    this.channels.add(channel);
    this.options.ipcMain.handle(channel, async (event, ...raw: unknown[]) => {
      if (!this.options.isTrustedSender(event)) {
        this.options.onRefused?.(channel, 'untrusted-sender', { url: event.senderFrame?.url ?? null });
        throw new IpcRefusedError(channel, 'untrusted-sender');
      }
      const parsed = args.safeParse(raw);
      if (!parsed.success) {
        this.options.onRefused?.(
          channel,
          'invalid-arguments',
          parsed.error.issues.map((i) => i.path.join('.') || '(args)'),
        );
        throw new IpcRefusedError(channel, 'invalid-arguments');
      }
      return handler(...parsed.data, event.sender);
    });
    return this;
  }

  /** Removes every route, e.g. before the app quits or in tests. */
  close(): void {
    for (const channel of this.channels) this.options.ipcMain.removeHandler(channel);
    this.channels.clear();
  }
}

/** Trusts only the top frame of a page served from the app's own origin. */
export function appFrameOnly(isAppUrl: (url: string) => boolean): SenderCheck {
  return (event) => {
    const frame = event.senderFrame;
    return frame !== null && frame.parent === null && isAppUrl(frame.url);
  };
}
