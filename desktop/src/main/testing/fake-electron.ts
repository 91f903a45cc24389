import { EventEmitter } from 'node:events';

/**
 * A stand-in for the parts of Electron the shell uses, so main-process code is
 * unit-tested without Electron's binary (which cannot be downloaded everywhere).
 * Each fake records what the code under test registered and lets the test
 * fire the events Electron would.
 */

export interface FakeEvent {
  defaultPrevented: boolean;
  preventDefault(): void;
  url?: string;
}

export function fakeEvent(extra: Record<string, unknown> = {}): FakeEvent {
  return {
    defaultPrevented: false,
    preventDefault() {
      this.defaultPrevented = true;
    },
    ...extra,
  };
}

export class FakeWebContents extends EventEmitter {
  windowOpenHandler: ((details: { url: string }) => { action: 'allow' | 'deny' }) | null = null;
  /** The options of every `print` call, in order. */
  readonly printed: Record<string, unknown>[] = [];
  /** What the next `print` calls back with: Chromium's success flag and failure reason. */
  printOutcome: [success: boolean, failureReason: string] = [true, ''];

  print(options: Record<string, unknown>, callback: (success: boolean, failureReason: string) => void): void {
    this.printed.push(options);
    const [success, failureReason] = this.printOutcome;
    setImmediate(() => callback(success, failureReason));
  }

  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'allow' | 'deny' }): void {
    this.windowOpenHandler = handler;
  }

  /** Fires `will-navigate` as Electron would; true when the navigation was allowed. */
  navigate(url: string, event = 'will-navigate'): boolean {
    const e = fakeEvent({ url });
    if (event === 'will-frame-navigate') this.emit(event, e);
    else this.emit(event, e, url);
    return !e.defaultPrevented;
  }
}

type HeadersListener = (
  details: { url: string; responseHeaders?: Record<string, string[]> },
  callback: (response: { responseHeaders?: Record<string, string | string[]> }) => void,
) => void;

export class FakeSession {
  headersListener: HeadersListener | null = null;
  permissionRequestHandler:
    ((contents: unknown, permission: string, callback: (granted: boolean) => void, details?: object) => void) | null =
    null;
  permissionCheckHandler: ((...args: unknown[]) => boolean) | null = null;
  devicePermissionHandler: ((...args: unknown[]) => boolean) | null = null;
  displayMediaRequestHandler: ((request: unknown, callback: (streams: object) => void) => void) | null = null;
  readonly protocolHandlers = new Map<string, (request: Request) => Promise<Response> | Response>();

  readonly webRequest = {
    onHeadersReceived: (listener: HeadersListener) => {
      this.headersListener = listener;
    },
  };
  readonly protocol = {
    handle: (scheme: string, handler: (request: Request) => Promise<Response> | Response) => {
      this.protocolHandlers.set(scheme, handler);
    },
  };

  setPermissionRequestHandler(handler: FakeSession['permissionRequestHandler']) {
    this.permissionRequestHandler = handler;
  }
  setPermissionCheckHandler(handler: FakeSession['permissionCheckHandler']) {
    this.permissionCheckHandler = handler;
  }
  setDevicePermissionHandler(handler: FakeSession['devicePermissionHandler']) {
    this.devicePermissionHandler = handler;
  }
  setDisplayMediaRequestHandler(handler: FakeSession['displayMediaRequestHandler']) {
    this.displayMediaRequestHandler = handler;
  }

  /** Runs a response through the registered header listener, as Chromium would. */
  receive(url: string, responseHeaders: Record<string, string[]>): Record<string, string | string[]> | undefined {
    let result: Record<string, string | string[]> | undefined;
    this.headersListener?.({ url, responseHeaders }, (response) => {
      result = response.responseHeaders;
    });
    return result;
  }
}

export interface FakeFrame {
  url: string;
  parent: FakeFrame | null;
}

export class FakeIpcMain {
  readonly handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();

  handle(channel: string, listener: (event: unknown, ...args: unknown[]) => unknown): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }

  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }

  /** What `ipcRenderer.invoke` from a page at `frame` would get. */
  async invoke(channel: string, frame: FakeFrame | null, ...args: unknown[]): Promise<unknown> {
    return this.invokeFrom(channel, frame, {}, ...args);
  }

  /** As `invoke`, from a page whose web contents is `sender` (for handlers that act on the calling page). */
  async invokeFrom(channel: string, frame: FakeFrame | null, sender: object, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler({ senderFrame: frame, sender }, ...args);
  }
}

export function topFrame(url: string): FakeFrame {
  return { url, parent: null };
}

export function childFrame(url: string, parentUrl: string): FakeFrame {
  return { url, parent: topFrame(parentUrl) };
}

/** Reversible "encryption" that is visibly not the plaintext, so tests can check what reached the disk. */
export class FakeSafeStorage {
  constructor(
    private readonly available = true,
    private readonly backend: 'basic_text' | 'gnome_libsecret' = 'gnome_libsecret',
  ) {}

  isEncryptionAvailable(): boolean {
    return this.available;
  }
  getSelectedStorageBackend(): 'basic_text' | 'gnome_libsecret' {
    return this.backend;
  }
  encryptString(plain: string): Buffer {
    if (!this.available) throw new Error('Encryption is not available.');
    return Buffer.from(`sealed:${Buffer.from(plain, 'utf8').toString('hex')}`, 'utf8');
  }
  decryptString(sealed: Buffer): string {
    const text = sealed.toString('utf8');
    if (!text.startsWith('sealed:'))
      throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    return Buffer.from(text.slice('sealed:'.length), 'hex').toString('utf8');
  }
}
