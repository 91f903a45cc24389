import { startSync, TicketDispenser, type DeviceDatabase, type SyncSession } from '@medisync/shared/sync';
import {
  createServerApi,
  databaseName,
  openBrowserDeviceDatabase,
  REVOKED_MESSAGE,
  type Enrollment,
  type Platform,
  type ServerApi,
} from '@medisync/desktop/shell/browser';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { Subscription } from 'rxjs';
import type { ShellConfig } from '@medisync/desktop/shell/common';
import { DeviceStatus } from './DeviceStatus.js';
import { EnrollmentForm } from './EnrollmentForm.js';
import { forgetEnrollment, loadEnrollment, saveEnrollment } from './enrollment.js';

export type DeviceRole = 'kiosk' | 'display';

export interface EnrolledDevice {
  config: ShellConfig;
  enrollment: Enrollment;
  db: DeviceDatabase;
  sync: SyncSession;
  /** Ticket codes for check-ins, from blocks leased while online (docs/architecture.md §4.7). */
  tickets: TicketDispenser;
}

type State =
  | { kind: 'starting' }
  | { kind: 'enroll'; api: ServerApi; config: ShellConfig }
  | { kind: 'wrong-role'; enrollment: Enrollment }
  | { kind: 'ready'; device: EnrolledDevice }
  | { kind: 'revoked' }
  | { kind: 'failed'; message: string };

const purposes: Record<DeviceRole, string> = { kiosk: 'check-in kiosk', display: 'waiting-room display' };

/**
 * An enrolled lobby device: enrolls it when needed, opens its role-shaped
 * replica (docs/architecture.md §5.2: a kiosk holds today's minimised appointments, a
 * display only the queue's tickets and rooms) and keeps it syncing with the
 * device token. A revoked device forgets its enrollment and stops.
 */
export function KioskDevice({
  platform,
  role,
  children,
}: {
  platform: Platform;
  role: DeviceRole;
  children: (device: EnrolledDevice) => ReactNode;
}) {
  const [state, setState] = useState<State>({ kind: 'starting' });
  const opened = useRef<EnrolledDevice | null>(null);
  const refills = useRef<Subscription | null>(null);

  async function open(config: ShellConfig, enrollment: Enrollment) {
    if (enrollment.role !== role) {
      setState({ kind: 'wrong-role', enrollment });
      return;
    }
    try {
      const db = await openBrowserDeviceDatabase({
        name: databaseName(role, enrollment.site.id, enrollment.deviceId),
        deviceId: enrollment.deviceId,
        role,
        encryptionKey: await platform.databaseKey(),
      });
      const sync = startSync(db, {
        serverUrl: config.serverUrl,
        getToken: () => enrollment.deviceToken,
        batchSize: 500,
      });
      const tickets = await TicketDispenser.open(db, {
        serverUrl: config.serverUrl,
        getToken: () => enrollment.deviceToken,
      });
      const device = { config, enrollment, db, sync, tickets };
      opened.current = device;
      // A display hands out no tickets, so it leases none.
      refills.current = role === 'kiosk' ? tickets.keepToppedUp(enrollment.site.id, sync) : null;
      sync.state$.subscribe((s) => {
        if (s.status === 'revoked') {
          void forgetEnrollment(platform);
          setState({ kind: 'revoked' });
        }
      });
      setState({ kind: 'ready', device });
    } catch (error) {
      setState({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
    }
  }

  useEffect(() => {
    let cancelled = false;
    void (async () => {
      const config = await platform.config();
      const enrollment = await loadEnrollment(platform);
      if (cancelled) return;
      if (enrollment) await open(config, enrollment);
      else setState({ kind: 'enroll', api: createServerApi(config.serverUrl), config });
    })();
    return () => {
      cancelled = true;
      const device = opened.current;
      opened.current = null;
      refills.current?.unsubscribe();
      refills.current = null;
      void device?.sync.stop().then(() => device.db.close());
    };
    // Opens once per page; the platform and role never change.
  }, []);

  switch (state.kind) {
    case 'starting':
      return <main className="loading" aria-busy="true" />;
    case 'enroll':
      return (
        <EnrollmentForm
          api={state.api}
          purpose={purposes[role]}
          onEnrolled={async (enrollment) => {
            await saveEnrollment(platform, enrollment);
            await open(state.config, enrollment);
          }}
        />
      );
    case 'wrong-role':
      return (
        <main className="loading">
          <p role="alert">
            This device is enrolled as a {state.enrollment.role}, not a {purposes[role]}.{' '}
            <button
              type="button"
              className="touch"
              onClick={() => void forgetEnrollment(platform).then(() => location.reload())}
            >
              Enroll again
            </button>
          </p>
        </main>
      );
    case 'revoked':
      return (
        <main className="loading">
          <p role="alert">{REVOKED_MESSAGE}.</p>
        </main>
      );
    case 'failed':
      return (
        <main className="loading">
          <p role="alert">This device could not open its records: {state.message}</p>
        </main>
      );
    case 'ready':
      return (
        <>
          {children(state.device)}
          <DeviceStatus sync={state.device.sync} timeZone={state.device.enrollment.site.timezone} />
        </>
      );
  }
}
