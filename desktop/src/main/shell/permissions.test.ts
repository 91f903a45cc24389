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

  it("lets the kiosk's own page use a camera, and nothing else: no microphone, no other page, no other permission", () => {
    const session = new FakeSession();
    const denied: string[] = [];
    denyAllPermissions(session as unknown as Session, (p) => denied.push(p), { cameraFor: 'kiosk' });
    const ask = (permission: string, details: object) => {
      let granted: boolean | undefined;
      session.permissionRequestHandler?.({}, permission, (answer) => (granted = answer), details);
      return granted;
    };
    expect(ask('media', { requestingUrl: 'app://kiosk/check-in.html', mediaTypes: ['video'] })).toBe(true);
    expect(ask('media', { requestingUrl: 'app://kiosk/check-in.html', mediaTypes: ['video', 'audio'] })).toBe(false);
    expect(ask('media', { requestingUrl: 'app://desktop/index.html', mediaTypes: ['video'] })).toBe(false);
    expect(ask('media', { requestingUrl: 'https://evil.example/', mediaTypes: ['video'] })).toBe(false);
    expect(ask('geolocation', { requestingUrl: 'app://kiosk/check-in.html' })).toBe(false);
    expect(denied).toEqual(['media', 'media', 'media', 'geolocation']);
    const check = (details: object) => session.permissionCheckHandler?.({}, 'media', 'app://kiosk', details);
    expect(check({ requestingUrl: 'app://kiosk/check-in.html', mediaType: 'video' })).toBe(true);
    expect(check({ requestingUrl: 'app://kiosk/check-in.html', mediaType: 'audio' })).toBe(false);
  });
});
