import { describe, expect, it } from 'vitest';
import { buildReport } from './figures.js';
import { constructedDay, CONSTRUCTED_DAY } from './testing.js';

const SITE = '0190a000-0000-7000-8000-000000000001';
const DR_A = '0190a000-0000-7000-8000-00000000000a';
const DR_B = '0190a000-0000-7000-8000-00000000000b';

/** Every figure below is worked out by hand from the day drawn in testing.ts. */
describe('report of a constructed day', () => {
  const day = constructedDay(SITE, DR_A, DR_B);
  const report = buildReport({ timeZone: 'UTC', from: CONSTRUCTED_DAY, to: CONSTRUCTED_DAY, ...day });
  const [room1, room2] = day.rooms;

  it('utilization: booked over available minutes per provider and room', () => {
    // A: 180 available; A1 30 + A2 30 + A3 (no-show, time kept) 30 + A5 45; A4 cancelled.
    // B: 10:00-11:00 available (11:00-12:00 blocked); B2 30; B1 cancelled.
    expect(report.providers).toEqual([
      { id: DR_A, availableMinutes: 180, bookedMinutes: 135, utilization: 0.75 },
      { id: DR_B, availableMinutes: 60, bookedMinutes: 30, utilization: 0.5 },
    ]);
    // Open 09:00-12:00. Room 1: 09:07-09:30 and 09:41-10:00; room 2: 09:55-10:05, 10:30-10:50, 11:12-11:40.
    expect(report.rooms).toEqual([
      { id: room1!.id, availableMinutes: 180, bookedMinutes: 42, utilization: 42 / 180 },
      { id: room2!.id, availableMinutes: 180, bookedMinutes: 58, utilization: 58 / 180 },
    ]);
  });

  it('waits per provider and visit type: median and nearest-rank p90', () => {
    const spread = (count: number, medianMinutes: number, p90Minutes: number) => ({ count, medianMinutes, p90Minutes });
    expect(report.waits).toEqual([
      {
        providerId: DR_A,
        visitType: 'follow-up',
        checkInToCalled: spread(2, 15, 20), // 10, 20
        calledToInRoom: spread(2, 1.5, 2), // 2, 1
        inRoomToDone: spread(2, 21, 23), // 23, 19
        checkInToInRoom: spread(2, 16.5, 21), // 12, 21
      },
      {
        providerId: DR_A,
        visitType: 'sick-visit',
        checkInToCalled: spread(1, 20, 20),
        calledToInRoom: spread(1, 2, 2),
        inRoomToDone: spread(1, 28, 28),
        checkInToInRoom: spread(1, 22, 22),
      },
      {
        providerId: DR_B,
        visitType: 'follow-up',
        checkInToCalled: spread(1, 3, 3),
        calledToInRoom: spread(1, 2, 2),
        inRoomToDone: spread(1, 20, 20),
        checkInToInRoom: spread(1, 5, 5),
      },
    ]);
  });

  it('no-shows, late cancellations, kiosk and desk check-ins, walk-ins and the daily figures', () => {
    // Due: A1, A2, A3 (no-show), A5, B2. Cancelled: A4 (two days ahead), B1 (the same morning: late).
    expect(report.attendance).toEqual({
      due: 5,
      noShows: 1,
      noShowRate: 0.2,
      cancellations: 2,
      lateCancels: 1,
      lateCancelRate: 1 / 7,
    });
    expect(report.checkIns).toEqual({ kiosk: 2, desk: 2, api: 0, server: 0, walkIns: 1 });
    expect(report.daily).toEqual([
      {
        date: CONSTRUCTED_DAY,
        booked: 5,
        seen: 4,
        noShows: 1,
        lateCancels: 1,
        walkIns: 1,
        kioskCheckIns: 2,
        deskCheckIns: 2,
        // Check-in to room: B2 5, A1 12, A2 21, A5 22, the walk-in 45.
        medianWaitMinutes: 21,
        providerUtilization: 165 / 240,
      },
    ]);
  });
});
