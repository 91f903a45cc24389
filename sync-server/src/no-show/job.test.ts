import { createRecord, HybridClock, type Appointment, type Patient, type Provider } from '@medisync/shared/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, enrolledDevice, signIn } from '#auth/testing';
import { createLogger, testLogLevel } from '#logger';
import { writeRecords } from '#sync/store';
import { newAppointment } from '#testing/fixtures';
import { SimulatedDevice } from '#testing/simulated-device';
import { startTestServer, type TestServer } from '#testing/test-server';
import { runNoShowModels, type NoShowDeps } from './job.js';

/**
 * The no-show job on the demo clinic: trained once however many instances run
 * it at the same moment, its scores written onto upcoming visits and synced to
 * a desk, its quality served to the Reports screen.
 */

let server: TestServer;
let desk: SimulatedDevice;
let siteId: string;
let upcoming: Appointment;

const deps = (): NoShowDeps => ({ db: server.db, log: createLogger(testLogLevel()) });

beforeAll(async () => {
  server = await startTestServer({ demo: true });
  const provider = (await server.db.query<{ doc: Provider }>(`SELECT doc FROM providers LIMIT 1`))[0]!.doc;
  const patient = (await server.db.query<{ doc: Patient }>(`SELECT doc FROM patients WHERE NOT deleted LIMIT 1`))[0]!
    .doc;
  siteId = patient.siteId;
  // A visit three days ahead at a fixed time: upcoming whatever the hour the test runs.
  const start = new Date(Date.now() + 3 * 86_400_000);
  start.setUTCHours(15, 0, 0, 0);
  upcoming = createRecord(
    'appointments',
    { ...newAppointment(siteId, patient.id, provider.id, start), visitType: 'medication-review' },
    new HybridClock('fixtures-no-show'),
    { id: 'fixtures', role: 'server', source: 'server' },
  );
  await writeRecords(server.db, 'appointments', [upcoming]);
  desk = await SimulatedDevice.start({ ...(await enrolledDevice(server, siteId)), serverPort: server.port });
});
afterAll(async () => {
  await desk?.stop();
  await server?.close();
});

describe('the no-show job', () => {
  it('trains once when two instances run it at the same moment, and its scores reach the desk', async () => {
    const runs = await Promise.all([
      runNoShowModels(deps(), { everyMs: 60 * 60_000 }),
      runNoShowModels(deps(), { everyMs: 60 * 60_000 }),
    ]);
    const models = await server.db.query<{ n: string }>(`SELECT count(*) AS n FROM no_show_models WHERE site_id = $1`, [
      siteId,
    ]);
    expect(Number(models[0]!.n)).toBe(1);
    expect(runs.map((run) => run[siteId]).filter((r) => typeof r === 'object' && r.trained)).toHaveLength(1);

    const scored = (
      await server.db.query<{ doc: Appointment }>(`SELECT doc FROM appointments WHERE id = $1`, [upcoming.id])
    )[0]!.doc;
    expect(scored.noShowRisk).toMatchObject({ band: expect.stringMatching(/^(low|medium|high)$/) });
    expect(scored.noShowRisk!.probability).toBeGreaterThan(0);

    await expect
      .poll(async () => (await desk.get<Appointment>('appointments', upcoming.id))?.noShowRisk ?? null, {
        timeout: 20_000,
      })
      .toEqual(scored.noShowRisk);

    // A desk cannot write a score of its own: the server keeps its own.
    await desk.change('appointments', upcoming.id, {
      noShowRisk: { probability: 0.001, band: 'low', scoredAt: new Date().toISOString(), model: 'desk' },
    });
    await desk.awaitInSync().catch(() => undefined);
    const kept = (
      await server.db.query<{ doc: Appointment }>(`SELECT doc FROM appointments WHERE id = $1`, [upcoming.id])
    )[0]!.doc;
    expect(kept.noShowRisk).toEqual(scored.noShowRisk);

    // A rescore with the same model changes nothing: no churn on the devices.
    const again = await runNoShowModels(deps(), { everyMs: 60 * 60_000 });
    expect(again[siteId]).toEqual({ trained: false, scored: 0 });
  });

  it('serves its held-out quality to admins', async () => {
    const admin = await signIn(server.url, 'admin@demo.clinic', 'medisync-demo');
    const { status, body } = await api<{ model: { quality: { auc: number; testCount: number }; weights: unknown[] } }>(
      server.url,
      '/reports/no-show-model',
      { token: admin.accessToken },
    );
    expect(status).toBe(200);
    expect(body.model.quality.testCount).toBeGreaterThan(100);
    expect(body.model.quality.auc).toBeGreaterThan(0.5);
    expect(body.model.weights.length).toBeGreaterThan(5);
  });
});
