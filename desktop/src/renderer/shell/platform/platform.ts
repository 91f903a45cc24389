import type { SecretName, ShellConfig } from '../../../common/api.js';

/** What a renderer needs from where it runs: its configuration and a place for secrets. */
export interface Platform {
  kind: 'electron' | 'web';
  config(): Promise<ShellConfig>;
  readSecret(name: SecretName): Promise<string | null>;
  writeSecret(name: SecretName, value: string): Promise<void>;
  deleteSecret(name: SecretName): Promise<void>;
  /**
   * The key that encrypts patient fields in the local replica, from the OS
   * keychain; null in a plain browser, which has no keychain to keep it in.
   */
  databaseKey(): Promise<string | null>;
}
