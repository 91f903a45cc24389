import {
  createRecord,
  HybridClock,
  newId,
  normalizeFamilyName,
  projectDisplayQueueEntry,
  type DisplayQueueEntry,
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

const service: CheckInService = {
  timeZone: 'UTC',
  async find(query) {
    if (query.kind === 'reminder-code') return [];
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
  async checkIn() {
    return { ticketCode: 'A-041', waitMinutes: 12 };
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
  const [calls, setCalls] = useState<DisplayQueueEntry[]>(() =>
    harnessPatients.map((p, i) => calledEntry(`A-0${10 + i}`, `Room ${i + 1}`, p.id, Date.now() - i * 60_000)),
  );
  useEffect(() => {
    (window as unknown as { harness: object }).harness = {
      call: (ticket: string, room: string) =>
        setCalls((current) => [calledEntry(ticket, room, harnessPatients[0]!.id, Date.now()), ...current]),
    };
  }, []);
  return <DisplayBoard calls={calls} language={languageFor(params.get('lang'))} />;
}

createRoot(document.getElementById('root')!).render(
  params.get('screen') === 'display' ? (
    <DisplayHarness />
  ) : (
    <CheckInFlow service={service} idleSeconds={Number(params.get('idle') ?? 60)} />
  ),
);
