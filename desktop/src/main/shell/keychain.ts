import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SafeStorage } from 'electron';
import type { SecretName } from '../../common/api.js';

export type KeychainEntry = SecretName | 'database-key';

export interface Keychain {
  /** False when the OS offers no real keychain: renderer secrets then live in memory only. */
  readonly secure: boolean;
  get(name: KeychainEntry): Promise<string | null>;
  set(name: KeychainEntry, value: string): Promise<void>;
  delete(name: KeychainEntry): Promise<void>;
  /** The local database key, made on first use. */
  databaseKey(): Promise<string>;
}

export interface KeychainOptions {
  safeStorage: Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'> &
    Partial<Pick<SafeStorage, 'getSelectedStorageBackend'>>;
  /** The file holding the encrypted values (in the app's userData folder). */
  file: string;
  warn?: (message: string) => void;
}

/**
 * Secrets encrypted by the operating system's keychain (Electron `safeStorage`:
 * Keychain on macOS, DPAPI on Windows, libsecret/kwallet on Linux) and kept as
 * ciphertext in one file.
 *
 * Where no real keychain exists (Linux without a secret service, where
 * Electron falls back to a hard-coded key), a refresh token or device token is
 * not written to disk at all: it lasts until the app quits and the user signs
 * in again. The database key is still written, because losing it would make
 * the local replica, and any change not yet synced, unreadable.
 */
export async function openKeychain(options: KeychainOptions): Promise<Keychain> {
  const { safeStorage } = options;
  const secure = safeStorage.isEncryptionAvailable() && safeStorage.getSelectedStorageBackend?.() !== 'basic_text';
  if (!secure) options.warn?.('no OS keychain available: sign-ins will not survive a restart');
  const encryptionWorks = safeStorage.isEncryptionAvailable();
  const onDisk = await readStore(options.file);
  const inMemory = new Map<KeychainEntry, string>();
  const persists = (name: KeychainEntry) => encryptionWorks && (secure || name === 'database-key');

  let writing = Promise.resolve();
  const save = () => {
    const content = JSON.stringify(onDisk);
    writing = writing.then(async () => {
      await mkdir(path.dirname(options.file), { recursive: true });
      const temporary = `${options.file}.${process.pid}.tmp`;
      await writeFile(temporary, content, { mode: 0o600 });
      await rename(temporary, options.file);
    });
    return writing;
  };

  const keychain: Keychain = {
    secure,
    async get(name) {
      if (!persists(name)) return inMemory.get(name) ?? null;
      const sealed = onDisk[name];
      if (sealed === undefined) return null;
      try {
        return safeStorage.decryptString(Buffer.from(sealed, 'base64'));
      } catch {
        options.warn?.(`keychain entry "${name}" could not be decrypted and was dropped`);
        delete onDisk[name];
        await save();
        return null;
      }
    },
    async set(name, value) {
      if (!persists(name)) {
        inMemory.set(name, value);
        return;
      }
      onDisk[name] = safeStorage.encryptString(value).toString('base64');
      await save();
    },
    async delete(name) {
      inMemory.delete(name);
      if (onDisk[name] === undefined) return;
      delete onDisk[name];
      await save();
    },
    async databaseKey() {
      const existing = await keychain.get('database-key');
      if (existing !== null) return existing;
      const key = randomBytes(32).toString('hex');
      await keychain.set('database-key', key);
      return key;
    },
  };
  return keychain;
}

async function readStore(file: string): Promise<Record<string, string>> {
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    return Object.fromEntries(
      Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    );
  } catch {
    return {};
  }
}
