import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrolledDevice } from '#auth/testing';
import { newPatient, seedSite } from '#testing/fixtures';
import { SimulatedDevice } from '#testing/simulated-device';
import { startTestServer, type TestServer } from '#testing/test-server';

/**
 * `/metrics` scraped as Prometheus does, after a desk and a kiosk have synced
 * and the desk pushed a patient: requests, sync pushes and pulls with their
 * latency, connected devices by role, the outbox backlog and delivery failures,
 * and records committed (from the change feed).
 */

let server: TestServer;
let desk: SimulatedDevice;
let kiosk: SimulatedDevice;
let site: Awaited<ReturnType<typeof seedSite>>;

beforeAll(async () => {
  server = await startTestServer();
  site = await seedSite(server.db);
  [desk, kiosk] = await Promise.all([
    SimulatedDevice.start({ ...(await enrolledDevice(server, site.site.id, 'desk')), serverPort: server.port }),
    SimulatedDevice.start({
      ...(await enrolledDevice(server, site.site.id, 'kiosk')),
      serverPort: server.port,
      role: 'kiosk',
    }),
  ]);
});
afterAll(async () => {
  await Promise.all([desk?.stop(), kiosk?.stop()]);
  await server?.close();
});

/** One sample's value from the text format, or undefined when the series is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const scrape = async () => {
  const response = await fetch(`${server.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
};

describe('/metrics', () => {
  it('counts requests, sync pushes and pulls, devices by role, backlogs and committed records', async () => {
    await Promise.all([desk.awaitInSync(), kiosk.awaitInSync()]);
    await desk.create('patients', newPatient(site.site.id));
    await desk.awaitInSync();
    await fetch(`${server.url}/healthz`);

    await expect
      .poll(async () => sample(await scrape(), 'medisync_committed_records_total{collection="patients"}'))
      .toBeGreaterThanOrEqual(1);
    const text = await scrape();
    expect(sample(text, 'medisync_http_requests_total{method="GET",route="/healthz",status="200"}')).toBe(1);
    expect(
      sample(text, 'medisync_sync_requests_total{kind="push",collection="patients",outcome="ok"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'medisync_sync_requests_total{kind="pull",collection="appointments",outcome="ok"}'),
    ).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'medisync_sync_request_duration_seconds_count{kind="push"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'medisync_connected_devices{role="desk"}')).toBe(1);
    expect(sample(text, 'medisync_connected_devices{role="kiosk"}')).toBe(1);
    expect(sample(text, 'medisync_connected_devices{role="display"}')).toBe(0);
    expect(sample(text, 'medisync_outbox_backlog{outlet="webhooks"}')).toBe(0);
    expect(sample(text, 'medisync_delivery_failures{outlet="reminders"}')).toBe(0);
    // Patterns, never ids: no series names a record.
    expect(text).not.toContain(site.site.id);

    // A device leaving is seen at the next scrape.
    await kiosk.stop();
    await expect.poll(async () => sample(await scrape(), 'medisync_connected_devices{role="kiosk"}')).toBe(0);
  });
});
