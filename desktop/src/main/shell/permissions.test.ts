import type { Session } from 'electron';
import { describe, expect, it } from 'vitest';
import { FakeSession } from '../testing/fake-electron.js';
import { denyAllPermissions } from './permissions.js';

describe('denyAllPermissions', () => {
  it.each(['media', 'geolocation', 'notifications', 'clipboard-read', 'hid', 'serial', 'openExternal'])(
    'answers a request for %s with no',
    (permission) => {
      const session = new FakeSession();
      const denied: string[] = [];
      denyAllPermissions(session as unknown as Session, (p) => denied.push(p));
      let granted: boolean | undefined;
      session.permissionRequestHandler?.({}, permission, (answer) => (granted = answer));
      expect(granted).toBe(false);
      expect(denied).toEqual([permission]);
    },
  );

  it('answers permission checks, device access and screen capture with no', () => {
    const session = new FakeSession();
    denyAllPermissions(session as unknown as Session);
    expect(session.permissionCheckHandler?.({}, 'media', 'app://desktop', {})).toBe(false);
    expect(session.devicePermissionHandler?.({ deviceType: 'usb', origin: 'app://desktop' })).toBe(false);
    let streams: object | undefined;
    session.displayMediaRequestHandler?.({}, (s) => (streams = s));
    expect(streams).toEqual({});
  });
});
