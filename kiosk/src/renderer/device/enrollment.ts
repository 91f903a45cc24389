import { enrollmentSchema, type Enrollment, type Platform } from '@medisync/desktop/shell/browser';

/** The enrollment this device keeps: in the OS keychain under Electron, in localStorage in a browser. */
export async function loadEnrollment(platform: Platform): Promise<Enrollment | null> {
  const raw = await platform.readSecret('device-enrollment');
  if (raw === null) return null;
  try {
    return enrollmentSchema.parse(JSON.parse(raw));
  } catch {
    await platform.deleteSecret('device-enrollment');
    return null;
  }
}

export function saveEnrollment(platform: Platform, enrollment: Enrollment): Promise<void> {
  return platform.writeSecret('device-enrollment', JSON.stringify(enrollment));
}

export function forgetEnrollment(platform: Platform): Promise<void> {
  return platform.deleteSecret('device-enrollment');
}
