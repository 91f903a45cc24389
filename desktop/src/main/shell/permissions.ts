import type { Session } from 'electron';
import { isAppUrl } from './app-protocol.js';

type PermissionHandlers = Pick<
  Session,
  | 'setPermissionRequestHandler'
  | 'setPermissionCheckHandler'
  | 'setDevicePermissionHandler'
  | 'setDisplayMediaRequestHandler'
>;

/** The one exception an app may ask for: the kiosk reads a reminder's QR code with its camera. */
export interface PermissionExceptions {
  /** The app host (`kiosk`) whose own pages may use a camera: video only, never a microphone. */
  cameraFor?: string;
}

/**
 * The front desk and the kiosk need no camera (the kiosk's QR scan aside),
 * microphone, location, notifications, USB, HID, serial or screen capture:
 * every other request and check is answered "no", so nothing a page does can
 * prompt for them.
 */
export function denyAllPermissions(
  session: PermissionHandlers,
  onDenied: (permission: string) => void = () => undefined,
  except: PermissionExceptions = {},
): void {
  const cameraOnly = (permission: string, url: string | undefined, media: readonly string[] | undefined) =>
    except.cameraFor !== undefined &&
    permission === 'media' &&
    url !== undefined &&
    isAppUrl(url, except.cameraFor) &&
    media !== undefined &&
    media.length > 0 &&
    media.every((type) => type === 'video');
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const media = details as { requestingUrl?: string; mediaTypes?: string[] } | undefined;
    if (cameraOnly(permission, media?.requestingUrl, media?.mediaTypes)) return callback(true);
    onDenied(permission);
    callback(false);
  });
  session.setPermissionCheckHandler((_contents, permission, _origin, details) => {
    const media = details as { requestingUrl?: string; mediaType?: string } | undefined;
    return cameraOnly(permission, media?.requestingUrl, media?.mediaType ? [media.mediaType] : undefined);
  });
  session.setDevicePermissionHandler(() => false);
  // Answering with no source refuses the capture.
  session.setDisplayMediaRequestHandler((_request, callback) => callback({}));
}
