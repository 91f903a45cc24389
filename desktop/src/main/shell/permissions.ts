import type { Session } from 'electron';

type PermissionHandlers = Pick<
  Session,
  | 'setPermissionRequestHandler'
  | 'setPermissionCheckHandler'
  | 'setDevicePermissionHandler'
  | 'setDisplayMediaRequestHandler'
>;

/**
 * The front desk and the kiosk need no camera, microphone, location,
 * notifications, USB, HID, serial or screen capture: every request and every
 * check is answered "no", so nothing a page does can prompt for them.
 */
export function denyAllPermissions(
  session: PermissionHandlers,
  onDenied: (permission: string) => void = () => undefined,
): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => {
    onDenied(permission);
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  // Answering with no source refuses the capture.
  session.setDisplayMediaRequestHandler((_request, callback) => callback({}));
}
