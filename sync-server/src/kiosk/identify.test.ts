import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecord, HybridClock, sha256Hex } from '@medisync/shared/domain';
import { api, enrolledDevice, signIn, staffUser } from '#auth/testing';
import { newPatient, seedSite } from '#testing/fixtures';
import { serverRules } from '#sync/rules';
import { writeRecords } from '#sync/store';
import { startTestServer, type TestServer } from '#testing/test-server';

let server: TestServer;
const clock = new HybridClock('identify-test');
const actor = { id: 'identify-test', role: 'desk' as const, source: 'desk' as const };

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

type Matches = { matches: { patientId: string; givenName: string; familyInitial: string }[] };

describe('kiosk identity lookup', () => {
  it('finds a walk-in patient of its own site by family name and birth date, answering no more than a kiosk shows', async () => {
    const { site } = await seedSite(server.db, 'Lookup Clinic');
    const other = (await seedSite(server.db, 'Elsewhere')).site;
    const patient = createRecord(
      'patients',
      newPatient(site.id, { givenName: 'Zoë', familyName: 'Núñez-Ortiz', dob: '1990-07-01' }),
      clock,
      actor,
    );
    const twinElsewhere = createRecord(
      'patients',
      newPatient(other.id, { givenName: 'Zoë', familyName: 'Núñez-Ortiz', dob: '1990-07-01' }),
      clock,
      actor,
    );
    await writeRecords(server.db, 'patients', [patient, twinElsewhere], { rules: serverRules });
    const kiosk = await enrolledDevice(server, site.id, 'kiosk');

    const found = await api<Matches>(server.url, '/kiosk/identify', {
      token: kiosk.token,
      body: { familyName: 'nunez ortiz', dob: '1990-07-01' },
    });
    expect(found.status).toBe(200);
    expect(found.body).toEqual({ matches: [{ patientId: patient.id, givenName: 'Zoë', familyInitial: 'N' }] });

    const admin = await signIn(server.url, (await staffUser(server.db, [site.id], 'admin')).email);
    const log = await api<{ events: { action: string; via: string; recordIds: string[] }[] }>(
      server.url,
      `/admin/audit?actorId=${kiosk.deviceId}`,
      { token: admin.accessToken },
    );
    expect(log.body.events).toMatchObject([{ action: 'read', via: 'POST /kiosk/identify', recordIds: [patient.id] }]);
  });

  it('is for kiosks only, and locks a kiosk after five misses', async () => {
    const { site } = await seedSite(server.db, 'Locked Clinic');
    const kiosk = await enrolledDevice(server, site.id, 'kiosk');
    const desk = await enrolledDevice(server, site.id, 'desk');
    const display = await enrolledDevice(server, site.id, 'display');
    for (const token of [desk.token, display.token]) {
      const refused = await api(server.url, '/kiosk/identify', { token, body: { familyName: 'A', dob: '2000-01-01' } });
      expect(refused.status).toBe(403);
    }
    const bad = await api<{ error: { details: { issues: { path: string }[] } } }>(server.url, '/kiosk/identify', {
      token: kiosk.token,
      body: { familyName: 'A', dob: '01/02/2000' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues.map((i) => i.path)).toEqual(['dob']);

    for (let i = 0; i < 5; i++) {
      const miss = await api<Matches>(server.url, '/kiosk/identify', {
        token: kiosk.token,
        body: { familyName: `Nobody${i}`, dob: '2000-01-01' },
      });
      expect(miss.body.matches).toEqual([]);
    }
    const locked = await api<{ error: { code: string } }>(server.url, '/kiosk/identify', {
      token: kiosk.token,
      body: { familyName: 'Anyone', dob: '2000-01-01' },
    });
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('rate-limited');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('identityKey', () => {
  it('is the same SHA-256 as Node’s, for any text', () => {
    for (let i = 0; i < 200; i++) {
      const text = randomBytes(i * 7).toString('utf8');
      expect(sha256Hex(text)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
    }
  });
});
