import type { CollectionName, ReplicaRole } from '@medisync/shared/domain';
import { newId } from '@medisync/shared/domain';
import { openDeviceDatabase, type DeviceDatabase } from '@medisync/shared/sync';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';

const DEVICE_ID_KEY = 'medisync.device-id';

/**
 * This browser profile's device id: the HLC node of every change made here,
 * so it is made once and kept. An enrolled device uses the id the server gave it.
 */
export function localDeviceId(storage: Storage = window.localStorage): string {
  const existing = storage.getItem(DEVICE_ID_KEY);
  if (existing !== null && /^[A-Za-z0-9-]{1,64}$/.test(existing)) return existing;
  const id = newId();
  storage.setItem(DEVICE_ID_KEY, id);
  return id;
}

/** RxDB database names allow lowercase letters, digits, `_`, `$` and `-`. */
export function databaseName(...parts: string[]): string {
  return ['medisync', ...parts].map((part) => part.toLowerCase().replace(/[^a-z0-9_$-]/g, '-')).join('-');
}

/** Opens the device's replica in real IndexedDB (RxDB's Dexie storage), shaped for its role (default: desk). */
export function openBrowserDeviceDatabase(options: {
  name: string;
  deviceId: string;
  role?: ReplicaRole;
  collections?: readonly CollectionName[];
  /** From `Platform.databaseKey()`; null leaves the replica unencrypted. */
  encryptionKey?: string | null;
}): Promise<DeviceDatabase> {
  const { encryptionKey, ...rest } = options;
  return openDeviceDatabase({ ...rest, storage: getRxStorageDexie(), ...(encryptionKey ? { encryptionKey } : {}) });
}
