import {
  changeRecord,
  createRecord,
  HybridClock,
  newId,
  transitionRecord,
  type Actor,
  type Appointment,
  type QueueEntry,
  type Room,
  type Schedule,
} from '@medisync/shared/domain';

/**
 * One clinic day built by hand, whose figures reports.test.ts works out on
 * paper (site in UTC, Monday 2026-11-23). Every status change happens at the
 * time written beside it, so the derived check-in and call times are exact.
 *
 *   Dr A works 09:00-12:00, Dr B 10:00-12:00 with 11:00-12:00 blocked; 30-minute slots.
 *   A1 A 09:00-09:30 follow-up  desk check-in 08:55, called 09:05, room 1 09:07, done 09:30
 *   A2 A 09:30-10:00 follow-up  kiosk 09:20, called 09:40, room 1 09:41, done 10:00
 *   A3 A 10:00-10:30 sick-visit no-show
 *   A4 A 10:30-11:00 follow-up  cancelled two days before
 *   A5 A 11:00-11:45 sick-visit kiosk 10:50, called 11:10, room 2 11:12, done 11:40
 *   B1 B 10:00-10:30 follow-up  cancelled at 08:00 that morning (late)
 *   B2 B 10:30-11:00 follow-up  desk 10:25, called 10:28, room 2 10:30, done 10:50
 *   W  walk-in                  desk 09:10, called 09:50, room 2 09:55, done 10:05
 */
export const CONSTRUCTED_DAY = '2026-11-23';

export function constructedDay(siteId: string, providerA: string, providerB: string) {
  let now = 0;
  const clock = new HybridClock('report-fixture', () => now);
  const at = (time: string, date = CONSTRUCTED_DAY) => {
    now = Date.parse(`${date}T${time}:00.000Z`);
    return new Date(now).toISOString();
  };
  const desk: Actor = { id: 'desk-1', role: 'desk', source: 'desk' };
  const kiosk: Actor = { id: 'kiosk-1', role: 'kiosk', source: 'kiosk' };

  const room1 = createRecord(
    'rooms',
    { id: newId(), siteId, name: 'Room 1', kind: 'exam', equipment: [], status: 'available' },
    clock,
    desk,
  ) as Room;
  const room2 = createRecord(
    'rooms',
    { id: newId(), siteId, name: 'Room 2', kind: 'exam', equipment: [], status: 'available' },
    clock,
    desk,
  ) as Room;
  const schedule = (providerId: string, start: string, exceptions: Schedule['exceptions']) =>
    createRecord(
      'schedules',
      {
        id: newId(),
        siteId,
        providerId,
        slotMinutes: 30,
        weeklyHours: [{ weekday: 1, start, end: '12:00' }],
        exceptions,
      },
      clock,
      desk,
    );
  const schedules = [
    schedule(providerA, '09:00', []),
    schedule(providerB, '10:00', [
      { date: CONSTRUCTED_DAY, kind: 'block', start: '11:00', end: '12:00', reason: 'Meeting' },
    ]),
  ];

  const patientId = newId();
  at('08:00', '2026-11-16');
  const appointments = new Map<string, Appointment>();
  const queueEntries = new Map<string, QueueEntry>();
  const book = (providerId: string, start: string, end: string, visitType: string) => {
    const appointment = createRecord(
      'appointments',
      {
        id: newId(),
        siteId,
        patientId,
        providerId,
        roomId: null,
        start: `${CONSTRUCTED_DAY}T${start}:00.000Z`,
        end: `${CONSTRUCTED_DAY}T${end}:00.000Z`,
        visitType,
        status: 'booked',
        copayCents: null,
        notes: null,
      },
      clock,
      desk,
    );
    appointments.set(appointment.id, appointment);
    return appointment.id;
  };

  // Hybrid clocks never run backwards, so every step is taken in the order of its time.
  const timeline: { date: string; time: string; run: () => void }[] = [];
  const on = (time: string, run: () => void, date = CONSTRUCTED_DAY) => timeline.push({ date, time, run });
  const step =
    (id: string, to: string, who = desk) =>
    () =>
      appointments.set(id, transitionRecord('appointments', appointments.get(id)!, to, clock, who));
  const queueStep = (id: string, to: string) => () =>
    queueEntries.set(id, transitionRecord('queueEntries', queueEntries.get(id)!, to, clock, desk));
  /** Checks in, calls to a room, rooms and finishes a visit at the times given. */
  const visit = (
    appointmentId: string | null,
    who: Actor,
    [checkIn, called, inRoom, done]: [string, string, string, string],
    roomId: string,
  ) => {
    const entryId = newId();
    on(checkIn, () => {
      if (appointmentId !== null) step(appointmentId, 'checked-in', who)();
      const entry = createRecord(
        'queueEntries',
        {
          id: entryId,
          siteId,
          appointmentId,
          patientId,
          queue: 'reception',
          ticketCode: `A-${String(queueEntries.size + 1).padStart(3, '0')}`,
          priority: 'normal',
          status: 'waiting',
          checkedInAt: new Date(now).toISOString(),
          roomId: null,
        },
        clock,
        who,
      );
      queueEntries.set(entryId, entry);
    });
    on(called, () => {
      queueEntries.set(entryId, changeRecord('queueEntries', queueEntries.get(entryId)!, { roomId }, clock));
      queueStep(entryId, 'called')();
    });
    on(inRoom, queueStep(entryId, 'in-room'));
    on(done, () => {
      queueStep(entryId, 'done')();
      if (appointmentId !== null) step(appointmentId, 'fulfilled')();
    });
  };

  visit(book(providerA, '09:00', '09:30', 'follow-up'), desk, ['08:55', '09:05', '09:07', '09:30'], room1.id);
  visit(book(providerA, '09:30', '10:00', 'follow-up'), kiosk, ['09:20', '09:40', '09:41', '10:00'], room1.id);
  on('10:40', step(book(providerA, '10:00', '10:30', 'sick-visit'), 'noshow'));
  on('10:30', step(book(providerA, '10:30', '11:00', 'follow-up'), 'cancelled'), '2026-11-21');
  visit(book(providerA, '11:00', '11:45', 'sick-visit'), kiosk, ['10:50', '11:10', '11:12', '11:40'], room2.id);
  on('08:00', step(book(providerB, '10:00', '10:30', 'follow-up'), 'cancelled'));
  visit(book(providerB, '10:30', '11:00', 'follow-up'), desk, ['10:25', '10:28', '10:30', '10:50'], room2.id);
  visit(null, desk, ['09:10', '09:50', '09:55', '10:05'], room2.id);

  for (const { date, time, run } of timeline.sort(
    (a, b) => a.date.localeCompare(b.date) || a.time.localeCompare(b.time),
  )) {
    at(time, date);
    run();
  }
  return {
    rooms: [room1, room2],
    schedules,
    appointments: [...appointments.values()],
    queueEntries: [...queueEntries.values()],
  };
}
