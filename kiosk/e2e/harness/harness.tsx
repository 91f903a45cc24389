import {
  appointmentWait,
  checkInSettingsOf,
  createRecord,
  HybridClock,
  newId,
  normalizeFamilyName,
  summariseQueues,
  projectDisplayQueueEntry,
  type DisplayQueueEntry,
  type LockoutState,
} from '@medisync/shared/domain';
import { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import type { CheckInService, KioskAppointmentSummary } from '../../src/renderer/check-in/check-in-service.js';
import { CheckInFlow } from '../../src/renderer/check-in/CheckInFlow.js';
import { DisplayBoard } from '../../src/renderer/display/DisplayBoard.js';
import { languageFor } from '../../src/renderer/i18n/index.js';
import '../../src/renderer/styles.css';
import { harnessPatients, SITE_ID } from './fixtures.js';

/**
 * The lobby screens in a real browser with fixture data in place of an
 * enrolled device's replica: the screens take their data through props, so
 * what is tested here is exactly what the kiosk renders.
 */

const params = new URLSearchParams(location.search);
const clock = new HybridClock('harness');
const server = { id: 'harness', role: 'server' as const, source: 'server' as const };

// ?now=2026-03-02T07:00:00Z moves the kiosk's clock; ?early=allow, ?walkIns=1 set the site's check-in rules.
const pinned = params.get('now');
// Pinned by default to a quarter of an hour before the fixtures' first appointment.
const at = Date.parse(pinned ?? '2026-03-02T09:20:00Z');
const now = () => at;
const settings = checkInSettingsOf({
  checkIn: {
    earliestMinutesBefore: 60,
    latestMinutesAfter: 15,
    tooEarly: params.get('early') === 'allow' ? 'allow-and-tell-desk' : 'refuse',
    walkIns: params.get('walkIns') === '1',
  },
});
const LOCKOUT_KEY = 'harness.lockout';
/** What the screens handed over, for the test to read. */
const written: unknown[] = [];
(window as unknown as { written: unknown[] }).written = written;

const service: CheckInService = {
  timeZone: 'UTC',
  async settings() {
    return settings;
  },
  async findByCode() {
    return { kind: 'not-found' };
  },
  async alreadyHere() {
    return null;
  },
  async find(query) {
    return harnessPatients
      .filter((p) => normalizeFamilyName(p.familyName) === normalizeFamilyName(query.familyName) && p.dob === query.dob)
      .map((p): KioskAppointmentSummary => ({
        id: p.appointmentId,
        start: p.start,
        providerDisplayName: p.provider,
        patientGivenName: p.givenName,
        patientFamilyInitial: p.familyName[0]!.toUpperCase(),
      }));
  },
  async checkIn(appointmentId, intake) {
    written.push({ checkIn: appointmentId, intake });
    const start = harnessPatients.find((p) => p.appointmentId === appointmentId)!.start;
    return { ticketCode: 'A-041', wait: appointmentWait(12, start, new Date(now())) };
  },
  async registerWalkIn(registration) {
    written.push({ walkIn: registration });
    return { ticketCode: 'A-042', wait: appointmentWait(12, null, new Date(now())) };
  },
  async loadLockout() {
    return JSON.parse(localStorage.getItem(LOCKOUT_KEY) ?? '{"misses":[],"lockedUntil":null}') as LockoutState;
  },
  async saveLockout(state) {
    localStorage.setItem(LOCKOUT_KEY, JSON.stringify(state));
  },
};

/** Full queue entries, as the server holds them, projected for the display the way the server sends them. */
function calledEntry(ticketCode: string, roomName: string, patientId: string, calledAt: number): DisplayQueueEntry {
  const waiting = createRecord(
    'queueEntries',
    {
      id: newId(),
      siteId: SITE_ID,
      appointmentId: null,
      patientId,
      queue: 'reception',
      ticketCode,
      priority: 'normal',
      status: 'waiting',
      checkedInAt: new Date(calledAt - 600_000).toISOString(),
      roomId: newId(),
    },
    clock,
    server,
  );
  const projected = projectDisplayQueueEntry(
    { ...waiting, status: 'called', calledAt: new Date(calledAt).toISOString() },
    roomName,
  );
  return projected;
}

function DisplayHarness() {
  // ?calls=14 fills the board past what it can show.
  const count = Number(params.get('calls') ?? harnessPatients.length);
  const [calls, setCalls] = useState<DisplayQueueEntry[]>(() =>
    Array.from({ length: count }, (_, i) =>
      calledEntry(`A-0${10 + i}`, `Room ${i + 1}`, harnessPatients[i % 2]!.id, Date.now() - i * 60_000),
    ),
  );
  useEffect(() => {
    (window as unknown as { harness: object }).harness = {
      call: (ticket: string, room: string) =>
        setCalls((current) => [calledEntry(ticket, room, harnessPatients[0]!.id, Date.now()), ...current]),
    };
  }, []);
  return (
    <DisplayBoard
      calls={calls}
      queues={summariseQueues([
        ...calls,
        ...harnessPatients.map((p) => ({
          ...calledEntry('A-099', 'Room 9', p.id, Date.now()),
          status: 'waiting' as const,
          calledAt: null,
        })),
      ])}
      clinicName="Riverside Family Clinic"
      timeZone="Europe/Berlin"
      language={languageFor(params.get('lang'))}
    />
  );
}

createRoot(document.getElementById('root')!).render(
  params.get('screen') === 'display' ? (
    <DisplayHarness />
  ) : (
    <CheckInFlow
      service={service}
      idleSeconds={Number(params.get('idle') ?? 60)}
      now={now}
      printer={{ automatic: false, print: async () => window.print() }}
    />
  ),
);
