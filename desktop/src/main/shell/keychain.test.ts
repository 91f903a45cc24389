import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeSafeStorage } from '../testing/fake-electron.js';
import { openKeychain } from './keychain.js';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'medisync-keychain-'));
  file = path.join(dir, 'keychain.json');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('keychain', () => {
  it('keeps secrets encrypted on disk across restarts', async () => {
    const safeStorage = new FakeSafeStorage();
    const first = await openKeychain({ safeStorage, file });
    await first.set('staff-session', '{"refreshToken":"r-123"}');
    expect(await readFile(file, 'utf8')).not.toContain('r-123');
    const second = await openKeychain({ safeStorage, file });
    expect(await second.get('staff-session')).toBe('{"refreshToken":"r-123"}');
    await second.delete('staff-session');
    expect(await (await openKeychain({ safeStorage, file })).get('staff-session')).toBeNull();
  });

  it('makes the database key once and returns the same key after a restart', async () => {
    const safeStorage = new FakeSafeStorage();
    const key = await (await openKeychain({ safeStorage, file })).databaseKey();
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(await (await openKeychain({ safeStorage, file })).databaseKey()).toBe(key);
  });

  it('writes no token to disk without a real OS keychain, but keeps the database key', async () => {
    const warnings: string[] = [];
    const safeStorage = new FakeSafeStorage(true, 'basic_text');
    const keychain = await openKeychain({ safeStorage, file, warn: (m) => warnings.push(m) });
    expect(keychain.secure).toBe(false);
    await keychain.set('device-enrollment', 'device-token-xyz');
    expect(await keychain.get('device-enrollment')).toBe('device-token-xyz');
    const key = await keychain.databaseKey();
    const reopened = await openKeychain({ safeStorage, file });
    expect(await reopened.get('device-enrollment')).toBeNull();
    expect(await reopened.databaseKey()).toBe(key);
    expect(warnings.join()).toMatch(/no OS keychain/);
  });

  it('drops an entry it cannot decrypt instead of failing to start', async () => {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(file, JSON.stringify({ 'staff-session': Buffer.from('garbage').toString('base64') }));
    const keychain = await openKeychain({ safeStorage: new FakeSafeStorage(), file });
    expect(await keychain.get('staff-session')).toBeNull();
  });
});
