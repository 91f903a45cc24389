import { createRecord, HybridClock, newId, type SiteReport } from '@medisync/shared/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClientKey } from '#api-clients/testing';
import { api, signIn, staffUser } from '#auth/testing';
import { writeRecords } from '#sync/store';
import { seedSite } from '#testing/fixtures';
import { startTestServer, type TestServer } from '#testing/test-server';
import { constructedDay, CONSTRUCTED_DAY } from './testing.js';

/**
 * The constructed day of testing.ts, stored as a site's records, answers the
 * same hand-computed figures through `/api/v1/reports` and the admins' `/reports`.
 */

let server: TestServer;
let site: Awaited<ReturnType<typeof seedSite>>;
let drB: string;

beforeAll(async () => {
  server = await startTestServer();
  site = await seedSite(server.db);
  const other = createRecord(
    'providers',
    { id: newId(), siteIds: [site.site.id], displayName: 'Dr. B', specialty: 'Family medicine', active: true },
    new HybridClock('fixtures-reports'),
    { id: 'fixtures', role: 'server', source: 'server' },
  );
  drB = other.id;
  await writeRecords(server.db, 'providers', [other]);
  const day = constructedDay(site.site.id, site.provider.id, drB);
  await writeRecords(server.db, 'rooms', day.rooms);
  await writeRecords(server.db, 'schedules', day.schedules);
  await writeRecords(server.db, 'appointments', day.appointments);
  await writeRecords(server.db, 'queueEntries', day.queueEntries);
});
afterAll(async () => {
  await server?.close();
});

describe('reports over HTTP', () => {
  it('answers the constructed day exactly on the REST API, and nothing for the week before', async () => {
    const key = await apiClientKey(server.db, site.site.id, ['appointments:read']);
    const { status, body } = await api<SiteReport>(
      server.url,
      `/api/v1/reports?from=${CONSTRUCTED_DAY}&to=${CONSTRUCTED_DAY}`,
      { token: key },
    );
    expect(status).toBe(200);
    expect(body.providers).toEqual([
      { id: site.provider.id, availableMinutes: 180, bookedMinutes: 135, utilization: 0.75 },
      { id: drB, availableMinutes: 60, bookedMinutes: 30, utilization: 0.5 },
    ]);
    expect(body.rooms.map((r) => r.bookedMinutes)).toEqual([42, 58]);
    expect(body.waits.find((w) => w.providerId === site.provider.id && w.visitType === 'follow-up')).toMatchObject({
      checkInToCalled: { count: 2, medianMinutes: 15, p90Minutes: 20 },
      checkInToInRoom: { count: 2, medianMinutes: 16.5, p90Minutes: 21 },
    });
    expect(body.attendance).toMatchObject({ noShowRate: 0.2, lateCancels: 1, lateCancelRate: 1 / 7 });
    expect(body.checkIns).toEqual({ kiosk: 2, desk: 2, api: 0, server: 0, walkIns: 1 });
    expect(body.daily[0]).toMatchObject({
      date: CONSTRUCTED_DAY,
      medianWaitMinutes: 21,
      providerUtilization: 165 / 240,
    });

    const before = await api<SiteReport>(server.url, '/api/v1/reports?from=2026-11-16&to=2026-11-22', { token: key });
    expect(before.body.daily).toHaveLength(7);
    expect(before.body.attendance.due).toBe(0);

    const backwards = await api(server.url, `/api/v1/reports?from=2026-11-24&to=${CONSTRUCTED_DAY}`, { token: key });
    expect(backwards.status).toBe(400);
    expect(backwards.body).toMatchObject({ error: { code: 'invalid-request' } });
  });

  it('gives the same report to an admin of the site, and none to the desk', async () => {
    const admin = await signIn(server.url, (await staffUser(server.db, [site.site.id], 'admin')).email);
    const desk = await signIn(server.url, (await staffUser(server.db, [site.site.id], 'desk')).email);
    const path = `/reports?from=${CONSTRUCTED_DAY}&to=${CONSTRUCTED_DAY}`;
    const answer = await api<SiteReport>(server.url, path, { token: admin.accessToken });
    expect(answer.status).toBe(200);
    expect(answer.body.attendance).toMatchObject({ due: 5, noShows: 1 });
    expect((await api(server.url, path, { token: desk.accessToken })).status).toBe(403);
  });
});
