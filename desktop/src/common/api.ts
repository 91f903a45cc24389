/**
 * The one object the preload exposes as `window.medisync`: everything a
 * renderer may ask of the Electron main process. Plain functions only, so it
 * crosses the context bridge unchanged; main parses every argument anyway.
 */
export interface MedisyncApi {
  /** What the shell was started with: which app, which sync server. */
  getConfig(): Promise<ShellConfig>;
  /** A secret from the OS keychain (Electron `safeStorage`), or null when none is stored. */
  readSecret(name: SecretName): Promise<string | null>;
  writeSecret(name: SecretName, value: string): Promise<void>;
  deleteSecret(name: SecretName): Promise<void>;
  /** This installation's key for the local database, made on first use and kept in the keychain. */
  getDatabaseKey(): Promise<string>;
  /**
   * Prints the calling page silently on the kiosk's configured printer. True once
   * the job is handed over; false when no printer is configured or printing failed.
   */
  printTicket(): Promise<boolean>;
}

/** The only secrets a renderer may keep: a staff session to resume, or a device enrollment. */
export const secretNames = ['staff-session', 'device-enrollment'] as const;
export type SecretName = (typeof secretNames)[number];

/** Bounds of a kiosk's idle reset, in seconds (default 60). */
export const KIOSK_IDLE_SECONDS = { min: 5, max: 3600, default: 60 } as const;

/** Upper bound of one secret's size; a session or enrollment is well under 1 KiB. */
export const MAX_SECRET_LENGTH = 16_384;

export type AppName = 'desktop' | 'kiosk';

export interface ShellConfig {
  app: AppName;
  /** Origin of the clinic's sync server, e.g. `http://127.0.0.1:4000`. */
  serverUrl: string;
  /** Which screen a kiosk shows; null for the desktop. */
  kioskScreen: 'check-in' | 'display' | null;
  /** Seconds without a touch after which a kiosk clears its screen. */
  kioskIdleSeconds: number;
  /** The kiosk's ticket printer (the OS device name); null when tickets are not printed by the shell. */
  ticketPrinter: string | null;
}
